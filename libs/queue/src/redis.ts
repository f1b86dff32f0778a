import { Injectable } from '@nestjs/common';
import { Env } from '@crewdesk/config';

export const REDIS = Symbol('REDIS');

/** Prefixes every key this deployment writes, so runs and deployments can share one Redis. */
@Injectable()
export class RedisKeys {
  constructor(private readonly env: Env) {}
  key(...parts: string[]): string {
    return [this.env.REDIS_PREFIX, ...parts].join(':');
  }
}
