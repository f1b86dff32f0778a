import { createHash, createHmac, timingSafeEqual } from 'crypto';

/**
 * The signed link of a survey: `base64url(tenant 16 B | survey 16 B | expiry 4 B) + base64url(HMAC-SHA256 first 16 B)`,
 * 70 characters, checkable without a database lookup. The key is derived from ENCRYPTION_KEY (or JWT_SECRET) with
 * its own label, so a survey signature can never stand in for any other signature of Crewdesk's.
 */
export interface SurveyClaims {
  tenantId: string;
  surveyId: string;
  /** Seconds since the epoch after which the link is refused. */
  expiresAt: number;
}

export type SurveyTokenCheck = { ok: true; claims: SurveyClaims } | { ok: false; reason: 'invalid' | 'expired' };

const PAYLOAD_BYTES = 36;
const SIG_BYTES = 16;
const uuidBytes = (id: string) => Buffer.from(id.replace(/-/g, ''), 'hex');
const toUuid = (b: Buffer) => b.toString('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');

export const surveyKey = (material: string) => createHash('sha256').update(`crewdesk-survey:${material}`).digest();

const mac = (key: Buffer, payload: Buffer) => createHmac('sha256', key).update(payload).digest().subarray(0, SIG_BYTES);

export function signSurveyToken(key: Buffer, claims: SurveyClaims): string {
  const payload = Buffer.alloc(PAYLOAD_BYTES);
  uuidBytes(claims.tenantId).copy(payload, 0);
  uuidBytes(claims.surveyId).copy(payload, 16);
  payload.writeUInt32BE(Math.floor(claims.expiresAt), 32);
  return Buffer.concat([payload, mac(key, payload)]).toString('base64url');
}

/** Forged, truncated or tampered links are `invalid`; a genuine link past its time is `expired`. */
export function verifySurveyToken(key: Buffer, token: string, nowSeconds = Date.now() / 1000): SurveyTokenCheck {
  if (typeof token !== 'string' || !/^[A-Za-z0-9_-]{70}$/.test(token)) return { ok: false, reason: 'invalid' };
  const raw = Buffer.from(token, 'base64url');
  if (raw.length !== PAYLOAD_BYTES + SIG_BYTES) return { ok: false, reason: 'invalid' };
  const payload = raw.subarray(0, PAYLOAD_BYTES);
  if (!timingSafeEqual(mac(key, payload), raw.subarray(PAYLOAD_BYTES))) return { ok: false, reason: 'invalid' };
  const claims = {
    tenantId: toUuid(payload.subarray(0, 16)),
    surveyId: toUuid(payload.subarray(16, 32)),
    expiresAt: payload.readUInt32BE(32),
  };
  if (claims.expiresAt <= nowSeconds) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}
