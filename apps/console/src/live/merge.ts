import type { ListQuery, Message, Ticket, TicketDetail } from '../api/types';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** The message of a `message.created` (or `ticket.created`) event, in the REST shape. */
export function messageFromEvent(m: any, createdAt: string): Message {
  return {
    id: m.id,
    ticketId: m.ticketId,
    kind: m.kind ?? (m.internal ? 'internal' : 'public'),
    internal: !!m.internal || m.kind === 'internal',
    author: { type: m.authorType ?? 'user', id: m.authorId ?? null, name: m.authorName ?? null },
    body: m.body ?? '',
    html: m.html,
    channel: m.channel ?? '',
    deliveryState: null,
    mentions: m.mentions ?? [],
    attachments: (m.attachmentIds ?? []).map((id: string) => ({ id, filename: '', contentType: '', size: 0 })),
    createdAt: m.createdAt ?? createdAt,
  };
}

/** Adds a message to a ticket once (live, replay and our own POST may all bring it), in time order. */
export function appendMessage(detail: TicketDetail, msg: Message): TicketDetail {
  // Our own message confirmed (live or by the POST's answer) replaces its optimistic copy.
  if (!msg.pending && detail.messages.some((m) => m.pending)) {
    const same = (m: Message) =>
      m.pending && m.author.id === msg.author.id && m.internal === msg.internal && m.body === msg.body;
    if (detail.messages.some(same)) detail = { ...detail, messages: detail.messages.filter((m) => !same(m)) };
  }
  const i = detail.messages.findIndex((m) => m.id === msg.id);
  if (i >= 0) {
    // Keep the richer copy (the REST one has attachment names); drop the pending flag.
    const merged = { ...msg, ...detail.messages[i], pending: false };
    if (!detail.messages[i].attachments.some((a) => a.filename) && msg.attachments.length)
      merged.attachments = msg.attachments;
    const messages = detail.messages.slice();
    messages[i] = merged;
    return { ...detail, messages };
  }
  const messages = [...detail.messages, msg].sort((a, b) =>
    a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0,
  );
  return {
    ...detail,
    messages,
    lastMessageAt: msg.createdAt > detail.lastMessageAt ? msg.createdAt : detail.lastMessageAt,
  };
}

/** A ticket event's `changes: { field: { from, to } }` applied to a ticket (list rows update in place). */
export function applyChanges<T extends Ticket>(ticket: T, data: any): T {
  const changes = (data?.changes ?? {}) as Record<string, { to?: unknown }>;
  const next: any = { ...ticket };
  for (const [field, change] of Object.entries(changes)) if (change && 'to' in change) next[field] = change.to;
  if (typeof data?.version === 'number') next.version = data.version;
  if (data?.updatedAt) next.updatedAt = new Date(data.updatedAt).toISOString();
  return next;
}

const OPEN = ['new', 'open', 'pending', 'on_hold'];

/** Would a ticket with these fields be in a list with this query? (For arrivals; the server has the last word.) */
export function matchesQuery(
  t: { status?: string; priority?: string; assigneeId?: string | null; teamId?: string | null; tags?: string[] },
  q: ListQuery,
  meId: string,
): boolean {
  const status = t.status ?? 'new';
  if (q.status?.length ? !q.status.includes(status) : !OPEN.includes(status)) return false;
  if (q.priority?.length && !q.priority.includes(t.priority ?? 'normal')) return false;
  if (q.assigneeId === 'none' && t.assigneeId) return false;
  if (q.assigneeId === 'me' && t.assigneeId !== meId) return false;
  if (q.assigneeId && !['me', 'none'].includes(q.assigneeId) && t.assigneeId !== q.assigneeId) return false;
  if (q.teamId && t.teamId !== q.teamId) return false;
  if (q.tag && !(t.tags ?? []).includes(q.tag)) return false;
  if (q.q || q.requesterId) return false; // text search and requester lists refresh on demand only
  return true;
}

/**
 * Arrivals while the user is scrolled down are held, not inserted: `pending` collects their ids until the
 * pill is pressed (or the list is at the top).
 */
export function holdArrival(pending: string[], ticketId: string, loaded: Set<string>): string[] {
  if (loaded.has(ticketId) || pending.includes(ticketId)) return pending;
  return [...pending, ticketId];
}
