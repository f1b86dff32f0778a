import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppError, ErrorCode } from '@crewdesk/common';
import { Env } from '@crewdesk/config';
import { RateLimits } from '@crewdesk/queue';

export const RATE_LIMIT = 'crewdesk:rate-limit';
export type RateBucket = 'public' | 'login';

/**
 * Limits requests per client address and minute on public and login routes (in Redis, a window opened by the
 * address's first request).
 */
export const RateLimit = (bucket: RateBucket) => SetMetadata(RATE_LIMIT, bucket);

@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limits: RateLimits,
    private readonly env: Env,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const bucket = this.reflector.getAllAndOverride<RateBucket>(RATE_LIMIT, [ctx.getHandler(), ctx.getClass()]);
    if (!bucket || ctx.getType() !== 'http') return true;
    const req = ctx.switchToHttp().getRequest<{ ip: string }>();
    const limit = bucket === 'login' ? this.env.LOGIN_RATE_LIMIT : this.env.PUBLIC_RATE_LIMIT;
    const retryAfter = await this.limits.hit(bucket, req.ip, limit, 60);
    if (retryAfter) {
      throw new AppError(ErrorCode.RATE_LIMITED, `Too many requests; try again in ${retryAfter} s`, {
        retryAfter,
        limit,
      });
    }
    return true;
  }
}
