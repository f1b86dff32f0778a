import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { TenantContext } from './tenant-context';

/** Records who did what in the tenant in context. Ticket changes are audited by the ticket write path itself. */
@Injectable()
export class AuditService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ctx: TenantContext,
  ) {}

  async record(
    action: string,
    entityType: string,
    entityId: string | null,
    data: unknown,
    manager?: EntityManager,
  ): Promise<void> {
    const a = this.ctx.actor;
    await (manager ?? this.db).query(
      `INSERT INTO audit_log (tenant_id, actor_type, actor_id, action, entity_type, entity_id, data, request_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [a.tenantId, a.kind, a.id, action, entityType, entityId, JSON.stringify(data ?? {}), this.ctx.requestId ?? null],
    );
  }
}
