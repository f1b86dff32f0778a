import type { TicketEventPayload } from '@crewdesk/realtime-client';
import type { TicketEventRecord } from '@crewdesk/tickets';
import { rooms } from './rooms';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Data = Record<string, any>;

export interface Delivery {
  namespace: '/agents' | '/widget';
  rooms: string[];
  type: string;
  payload: TicketEventPayload;
}

/**
 * What a customer may see of an event, or null: never internal events, never assignment, tags or fields;
 * messages as the customer views them.
 */
export function customerData(event: Pick<TicketEventRecord, 'type' | 'visibility' | 'data'>): Data | null {
  if (event.visibility !== 'public') return null;
  const d = event.data as Data;
  switch (event.type) {
    case 'ticket.created':
      return { ticket: { id: d.id, number: d.number, subject: d.subject, status: d.status } };
    case 'message.created': {
      const m = d.message ?? {};
      if (m.kind !== 'public' && m.internal !== false) return null;
      const fromCustomer = m.authorType === 'customer';
      return {
        message: {
          id: m.id,
          ticketId: m.ticketId,
          author: {
            type: fromCustomer ? 'customer' : 'staff',
            name: fromCustomer ? null : (m.authorName ?? 'Support'),
          },
          body: m.body,
          html: m.html,
          attachmentIds: m.attachmentIds ?? [],
          clientMessageId: m.clientMessageId,
          createdAt: d.createdAt,
        },
        ticket: { status: d.ticket?.status },
      };
    }
    case 'ticket.updated':
      return d.changes?.status ? { ticket: { status: d.changes.status.to } } : null;
    case 'message.read':
      // Customers learn that staff read their messages, not who.
      return d.by === 'staff' ? { messageId: d.messageId, by: 'staff' } : null;
    case 'message.delivered':
      return { messageId: d.messageId };
    default:
      return null;
  }
}

export function toPayload(event: TicketEventRecord, data: Data = event.data): TicketEventPayload {
  return { id: event.id, type: event.type, ticketId: event.ticketId, data, createdAt: event.createdAt };
}

/** Who may see a ticket, besides staff with `ticket.view_all`: kept by a socket that has it open. */
export interface TicketAudience {
  requesterId: string;
  teamId: string | null;
  assigneeId: string | null;
  sharedWith: string[];
}

/** `ticket.viewers` as the agents' lists receive it: the distinct people who have the ticket open. */
export interface TicketViewersPayload {
  ticketId: string;
  userIds: string[];
}

/** The staff rooms that may see a ticket, by the same rules as its events (`deliveries`); never a customer's. */
export function viewerRooms(t: string, audience: Omit<TicketAudience, 'requesterId'>): string[] {
  const out = new Set([rooms.staff(t)]);
  if (audience.teamId) out.add(rooms.team(t, audience.teamId));
  for (const user of [audience.assigneeId, ...audience.sharedWith]) if (user) out.add(rooms.user(t, user));
  return [...out];
}

/** Where one committed event goes: staff rooms that may see the ticket, and the requester's room if public. */
export function deliveries(event: TicketEventRecord): Delivery[] {
  const t = event.tenantId;
  const r = event.route;
  const staffRooms = new Set([rooms.staff(t)]);
  for (const team of [r?.teamId, r?.previousTeamId]) if (team) staffRooms.add(rooms.team(t, team));
  for (const user of [r?.assigneeId, r?.previousAssigneeId, ...(r?.sharedWith ?? [])])
    if (user) staffRooms.add(rooms.user(t, user));
  const out: Delivery[] = [
    { namespace: '/agents', rooms: [...staffRooms], type: event.type, payload: toPayload(event) },
  ];
  const forCustomer = r?.requesterId ? customerData(event) : null;
  if (forCustomer && r?.requesterId) {
    out.push({
      namespace: '/widget',
      rooms: [rooms.customer(t, r.requesterId)],
      type: event.type,
      payload: toPayload(event, forCustomer),
    });
  }
  return out;
}
