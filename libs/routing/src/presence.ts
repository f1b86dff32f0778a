/**
 * Who is at their console now: an open `/agents` socket and a status other than `away`. Realtime owns presence;
 * the apps provide this reader, so routing never imports realtime.
 */
export interface PresenceReader {
  online(tenantId: string): Promise<Set<string>>;
}
export const PRESENCE_READER = Symbol('PRESENCE_READER');
