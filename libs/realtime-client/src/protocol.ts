/**
 * The realtime protocol shared by the API, the worker, the console, the widget, tests and benches.
 * Every ticket event is `{ id, type, ticketId, data, createdAt }`; `id` is the `ticket_events` id (a string
 * of an increasing integer) and the replay cursor.
 */
export const TICKET_EVENT_TYPES = [
  'ticket.created',
  'ticket.updated',
  'ticket.assigned',
  'message.created',
  'message.delivered',
  'message.read',
  'sla.warning',
  'sla.breached',
  'sla.escalated',
  'ticket.routed',
  'ticket.reassigned',
  'ticket.escalated',
  'escalation.acknowledged',
  'escalation.answered',
  'access.expired',
] as const;
export type TicketEventType = (typeof TICKET_EVENT_TYPES)[number];

export interface TicketEventPayload<D = Record<string, unknown>> {
  id: string;
  type: string;
  ticketId: string;
  data: D;
  createdAt: string;
}

export type PresenceStatus = 'online' | 'away' | 'offline';

export interface PresencePayload {
  userId: string;
  name: string | null;
  status: PresenceStatus;
}

export interface TypingPayload {
  ticketId: string;
  userId: string | null;
  name: string | null;
  /** `reply` is a public reply being written (the collision warning); `note` an internal note. */
  mode: 'reply' | 'note' | 'message';
  typing: boolean;
}

export interface ViewerPayload {
  userId: string;
  name: string | null;
  replying: boolean;
}

export interface ViewingPayload {
  ticketId: string;
  viewers: ViewerPayload[];
}

export interface ReplayPayload {
  events: TicketEventPayload[];
  /** More events were missed than one replay holds: reload the lists and tickets instead. */
  truncated: boolean;
}

export interface ErrorAck {
  code: string;
  message: string;
  /** With INTERNAL: the id the server logged the error under. */
  errorId?: string;
}

/** Server to client, on both namespaces (customers get only their own public events, and typing). */
export interface ServerToClientEvents {
  replay: (payload: ReplayPayload) => void;
  presence: (payload: PresencePayload) => void;
  typing: (payload: TypingPayload) => void;
  viewing: (payload: ViewingPayload) => void;
  [type: string]: (payload: never) => void;
}

export interface ClientToServerEvents {
  'presence.set': (payload: { status: 'online' | 'away' }, ack?: (r: { ok: true } | ErrorAck) => void) => void;
  'presence.list': (ack: (r: { users: PresencePayload[] } | ErrorAck) => void) => void;
  'ticket.view': (payload: { ticketId: string }, ack?: (r: ViewingPayload | ErrorAck) => void) => void;
  'ticket.leave': (payload: { ticketId: string }, ack?: (r: { ok: true } | ErrorAck) => void) => void;
  /** Agents send mode reply or note; customers send no mode. */
  typing: (payload: { ticketId: string; mode?: 'reply' | 'note'; typing: boolean }) => void;
}

/** The `connect_error` a refused handshake carries in `err.data`. */
export interface HandshakeError {
  code: 'UNAUTHENTICATED' | 'TOKEN_EXPIRED' | 'FORBIDDEN';
  message: string;
}
