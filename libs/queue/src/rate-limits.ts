import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { REDIS, RedisKeys } from './redis';

/**
 * Counts hits per key in Redis, in windows that open at a key's first hit: a burst is never split in two by a
 * clock boundary (as fixed minute windows split it), and every API process shares the count.
 */
@Injectable()
export class RateLimits {
  private readonly limiters = new Map<string, RateLimiterRedis>();

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /** Counts one hit of `key` in `bucket`; answers the seconds until its window reopens once over `points`, else null. */
  async hit(bucket: string, key: string, points: number, seconds: number): Promise<number | null> {
    try {
      await this.limiter(bucket, points, seconds).consume(key);
      return null;
    } catch (err) {
      if (err instanceof RateLimiterRes) return Math.max(1, Math.ceil(err.msBeforeNext / 1000));
      throw err;
    }
  }

  private limiter(bucket: string, points: number, seconds: number): RateLimiterRedis {
    const name = `${bucket}:${points}:${seconds}`;
    let limiter = this.limiters.get(name);
    if (!limiter) {
      limiter = new RateLimiterRedis({
        storeClient: this.redis,
        keyPrefix: this.keys.key('rl', bucket),
        points,
        duration: seconds,
      });
      this.limiters.set(name, limiter);
    }
    return limiter;
  }
}
