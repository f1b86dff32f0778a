import type { Actor } from '@crewdesk/db';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Row = Record<string, any>;

const iso = (v: unknown) => (v == null ? null : new Date(v as string).toISOString());

export interface TicketView {
  id: string;
  number: number;
  subject: string;
  status: string;
  priority: string;
  channel: string;
  requester: { id: string; name: string | null; email: string | null };
  assigneeId: string | null;
  teamId: string | null;
  tags: string[];
  customFields: Record<string, unknown>;
  version: number;
  createdAt: string;
  updatedAt: string;
  lastMessageAt: string;
  firstResponseAt: string | null;
  solvedAt: string | null;
  closedAt: string | null;
}

export function ticketView(r: Row): TicketView {
  return {
    id: r.id,
    number: Number(r.number),
    subject: r.subject,
    status: r.status,
    priority: r.priority,
    channel: r.channel,
    requester: { id: r.requester_id, name: r.requester_name ?? null, email: r.requester_email ?? null },
    assigneeId: r.assignee_id,
    teamId: r.team_id,
    tags: r.tags ?? [],
    customFields: r.custom_fields ?? {},
    version: r.version,
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
    lastMessageAt: iso(r.last_message_at)!,
    firstResponseAt: iso(r.first_response_at),
    solvedAt: iso(r.solved_at),
    closedAt: iso(r.closed_at),
  };
}

/** What a customer sees of their ticket: no assignee, team, tags, fields or version. */
export interface CustomerTicketView {
  id: string;
  number: number;
  subject: string;
  status: string;
  channel: string;
  createdAt: string;
  updatedAt: string;
}

export function customerTicketView(t: TicketView): CustomerTicketView {
  return {
    id: t.id,
    number: t.number,
    subject: t.subject,
    status: t.status,
    channel: t.channel,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
  };
}

export interface AttachmentView {
  id: string;
  filename: string;
  contentType: string;
  size: number;
}

export interface MessageView {
  id: string;
  ticketId: string;
  kind: 'public' | 'internal' | 'system';
  internal: boolean;
  author: { type: string; id: string | null; name: string | null };
  body: string;
  html: string;
  channel: string;
  deliveryState: string | null;
  /** A public reply held for approval (`pending`), then `approved` or `rejected`; null for every other message. */
  reviewState: string | null;
  mentions: string[];
  attachments: AttachmentView[];
  createdAt: string;
}

export function messageView(r: Row): MessageView {
  return {
    id: r.id,
    ticketId: r.ticket_id,
    kind: r.kind,
    internal: r.kind === 'internal',
    author: { type: r.author_type, id: r.author_id, name: r.author_name ?? null },
    body: r.body_text,
    html: r.body_html,
    channel: r.channel,
    deliveryState: r.delivery_state ?? null,
    reviewState: r.review_state ?? null,
    mentions: r.mentions ?? [],
    attachments: (r.attachments ?? []).map((a: Row) => ({
      id: a.id,
      filename: a.filename,
      contentType: a.content_type ?? a.contentType,
      size: a.size,
    })),
    createdAt: iso(r.created_at)!,
  };
}

/** Customers never see mentions, internal authorship details or delivery internals. */
export interface CustomerMessageView {
  id: string;
  ticketId: string;
  /** `staff` for anyone of the workspace, named (or `Support`). */
  author: { type: 'customer' | 'staff'; name: string | null };
  body: string;
  html: string;
  attachments: AttachmentView[];
  createdAt: string;
}

export function customerMessageView(m: MessageView): CustomerMessageView {
  return {
    id: m.id,
    ticketId: m.ticketId,
    author: {
      type: m.author.type === 'customer' ? 'customer' : 'staff',
      name: m.author.type === 'customer' ? m.author.name : (m.author.name ?? 'Support'),
    },
    body: m.body,
    html: m.html,
    attachments: m.attachments,
    createdAt: m.createdAt,
  };
}

/** A stored ticket event as `GET /tickets/{id}/events` answers it. */
export interface TicketEventView {
  /** The event's sequence number, as a string: the replay cursor. */
  id: string;
  type: string;
  ticketId: string;
  actor: { type: string; id: string | null };
  visibility: 'public' | 'internal';
  data: Record<string, unknown>;
  createdAt: string;
}

export const isStaff = (actor: Actor) => actor.kind === 'user' || actor.kind === 'api_key' || actor.kind === 'system';
