import { createHmac, timingSafeEqual } from 'crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

function base32(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

function unbase32(text: string): Buffer | null {
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const c of text) {
    const i = ALPHABET.indexOf(c);
    if (i < 0) return null;
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

const uuidBytes = (id: string) => Buffer.from(id.replace(/-/g, ''), 'hex');
const toUuid = (b: Buffer) => b.toString('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');

/**
 * The signed reply address of a notification mail to a person of staff: `r<ticket+user in base32><signature>@<domain>`,
 * 61 characters, lower-case only (some servers lower-case local parts), no database lookup needed to check it.
 */
export function replyAddress(secret: string, domain: string, ticketId: string, userId: string): string {
  const payload = base32(Buffer.concat([uuidBytes(ticketId), uuidBytes(userId)]));
  return `r${payload}${sign(secret, payload)}@${domain}`;
}

export function parseReplyAddress(secret: string, address: string): { ticketId: string; userId: string } | null {
  const local = address.split('@')[0]?.toLowerCase() ?? '';
  const m = /^r([a-z2-7]{52})([a-z2-7]{8})$/.exec(local);
  if (!m) return null;
  const expected = Buffer.from(sign(secret, m[1]));
  if (!timingSafeEqual(expected, Buffer.from(m[2]))) return null;
  const bytes = unbase32(m[1]);
  if (!bytes || bytes.length < 32) return null;
  return { ticketId: toUuid(bytes.subarray(0, 16)), userId: toUuid(bytes.subarray(16, 32)) };
}

export const isReplyLocalPart = (address: string) => /^r[a-z2-7]{60}@/i.test(address);

function sign(secret: string, payload: string): string {
  return base32(createHmac('sha256', `crewdesk-reply:${secret}`).update(payload).digest()).slice(0, 8);
}
