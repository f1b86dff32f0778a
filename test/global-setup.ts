import 'reflect-metadata';
import { randomBytes } from 'crypto';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../libs/db/src/data-source-options';
import { ensureDatabase } from '../libs/db/src/preflight';

/** A fresh database (migrated, never synchronized) and Redis prefix for this run. */
export default async function globalSetup(): Promise<void> {
  const run = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const base = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  base.pathname = `/crewdesk_test_${run}`;
  process.env.DATABASE_URL = base.toString();
  process.env.REDIS_URL = process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  process.env.REDIS_PREFIX = `crewdesk-test-${run}`;
  process.env.NODE_ENV = 'test';
  process.env.LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'silent';
  process.env.PUBLIC_RATE_LIMIT = '100000';
  process.env.SMTP_INBOUND_PORT = '0';
  // SLA minutes of 200 ms, so clocks run out within a test.
  process.env.SLA_MINUTE_MS = '200';
  process.env.SMTP_INBOUND_HOST = '127.0.0.1';
  process.env.LOGIN_RATE_LIMIT = '100000';
  process.env.STORAGE_DIR = `${require('os').tmpdir()}/crewdesk-test-${run}`;
  await ensureDatabase(process.env.DATABASE_URL);
  const ds = new DataSource({ ...dataSourceOptions(process.env.DATABASE_URL, 2), logging: false });
  await ds.initialize();
  await ds.runMigrations({ transaction: 'each' });
  await ds.destroy();
}
