import { Client } from 'pg';
import Redis from 'ioredis';

const hide = (url: string) => url.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');

/**
 * Checks PostgreSQL and Redis before anything boots, and explains what to do when one is missing,
 * instead of a stack trace from deep inside a driver.
 */
export async function preflight(databaseUrl: string, redisUrl: string): Promise<string[]> {
  const problems: string[] = [];
  const pg = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3000 });
  try {
    await pg.connect();
    await pg.query('SELECT 1');
  } catch (err) {
    const e = err as { code?: string; message: string };
    const hint =
      e.code === '3D000'
        ? 'the database does not exist: create it (createdb) or run `npm start`, which creates it'
        : 'start PostgreSQL (docker compose -f docker/docker-compose.yml up -d postgres), or point DATABASE_URL at one';
    problems.push(`PostgreSQL is not reachable at ${hide(databaseUrl)} (${e.message}): ${hint}`);
  } finally {
    await pg.end().catch(() => undefined);
  }
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 3000,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    problems.push(
      `Redis is not reachable at ${hide(redisUrl)} (${(err as Error).message}): start Redis (docker compose -f docker/docker-compose.yml up -d redis), or point REDIS_URL at one`,
    );
  } finally {
    redis.disconnect();
  }
  return problems;
}

/** Creates the database named in the URL if it is missing (development convenience). */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const admin = new Client({ connectionString: url.toString(), connectionTimeoutMillis: 3000 });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount) return false;
    await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    return true;
  } finally {
    await admin.end();
  }
}
