import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppError, decodeCursor, encodeCursor, ErrorCode, Page } from '@crewdesk/common';
import { hashPassword } from '@crewdesk/auth';
import { AuditService, PG, pgCode, TenantContext } from '@crewdesk/db';
import { CreateUserDto, UpdateUserDto } from './users.dto';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Row = Record<string, any>;

export interface UserView {
  id: string;
  email: string;
  name: string;
  status: string;
  roles: string[];
  teamIds: string[];
  skills: string[];
  capacity: number;
  timezone: string;
  locale: string;
  createdAt: string;
  lastLoginAt: string | null;
}

const USER_SELECT = `
  u.id, u.email, u.name, u.status, u.skills, u.capacity, u.timezone, u.locale, u.created_at, u.last_login_at,
  coalesce((SELECT array_agg(r.name ORDER BY r.name) FROM user_roles ur JOIN roles r ON r.id = ur.role_id
            WHERE ur.user_id = u.id AND ur.tenant_id = u.tenant_id), '{}') AS roles,
  coalesce((SELECT array_agg(tm.team_id) FROM team_members tm WHERE tm.user_id = u.id AND tm.tenant_id = u.tenant_id), '{}') AS team_ids`;

const userView = (r: Row): UserView => ({
  id: r.id,
  email: r.email,
  name: r.name,
  status: r.status,
  roles: r.roles,
  teamIds: r.team_ids,
  skills: r.skills,
  capacity: r.capacity,
  timezone: r.timezone,
  locale: r.locale,
  createdAt: new Date(r.created_at).toISOString(),
  lastLoginAt: r.last_login_at ? new Date(r.last_login_at).toISOString() : null,
});

/** People of a workspace: agents, engineers, product staff, admins alike. */
@Injectable()
export class UsersService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ctx: TenantContext,
    private readonly auditLog: AuditService,
  ) {}

  /** The signed-in person with permissions (login and /me). */
  async profile(tenantId: string, userId: string) {
    const [row] = await this.db.query(
      `SELECT ${USER_SELECT},
         coalesce((SELECT array_agg(DISTINCT p ORDER BY p) FROM user_roles ur JOIN roles r ON r.id = ur.role_id, unnest(r.permissions) p
                   WHERE ur.user_id = u.id AND ur.tenant_id = u.tenant_id), '{}') AS permissions,
         json_build_object('id', t.id, 'name', t.name, 'slug', t.slug) AS workspace
       FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE u.tenant_id = $1 AND u.id = $2`,
      [tenantId, userId],
    );
    if (!row) throw AppError.notFound('User');
    return { ...userView(row), permissions: row.permissions as string[], workspace: row.workspace };
  }

  async get(id: string): Promise<UserView> {
    const [row] = await this.db.query(`SELECT ${USER_SELECT} FROM users u WHERE u.tenant_id = $1 AND u.id = $2`, [
      this.ctx.tenantId,
      id,
    ]);
    if (!row) throw AppError.notFound('User');
    return userView(row);
  }

  async list(q: { role?: string; cursor?: string; limit: number }): Promise<Page<UserView>> {
    const params: unknown[] = [this.ctx.tenantId];
    const where = ['u.tenant_id = $1'];
    const after = decodeCursor(q.cursor, ['string', 'string']);
    if (after) {
      params.push(after[0], after[1]);
      where.push(`(u.name, u.id) > ($${params.length - 1}, $${params.length}::uuid)`);
    }
    if (q.role) {
      params.push(q.role);
      where.push(
        `EXISTS (SELECT 1 FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = u.id AND r.name = $${params.length})`,
      );
    }
    params.push(q.limit + 1);
    const rows: Row[] = await this.db.query(
      `SELECT ${USER_SELECT} FROM users u WHERE ${where.join(' AND ')} ORDER BY u.name, u.id LIMIT $${params.length}`,
      params,
    );
    const items = rows.slice(0, q.limit).map(userView);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > q.limit && last ? encodeCursor([last.name, last.id]) : null };
  }

  async create(dto: CreateUserDto): Promise<UserView> {
    const tenantId = this.ctx.tenantId;
    const passwordHash = await hashPassword(dto.password);
    try {
      const id = await this.db.transaction(async (m) => {
        const [row] = await m.query(
          `INSERT INTO users (tenant_id, email, name, password_hash, skills, capacity, timezone, locale)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
          [
            tenantId,
            dto.email.trim().toLowerCase(),
            dto.name.trim(),
            passwordHash,
            dto.skills ?? [],
            dto.capacity ?? 20,
            dto.timezone ?? 'UTC',
            dto.locale ?? 'en',
          ],
        );
        await this.setRoles(m, row.id, dto.roles);
        await this.setTeams(m, row.id, dto.teamIds ?? []);
        await this.auditLog.record('user.created', 'user', row.id, { email: dto.email, roles: dto.roles }, m);
        return row.id as string;
      });
      return this.get(id);
    } catch (err) {
      if (pgCode(err) === PG.UNIQUE_VIOLATION) {
        throw new AppError(ErrorCode.EMAIL_TAKEN, 'Someone in this workspace already has that email', {
          field: 'email',
        });
      }
      throw err;
    }
  }

  async update(id: string, dto: UpdateUserDto, onDisable: (userId: string) => Promise<void>): Promise<UserView> {
    const tenantId = this.ctx.tenantId;
    await this.get(id);
    if (dto.status === 'disabled' && id === this.ctx.actor.id) {
      throw new AppError(ErrorCode.VALIDATION_FAILED, 'You cannot disable yourself', { field: 'status' });
    }
    const passwordHash = dto.password ? await hashPassword(dto.password) : undefined;
    await this.db.transaction(async (m) => {
      const sets: string[] = [];
      const params: unknown[] = [tenantId, id];
      const set = (column: string, value: unknown) => {
        if (value === undefined) return;
        params.push(value);
        sets.push(`${column} = $${params.length}`);
      };
      set('name', dto.name?.trim());
      set('password_hash', passwordHash);
      set('status', dto.status);
      set('skills', dto.skills);
      set('capacity', dto.capacity);
      set('timezone', dto.timezone);
      set('locale', dto.locale);
      if (sets.length)
        await m.query(
          `UPDATE users SET ${sets.join(', ')}, updated_at = now() WHERE tenant_id = $1 AND id = $2`,
          params,
        );
      if (dto.roles) await this.setRoles(m, id, dto.roles, true);
      if (dto.teamIds) await this.setTeams(m, id, dto.teamIds, true);
      const { password: _omit, ...logged } = dto;
      await this.auditLog.record('user.updated', 'user', id, { ...logged, passwordChanged: !!dto.password }, m);
    });
    if (dto.status === 'disabled' || dto.password) await onDisable(id);
    return this.get(id);
  }

  private async setRoles(m: EntityManager, userId: string, names: string[], replace = false): Promise<void> {
    const tenantId = this.ctx.tenantId;
    const unique = [...new Set(names)];
    const roles: Row[] = await m.query(`SELECT id, name FROM roles WHERE tenant_id = $1 AND name = ANY($2::text[])`, [
      tenantId,
      unique,
    ]);
    const missing = unique.filter((n) => !roles.some((r) => r.name === n));
    if (missing.length)
      throw new AppError(ErrorCode.VALIDATION_FAILED, `Unknown role: ${missing.join(', ')}`, {
        field: 'roles',
        missing,
      });
    if (replace) {
      if (userId === this.ctx.actor.id && !unique.includes('admin') && this.ctx.actor.permissions.has('role.manage')) {
        const [{ admins }] = await m.query(
          `SELECT count(*)::int AS admins FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.tenant_id = $1 AND r.name = 'admin' AND ur.user_id <> $2`,
          [tenantId, userId],
        );
        if (!admins)
          throw new AppError(ErrorCode.VALIDATION_FAILED, 'A workspace needs at least one admin', { field: 'roles' });
      }
      await m.query(`DELETE FROM user_roles WHERE tenant_id = $1 AND user_id = $2`, [tenantId, userId]);
    }
    for (const r of roles) {
      await m.query(`INSERT INTO user_roles (user_id, role_id, tenant_id) VALUES ($1, $2, $3)`, [
        userId,
        r.id,
        tenantId,
      ]);
    }
  }

  private async setTeams(m: EntityManager, userId: string, teamIds: string[], replace = false): Promise<void> {
    const tenantId = this.ctx.tenantId;
    const unique = [...new Set(teamIds)];
    const found: Row[] = await m.query(`SELECT id FROM teams WHERE tenant_id = $1 AND id = ANY($2::uuid[])`, [
      tenantId,
      unique,
    ]);
    if (found.length !== unique.length) throw AppError.notFound('Team', { field: 'teamIds' });
    if (replace) await m.query(`DELETE FROM team_members WHERE tenant_id = $1 AND user_id = $2`, [tenantId, userId]);
    for (const teamId of unique) {
      await m.query(`INSERT INTO team_members (team_id, user_id, tenant_id) VALUES ($1, $2, $3)`, [
        teamId,
        userId,
        tenantId,
      ]);
    }
  }
}
