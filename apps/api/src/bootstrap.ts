import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import helmet from '@fastify/helmet';
import multipart from '@fastify/multipart';
import { Logger } from 'nestjs-pino';
import { randomUUID } from 'crypto';
import { AllExceptionsFilter, createValidationPipe } from '@crewdesk/common';
import { Env, loadEnv } from '@crewdesk/config';
import { runInScope } from '@crewdesk/db';
import { AppModule } from './app.module';
import { openApiDocument } from './openapi';
import { RedisIoAdapter } from './realtime/redis-io.adapter';

/** JSON bodies are capped at 1 MB; attachments go through multipart with their own limit. */
export const JSON_BODY_LIMIT = 1024 * 1024;

/** Builds the API exactly as production runs it; tests call this too. */
export async function createApp(): Promise<NestFastifyApplication> {
  const env: Env = loadEnv();
  const adapter = new FastifyAdapter({
    bodyLimit: JSON_BODY_LIMIT,
    trustProxy: true,
    genReqId: (req: { headers: Record<string, unknown> }) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w-]{1,64}$/.test(given) ? given : randomUUID();
    },
  });
  // Route-mapping chatter stays out of the logs: only warnings and errors until the app is initialised.
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, adapter, { logger: ['error', 'warn'] });
  app.enableShutdownHooks();
  const fastify = app.getHttpAdapter().getInstance();
  app.useWebSocketAdapter(new RedisIoAdapter(app, env));
  // One scope per request (actor, request id) that every later hook, guard, pipe and handler runs in.
  fastify.addHook('onRequest', (req: { id: string }, _reply: unknown, done: () => void) =>
    runInScope({ requestId: req.id }, done),
  );

  await app.register(helmet as never, {
    contentSecurityPolicy: false,
    crossOriginResourcePolicy: { policy: 'same-site' },
  });
  await app.register(multipart as never, {
    // One byte over the limit reaches the storage meter, which refuses the upload (a truncated file is never kept).
    limits: { fileSize: env.MAX_ATTACHMENT_BYTES + 1, files: 1, fields: 5, parts: 6, fieldSize: 1024 },
  });

  // Raw MIME for the email webhook, up to the mail size limit.
  fastify.addContentTypeParser(
    ['message/rfc822', 'application/octet-stream'],
    { parseAs: 'buffer', bodyLimit: env.MAX_EMAIL_BYTES },
    (_req: unknown, body: Buffer, done: (err: null, body: Buffer) => void) => done(null, body),
  );

  app.setGlobalPrefix('api/v1', { exclude: ['health', 'widget.js', 'widget-demo'] });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new AllExceptionsFilter());
  app.enableCors({ origin: true, credentials: false, exposedHeaders: ['idempotent-replayed', 'retry-after'] });

  SwaggerModule.setup('api/docs', app, () => openApiDocument(app), { jsonDocumentUrl: 'api/docs/openapi.json' });
  await app.init();
  app.useLogger(app.get(Logger));
  return app;
}
