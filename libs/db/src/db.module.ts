import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Env } from '@crewdesk/config';
import { dataSourceOptions } from './data-source-options';
import { TenantContext } from './tenant-context';
import { AuditService } from './audit.service';

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [Env],
      useFactory: (env: Env) => ({ ...dataSourceOptions(env.DATABASE_URL, env.DATABASE_POOL_SIZE), retryAttempts: 0 }),
    }),
  ],
  providers: [TenantContext, AuditService],
  exports: [TenantContext, AuditService],
})
export class DbModule {}
