import { createHmac, timingSafeEqual } from 'crypto';

/** The HMAC a host page's server computes for a signed-in user: hex HMAC-SHA256 of the user id. */
export function identityHmac(secret: string, userId: string): string {
  return createHmac('sha256', secret).update(userId, 'utf8').digest('hex');
}

/** Constant-time check; anything malformed is simply false. */
export function verifyIdentity(secret: string, userId: string, hmac: string): boolean {
  if (!/^[0-9a-f]{64}$/i.test(hmac)) return false;
  const expected = Buffer.from(identityHmac(secret, userId), 'hex');
  return timingSafeEqual(expected, Buffer.from(hmac.toLowerCase(), 'hex'));
}
