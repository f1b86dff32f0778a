import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { IsOptional, Matches } from 'class-validator';
import { DataSource } from 'typeorm';
import { AppError, ErrorCode, pageLimit, PageQuery } from '@crewdesk/common';
import { RequirePermissions } from '@crewdesk/auth';
import { TenantContext } from '@crewdesk/db';
import { AuditEntryDto, AuditPageDto } from './audit.dto';

interface AuditRow {
  id: string;
  actor_type: string;
  actor_id: string | null;
  action: string;
  entity_type: string;
  entity_id: string | null;
  data: Record<string, unknown>;
  request_id: string | null;
  created_at: Date;
}

export class AuditQuery extends PageQuery {
  @IsOptional()
  @Matches(/^[a-z_]{1,32}$/)
  entityType?: string;
}

/** The workspace's audit trail, newest first. */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit-log')
@RequirePermissions('audit.read')
export class AuditController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ctx: TenantContext,
  ) {}

  @Get()
  @ApiOkResponse({ type: AuditPageDto })
  async list(@Query() q: AuditQuery): Promise<AuditPageDto> {
    const limit = pageLimit(q);
    if (q.cursor && !/^\d{1,19}$/.test(q.cursor)) {
      throw new AppError(ErrorCode.VALIDATION_FAILED, 'cursor is not valid for this list', { field: 'cursor' });
    }
    const before = q.cursor ?? null;
    const rows = await this.db.query(
      `SELECT * FROM audit_log WHERE tenant_id = $1 AND ($2::bigint IS NULL OR id < $2::bigint) AND ($3::text IS NULL OR entity_type = $3)
       ORDER BY id DESC LIMIT $4`,
      [this.ctx.tenantId, before, q.entityType ?? null, limit + 1],
    );
    const items = rows.slice(0, limit).map((r: AuditRow): AuditEntryDto => ({
      id: String(r.id),
      actor: { type: r.actor_type, id: r.actor_id },
      action: r.action,
      entityType: r.entity_type,
      entityId: r.entity_id,
      data: r.data,
      requestId: r.request_id,
      createdAt: new Date(r.created_at).toISOString(),
    }));
    return { items, nextCursor: rows.length > limit ? items[items.length - 1].id : null };
  }
}
