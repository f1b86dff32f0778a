import { Body, Controller, Get, Patch } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { RequirePermissions } from '@crewdesk/auth';
import { AuditService, queryRows, TenantContext } from '@crewdesk/db';
import { UpdateWorkspaceDto } from './routing.dto';
import { WorkspaceResponseDto } from './routing-responses.dto';

/* eslint-disable @typescript-eslint/no-explicit-any */
const view = (r: any): WorkspaceResponseDto => ({
  id: r.id,
  name: r.name,
  slug: r.slug,
  settings: { expertReview: r.settings?.expertReview === true, locale: r.settings?.locale ?? 'en' },
});

/** The signed-in person's workspace and its settings. */
@ApiTags('workspaces')
@ApiBearerAuth()
@Controller('workspace')
export class WorkspaceController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ctx: TenantContext,
    private readonly auditLog: AuditService,
  ) {}

  @Get()
  @ApiOkResponse({ type: WorkspaceResponseDto })
  async get() {
    const [row] = await this.db.query(`SELECT id, name, slug, settings FROM tenants WHERE id = $1`, [
      this.ctx.tenantId,
    ]);
    return view(row);
  }

  @Patch()
  @RequirePermissions('settings.manage')
  @ApiOkResponse({ type: WorkspaceResponseDto })
  async update(@Body() dto: UpdateWorkspaceDto) {
    const settings = Object.fromEntries(Object.entries(dto.settings ?? {}).filter(([, v]) => v !== undefined));
    const [row] = await queryRows(
      this.db,
      `UPDATE tenants SET name = coalesce($2, name), settings = settings || $3::jsonb, updated_at = now() WHERE id = $1
       RETURNING id, name, slug, settings`,
      [this.ctx.tenantId, dto.name?.trim() ?? null, JSON.stringify(settings)],
    );
    await this.auditLog.record('workspace.updated', 'workspace', this.ctx.tenantId, dto);
    return view(row);
  }
}
