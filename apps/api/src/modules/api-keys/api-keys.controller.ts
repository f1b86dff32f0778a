import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppError } from '@crewdesk/common';
import { AuthGuard, newApiKey, RequirePermissions } from '@crewdesk/auth';
import { AuditService, queryRows, TenantContext } from '@crewdesk/db';
import { ApiKeyListDto, ApiKeyResponseDto, CreateApiKeyDto, NewApiKeyDto } from './api-keys.dto';

/* eslint-disable @typescript-eslint/no-explicit-any */
const keyView = (r: any): ApiKeyResponseDto => ({
  id: r.id,
  name: r.name,
  prefix: r.prefix,
  permissions: r.permissions,
  createdAt: new Date(r.created_at).toISOString(),
  lastUsedAt: r.last_used_at ? new Date(r.last_used_at).toISOString() : null,
  revokedAt: r.revoked_at ? new Date(r.revoked_at).toISOString() : null,
});

/** Per-workspace keys for integrations (`Authorization: Bearer cdk_…`); the key is shown once. */
@ApiTags('api-keys')
@ApiBearerAuth()
@Controller('api-keys')
@RequirePermissions('apikey.manage')
export class ApiKeysController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ctx: TenantContext,
    private readonly auditLog: AuditService,
    private readonly auth: AuthGuard,
  ) {}

  @Post()
  @ApiCreatedResponse({ type: NewApiKeyDto })
  async create(@Body() dto: CreateApiKeyDto) {
    const key = newApiKey();
    const [row] = await this.db.query(
      `INSERT INTO api_keys (tenant_id, name, prefix, key_hash, permissions, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
      [
        this.ctx.tenantId,
        dto.name,
        key.prefix,
        key.hash,
        [...new Set(dto.permissions)],
        this.ctx.actor.kind === 'user' ? this.ctx.actor.id : null,
      ],
    );
    await this.auditLog.record('apikey.created', 'api_key', row.id, { name: dto.name, permissions: dto.permissions });
    return { ...keyView(row), key: key.key };
  }

  @Get()
  @ApiOkResponse({ type: ApiKeyListDto })
  async list() {
    const rows = await this.db.query(`SELECT * FROM api_keys WHERE tenant_id = $1 ORDER BY created_at DESC`, [
      this.ctx.tenantId,
    ]);
    return { items: rows.map(keyView), nextCursor: null };
  }

  @Delete(':id')
  @HttpCode(204)
  async revoke(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    const rows = await queryRows(
      this.db,
      `UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE tenant_id = $1 AND id = $2 RETURNING id`,
      [this.ctx.tenantId, id],
    );
    if (!rows.length) throw AppError.notFound('API key');
    // The guard caches valid keys for a few seconds: in this process the revocation takes effect now.
    this.auth.forgetApiKeys();
    await this.auditLog.record('apikey.revoked', 'api_key', id, {});
  }
}
