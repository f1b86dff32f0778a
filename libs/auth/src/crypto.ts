import { createHash, randomBytes, timingSafeEqual } from 'crypto';
import * as argon2 from 'argon2';

export const sha256 = (value: string | Buffer) => createHash('sha256').update(value).digest('hex');

export const randomToken = (bytes = 32) => randomBytes(bytes).toString('base64url');

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

// OWASP's argon2id minimum (19 MiB, 2 passes): strong, and quick enough for logins under load.
const ARGON = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string) => argon2.hash(password, ARGON);

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

/** A hash to verify against when the user does not exist, so timing does not reveal who has an account. */
let dummy: Promise<string> | undefined;
export const dummyPasswordHash = () => (dummy ??= hashPassword(randomToken()));

/** API keys: `cdk_<8 chars prefix>_<secret>`; the prefix is shown in lists, the whole key only once. */
export function newApiKey(): { key: string; prefix: string; hash: string } {
  const prefix = randomBytes(6).toString('base64url').slice(0, 8);
  const key = `cdk_${prefix}_${randomToken(24)}`;
  return { key, prefix, hash: sha256(key) };
}

export const isApiKey = (token: string) => token.startsWith('cdk_');
