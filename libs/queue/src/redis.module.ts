import { Global, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import Redis from 'ioredis';
import { Env } from '@crewdesk/config';
import { DEFAULT_JOB_OPTIONS } from './queues';
import { RateLimits } from './rate-limits';
import { REDIS, RedisKeys } from './redis';

export { REDIS, RedisKeys };

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
    RateLimits,
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
  exports: [REDIS, RedisKeys, RateLimits, BullModule],
})
export class RedisModule {}
