import { loadEnv } from '@crewdesk/config';
import { createApp } from './bootstrap';

export async function serve(): Promise<void> {
  const env = loadEnv();
  const app = await createApp();
  if (env.RUN_WORKER === 'inline') {
    const { startWorker } = await import('../../worker/src/start');
    const worker = await startWorker();
    app
      .getHttpAdapter()
      .getInstance()
      .addHook('onClose', async () => worker.close());
  }
  await app.listen(env.PORT, env.HOST);
  const base = env.PUBLIC_URL.replace(/\/$/, '');
  console.log(`\n  ✔ Crewdesk is up on ${base}  (API ${base}/api/v1, docs ${base}/api/docs, health ${base}/health)`);
  if (process.env.CREWDESK_BANNER) console.log(process.env.CREWDESK_BANNER);
}
