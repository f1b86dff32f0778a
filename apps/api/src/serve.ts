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
  const base = `http://${env.HOST === '0.0.0.0' ? 'localhost' : env.HOST}:${env.PORT}`;
  console.log(`Crewdesk API listening on ${base} (docs ${base}/api/docs, health ${base}/health)`);
}
