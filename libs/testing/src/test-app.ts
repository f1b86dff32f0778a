import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { createApp } from '../../../apps/api/src/bootstrap';

export interface TestApp {
  app: NestFastifyApplication;
  http: NestFastifyApplication['getHttpServer'] extends () => infer S ? S : never;
  db: DataSource;
  /** Base URL of the listening app (sockets need a real port). */
  url: string;
  close(): Promise<void>;
}

/** The real API (Fastify, guards, pipes, filter) on the run's database; requests go through supertest. */
export async function createTestApp(): Promise<TestApp> {
  const app = await createApp();
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return {
    app,
    http: app.getHttpServer(),
    db: app.get(DataSource),
    url: `http://127.0.0.1:${address.port}`,
    close: () => app.close(),
  };
}
