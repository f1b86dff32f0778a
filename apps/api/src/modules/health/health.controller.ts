import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import Redis from 'ioredis';
import { Public } from '@crewdesk/auth';
import { REDIS } from '@crewdesk/queue';

/** Liveness and readiness: PostgreSQL and Redis must both answer. */
@ApiTags('health')
@Controller('health')
@Public()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicator: HealthIndicatorService,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([
      () => this.db.pingCheck('postgres', { timeout: 2000 }),
      async () => {
        const check = this.indicator.check('redis');
        try {
          const pong = await Promise.race([
            this.redis.ping(),
            new Promise<string>((_, reject) => setTimeout(() => reject(new Error('timed out after 2000 ms')), 2000)),
          ]);
          return pong === 'PONG' ? check.up() : check.down({ message: `unexpected answer ${pong}` });
        } catch (err) {
          return check.down({ message: (err as Error).message });
        }
      },
    ]);
  }
}
