import { Global, Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { currentScope } from '@crewdesk/db';
import { Env } from '@crewdesk/config';

const BOOT_CONTEXTS = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestApplication',
  'WebSocketsController',
]);

/** JSON logs (pino) with request id and tenant id; credentials are redacted. `LOG_PRETTY=true` for humans. */
@Global()
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [Env],
      useFactory: (env: Env) => {
        // One line per request at info and below. Above info those lines are never written, so no request gets a
        // child logger or a pass through the logging middleware either (failures are logged by the exception filter).
        const requestLines = !['fatal', 'error', 'warn', 'silent'].includes(env.LOG_LEVEL);
        return {
          forRoutes: requestLines ? [{ path: '/{*path}', method: RequestMethod.ALL }] : [],
          pinoHttp: {
            level: env.LOG_LEVEL,
            transport: env.LOG_PRETTY
              ? { target: 'pino-pretty', options: { singleLine: true, translateTime: 'HH:MM:ss.l' } }
              : undefined,
            redact: {
              paths: [
                'req.headers.authorization',
                'req.headers.cookie',
                'req.headers["idempotency-key"]',
                '*.password',
                '*.refreshToken',
              ],
              censor: '[redacted]',
            },
            // Every line written inside a request or job says for whom.
            mixin: () => {
              const scope = currentScope();
              if (!scope) return {};
              const { actor, requestId } = scope;
              return actor
                ? { requestId, tenantId: actor.tenantId, actor: `${actor.kind}:${actor.id ?? '-'}` }
                : { requestId };
            },
            hooks: {
              // Nest's start-up chatter (module and route listings) only at debug level.
              logMethod(this: unknown, args: unknown[], method: (...a: unknown[]) => void) {
                const context = (args[0] as { context?: string } | undefined)?.context;
                if (context && BOOT_CONTEXTS.has(context) && env.LOG_LEVEL !== 'debug' && env.LOG_LEVEL !== 'trace')
                  return;
                method.apply(this, args);
              },
            },
            autoLogging: { ignore: (req: { url?: string }) => req.url === '/health' },
            serializers: {
              req: (req: { id: string; method: string; url: string }) => ({
                id: req.id,
                method: req.method,
                url: req.url.replace(/([?&]access_token=)[^&]+/, '$1[redacted]'),
              }),
            },
          },
        };
      },
    }),
  ],
})
export class LoggingModule {}
