import { randomUUID } from 'crypto';
import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClsModule } from 'nestjs-cls';
import { Env } from '@crewdesk/config';
import { dataSourceOptions } from './data-source-options';
import { TenantContext } from './tenant-context';
import { AuditService } from './audit.service';

@Global()
@Module({
  imports: [
    // The API mounts ClsMiddleware itself (apps/api/src/app.module.ts); the worker opens contexts per job.
    ClsModule.forRoot({
      global: true,
      middleware: {
        mount: false,
        generateId: true,
        idGenerator: (req: { id?: string }) => req.id ?? randomUUID(),
      },
    }),
    TypeOrmModule.forRootAsync({
      inject: [Env],
      useFactory: (env: Env) => ({ ...dataSourceOptions(env.DATABASE_URL, env.DATABASE_POOL_SIZE), retryAttempts: 0 }),
    }),
  ],
  providers: [TenantContext, AuditService],
  exports: [TenantContext, AuditService],
})
export class DbModule {}
