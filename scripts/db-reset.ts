// `npm run db:reset`: drops and recreates the database of DATABASE_URL, then migrates. Refused in production.
import 'reflect-metadata';
import { Client } from 'pg';
import { loadEnv } from '../libs/config/src/env.schema';
import { migrate } from '../apps/api/src/cli/migrate';

async function main(): Promise<void> {
  const env = loadEnv();
  if (env.NODE_ENV === 'production') throw new Error('db:reset is refused when NODE_ENV=production');
  const url = new URL(env.DATABASE_URL);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const admin = new Client({ connectionString: url.toString() });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  await admin.end();
  console.log(`✔ recreated database ${name}`);
  await migrate(env.DATABASE_URL);
}

main().catch((err) => {
  console.error(`✖ ${err.message}`);
  process.exit(1);
});
