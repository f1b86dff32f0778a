import 'reflect-metadata';
import { ConfigError, loadEnv } from '@crewdesk/config';
import { ensureDatabase, preflight } from '@crewdesk/db';
import cluster from 'cluster';
import { apiWorkerCount, runCluster } from './cluster';

/**
 * `node dist/apps/api/main.js [serve|migrate|seed|setup]`
 *   serve    the API (and, with RUN_WORKER=inline, the worker in the same process; API_WORKERS > 1 forks processes)
 *   migrate  applies pending migrations
 *   seed     creates the demo workspace if it is missing
 *   setup    creates the database if needed, migrates and seeds
 *   openapi  writes the API's OpenAPI document to openapi.json; `openapi --check` fails when the committed one differs
 */
async function main(): Promise<void> {
  const command = process.argv[2] ?? 'serve';
  const env = loadEnv();
  if (command === 'setup') {
    if (await ensureDatabase(env.DATABASE_URL).catch(() => false)) console.log('✔ created the database');
  }
  const problems = await preflight(env.DATABASE_URL, env.REDIS_URL);
  if (problems.length) {
    console.error(`Crewdesk cannot start:\n${problems.map((p) => `  ✖ ${p}`).join('\n')}`);
    process.exit(2);
  }
  const { migrate } = await import('./cli/migrate');
  const { seedDemo } = await import('./cli/seed');
  switch (command) {
    case 'migrate':
      await migrate(env.DATABASE_URL);
      return;
    case 'seed':
      await seedDemo();
      return;
    case 'setup':
      await migrate(env.DATABASE_URL);
      await seedDemo();
      return;
    case 'serve': {
      const workers = apiWorkerCount(env.API_WORKERS);
      if (workers > 1 && cluster.isPrimary) {
        console.log(`Starting ${workers} API processes on port ${env.PORT} (API_WORKERS=${env.API_WORKERS})`);
        runCluster(workers);
        return;
      }
      const { serve } = await import('./serve');
      await serve();
      return;
    }
    case 'openapi': {
      const { openApi } = await import('./cli/openapi');
      process.exitCode = await openApi(process.argv.includes('--check'));
      return;
    }
    default:
      console.error(`Unknown command "${command}". Use serve, migrate, seed, setup or openapi.`);
      process.exit(64);
  }
}

main().catch((err) => {
  if (err instanceof ConfigError) {
    console.error(err.message);
  } else {
    console.error(`Crewdesk stopped: ${err?.stack ?? err}`);
  }
  process.exit(1);
});
