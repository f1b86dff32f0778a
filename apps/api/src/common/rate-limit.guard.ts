import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import Redis from 'ioredis';
import { AppError, ErrorCode } from '@crewdesk/common';
import { Env } from '@crewdesk/config';
import { REDIS, RedisKeys } from '@crewdesk/queue';

export const RATE_LIMIT = 'crewdesk:rate-limit';
export type RateBucket = 'public' | 'login';

/** Limits requests per client address and minute on public and login routes (a fixed window in Redis). */
export const RateLimit = (bucket: RateBucket) => SetMetadata(RATE_LIMIT, bucket);

@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly env: Env,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const bucket = this.reflector.getAllAndOverride<RateBucket>(RATE_LIMIT, [ctx.getHandler(), ctx.getClass()]);
    if (!bucket || ctx.getType() !== 'http') return true;
    const req = ctx.switchToHttp().getRequest<{ ip: string }>();
    const limit = bucket === 'login' ? this.env.LOGIN_RATE_LIMIT : this.env.PUBLIC_RATE_LIMIT;
    const window = Math.floor(Date.now() / 60000);
    const key = this.keys.key('rl', bucket, req.ip, String(window));
    const [[, count]] = (await this.redis.multi().incr(key).expire(key, 61).exec()) as [[unknown, number]];
    if (count > limit) {
      const retryAfter = 60 - Math.floor((Date.now() / 1000) % 60);
      throw new AppError(ErrorCode.RATE_LIMITED, `Too many requests; try again in ${retryAfter} s`, {
        retryAfter,
        limit,
      });
    }
    return true;
  }
}
