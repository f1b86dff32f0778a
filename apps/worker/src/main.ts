import 'reflect-metadata';
import { ConfigError, loadEnv } from '@crewdesk/config';
import { preflight } from '@crewdesk/db';
import { startWorker } from './start';

async function main(): Promise<void> {
  const env = loadEnv();
  const problems = await preflight(env.DATABASE_URL, env.REDIS_URL);
  if (problems.length) {
    console.error(`Crewdesk worker cannot start:\n${problems.map((p) => `  ✖ ${p}`).join('\n')}`);
    process.exit(2);
  }
  await startWorker();
  console.log('Crewdesk worker running (queues: maintenance)');
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : `Crewdesk worker stopped: ${err?.stack ?? err}`);
  process.exit(1);
});
