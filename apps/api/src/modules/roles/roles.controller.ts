import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppError, ErrorCode } from '@crewdesk/common';
import { PERMISSIONS, RequirePermissions } from '@crewdesk/auth';
import { AuditService, PG, pgCode, queryRows, TenantContext } from '@crewdesk/db';
import { CreateRoleDto, RoleListDto, RoleResponseDto, UpdateRoleDto } from './roles.dto';

/* eslint-disable @typescript-eslint/no-explicit-any */
const roleView = (r: any): RoleResponseDto => ({
  id: r.id,
  name: r.name,
  description: r.description,
  permissions: r.permissions,
  builtin: r.builtin,
  createdAt: new Date(r.created_at).toISOString(),
});

/** Roles are data: the built-in five, and any a workspace defines from the permission list. */
@ApiTags('roles')
@ApiBearerAuth()
@Controller('roles')
export class RolesController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ctx: TenantContext,
    private readonly auditLog: AuditService,
  ) {}

  @Get()
  @ApiOkResponse({ type: RoleListDto })
  async list() {
    const rows = await this.db.query(`SELECT * FROM roles WHERE tenant_id = $1 ORDER BY builtin DESC, name`, [
      this.ctx.tenantId,
    ]);
    return { items: rows.map(roleView), nextCursor: null, permissions: PERMISSIONS };
  }

  @Post()
  @RequirePermissions('role.manage')
  @ApiCreatedResponse({ type: RoleResponseDto })
  async create(@Body() dto: CreateRoleDto) {
    try {
      const [row] = await this.db.query(
        `INSERT INTO roles (tenant_id, name, description, permissions) VALUES ($1, $2, $3, $4) RETURNING *`,
        [this.ctx.tenantId, dto.name, dto.description ?? '', [...new Set(dto.permissions)]],
      );
      await this.auditLog.record('role.created', 'role', row.id, dto);
      return roleView(row);
    } catch (err) {
      if (pgCode(err) === PG.UNIQUE_VIOLATION)
        throw new AppError(ErrorCode.CONFLICT, `A role named "${dto.name}" exists`, { field: 'name' });
      throw err;
    }
  }

  @Patch(':id')
  @RequirePermissions('role.manage')
  @ApiOkResponse({ type: RoleResponseDto })
  async update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateRoleDto) {
    const [current] = await this.db.query(`SELECT * FROM roles WHERE tenant_id = $1 AND id = $2`, [
      this.ctx.tenantId,
      id,
    ]);
    if (!current) throw AppError.notFound('Role');
    if (current.name === 'admin' && dto.permissions) {
      throw new AppError(ErrorCode.FORBIDDEN, 'The admin role always holds every permission');
    }
    const [row] = await queryRows(
      this.db,
      `UPDATE roles SET description = coalesce($3, description), permissions = coalesce($4, permissions)
       WHERE tenant_id = $1 AND id = $2 RETURNING *`,
      [this.ctx.tenantId, id, dto.description ?? null, dto.permissions ? [...new Set(dto.permissions)] : null],
    );
    await this.auditLog.record('role.updated', 'role', id, dto);
    return roleView(row);
  }

  @Delete(':id')
  @RequirePermissions('role.manage')
  @HttpCode(204)
  async remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    const [current] = await this.db.query(`SELECT builtin FROM roles WHERE tenant_id = $1 AND id = $2`, [
      this.ctx.tenantId,
      id,
    ]);
    if (!current) throw AppError.notFound('Role');
    if (current.builtin) throw new AppError(ErrorCode.FORBIDDEN, 'Built-in roles cannot be deleted');
    await this.db.query(`DELETE FROM roles WHERE tenant_id = $1 AND id = $2`, [this.ctx.tenantId, id]);
    await this.auditLog.record('role.deleted', 'role', id, {});
  }
}
