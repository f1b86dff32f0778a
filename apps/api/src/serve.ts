import { loadEnv } from '@crewdesk/config';
import { createApp } from './bootstrap';
import { apiWorkerIndex } from './cluster';

export async function serve(): Promise<void> {
  const env = loadEnv();
  const app = await createApp();
  const first = apiWorkerIndex() === 1;
  // Under API_WORKERS > 1 the first process runs the inline worker and speaks for all.
  if (env.RUN_WORKER === 'inline' && first) {
    const { startWorker } = await import('../../worker/src/start');
    const worker = await startWorker();
    app
      .getHttpAdapter()
      .getInstance()
      .addHook('onClose', async () => worker.close());
  }
  await app.listen(env.PORT, env.HOST);
  if (!first) return;
  const base = env.PUBLIC_URL.replace(/\/$/, '');
  console.log(`\n  ✔ Crewdesk is up on ${base}  (API ${base}/api/v1, docs ${base}/api/docs, health ${base}/health)`);
  if (process.env.CREWDESK_BANNER) console.log(process.env.CREWDESK_BANNER);
}
