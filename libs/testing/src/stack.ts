import type { INestApplicationContext } from '@nestjs/common';
import { CaptureSmtp } from './mail';
import { createTestApp, TestApp } from './test-app';

export interface MailStack {
  t: TestApp;
  worker: INestApplicationContext;
  /** Outbound mail of the API and the worker lands here. */
  relay: CaptureSmtp;
  /** Stops the worker, the API and the relay, and puts process.env back as it was. */
  close(): Promise<void>;
}

/**
 * The API and the worker, with SMTP_URL pointing at a capture relay and any other `env` set before they start.
 * If a part fails to start, what did start is stopped and the environment restored before the error is thrown.
 */
export async function startMailStack(env: Record<string, string> = {}): Promise<MailStack> {
  const saved = { ...process.env };
  let relay: CaptureSmtp | undefined;
  let t: TestApp | undefined;
  let worker: INestApplicationContext | undefined;
  const close = async () => {
    await worker?.close();
    await t?.close();
    await relay?.stop();
    process.env = saved;
  };
  try {
    relay = await new CaptureSmtp().start();
    process.env.SMTP_URL = `smtp://127.0.0.1:${relay.port}`;
    Object.assign(process.env, env);
    t = await createTestApp();
    // Loaded here, so that the tests without a worker do not load the worker's modules with @crewdesk/testing.
    const { startWorker } = await import('../../../apps/worker/src/start');
    worker = await startWorker();
    return { t, worker, relay, close };
  } catch (err) {
    await close();
    throw err;
  }
}
