import { Logger } from '@nestjs/common';
import type { ErrorAck } from '@crewdesk/realtime-client';
import { toErrorResponse } from '@crewdesk/common';
import { Actor, TenantContext } from '@crewdesk/db';
import { TicketsService } from '@crewdesk/tickets';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (v: unknown): v is string => typeof v === 'string' && UUID.test(v);

export const invalid = (message: string): ErrorAck => ({ code: 'VALIDATION_FAILED', message });
export const notFound = (): ErrorAck => ({ code: 'NOT_FOUND', message: 'Ticket not found' });

/** Calls the ack if the client passed one (acks are optional in socket.io). */
export function reply<T>(ack: unknown, value: T): void {
  if (typeof ack === 'function') ack(value);
}

/** A handshake refusal the client sees as `connect_error` with `err.data = { code, message }`. */
export function handshakeError(err: unknown): Error {
  const e = err as { code?: string; message?: string };
  const code =
    e?.code === 'TOKEN_EXPIRED' ? 'TOKEN_EXPIRED' : e?.code === 'FORBIDDEN' ? 'FORBIDDEN' : 'UNAUTHENTICATED';
  const message = e?.code ? (e.message ?? 'Not allowed') : 'Send a valid token in `auth.token`';
  const out = new Error(message) as Error & { data: { code: string; message: string } };
  out.data = { code, message };
  return out;
}

const logger = new Logger('Sockets');

/**
 * An error as a socket ack, mapped as the HTTP filter maps it: an AppError's code, text PostgreSQL cannot hold as the
 * input's fault, and anything else an internal error whose id is logged with it (the ack carries the id, not details).
 */
export function toAck(err: unknown): ErrorAck {
  const { body, unexpected } = toErrorResponse(err);
  if (unexpected) logger.error({ err, errorId: body.errorId }, 'Unhandled error in a socket event');
  return { code: body.code, message: body.message, ...(body.errorId ? { errorId: body.errorId } : {}) };
}

/** `message.read` on either namespace: one read receipt event through the ticket write path. */
export async function markRead(
  tenant: TenantContext,
  tickets: TicketsService,
  actor: Actor,
  body: { ticketId?: unknown; messageId?: unknown },
) {
  if (!isUuid(body?.ticketId) || !isUuid(body?.messageId)) return invalid('message.read needs ticketId and messageId');
  try {
    await tenant.run(actor, () => tickets.markRead(body.ticketId as string, body.messageId as string));
    return { ok: true as const };
  } catch (err) {
    return toAck(err);
  }
}
