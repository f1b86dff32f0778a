import type { ErrorAck } from '@crewdesk/realtime-client';

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
