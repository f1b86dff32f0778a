import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { createApp } from '../../../apps/api/src/bootstrap';

export interface TestApp {
  app: NestFastifyApplication;
  http: NestFastifyApplication['getHttpServer'] extends () => infer S ? S : never;
  db: DataSource;
  close(): Promise<void>;
}

/** The real API (Fastify, guards, pipes, filter) on the run's database; requests go through supertest. */
export async function createTestApp(): Promise<TestApp> {
  const app = await createApp();
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return { app, http: app.getHttpServer(), db: app.get(DataSource), close: () => app.close() };
}
