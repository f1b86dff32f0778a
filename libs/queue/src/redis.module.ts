import { Global, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import Redis from 'ioredis';
import { Env } from '@crewdesk/config';
import { DEFAULT_JOB_OPTIONS } from './queues';

export const REDIS = Symbol('REDIS');

/** Prefixes every key this deployment writes, so runs and deployments can share one Redis. */
@Injectable()
export class RedisKeys {
  constructor(private readonly env: Env) {}
  key(...parts: string[]): string {
    return [this.env.REDIS_PREFIX, ...parts].join(':');
  }
}

@Injectable()
class RedisCloser implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}
  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

export function redisOptions(_env?: Env) {
  return { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false } as const;
}

@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [Env],
      useFactory: (env: Env) => ({
        connection: { url: env.REDIS_URL, ...redisOptions(env) },
        prefix: `${env.REDIS_PREFIX}:bull`,
        defaultJobOptions: DEFAULT_JOB_OPTIONS,
      }),
    }),
  ],
  providers: [
    RedisKeys,
    RedisCloser,
    {
      provide: REDIS,
      inject: [Env],
      useFactory: (env: Env) => {
        // Commands issued in the same turn of the event loop (an event's broadcasts and marks, a rate-limit
        // MULTI) leave in one write.
        const client = new Redis(env.REDIS_URL, { ...redisOptions(env), enableAutoPipelining: true });
        const logger = new Logger('Redis');
        client.on('error', (err) => logger.warn(`Redis at ${env.REDIS_URL}: ${err.message}`));
        return client;
      },
    },
  ],
  exports: [REDIS, RedisKeys, BullModule],
})
export class RedisModule {}
