import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppError, ErrorCode } from '@crewdesk/common';
import { BUILTIN_ROLES, hashPassword } from '@crewdesk/auth';
import { pgCode, PG } from '@crewdesk/db';
import { ticketSequenceName } from '@crewdesk/tickets';

export interface NewWorkspace {
  name: string;
  slug: string;
  admin: { email: string; name: string; password: string };
}

export interface WorkspaceRow {
  id: string;
  name: string;
  slug: string;
  createdAt: string;
}

export const workspaceView = (r: {
  id: string;
  name: string;
  slug: string;
  created_at: Date | string;
}): WorkspaceRow => ({
  id: r.id,
  name: r.name,
  slug: r.slug,
  createdAt: new Date(r.created_at).toISOString(),
});

/** Creates a workspace with its ticket-number sequence, the built-in roles and its first admin, in one transaction. */
@Injectable()
export class WorkspacesService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async create(input: NewWorkspace): Promise<{ workspace: WorkspaceRow; adminId: string }> {
    const passwordHash = await hashPassword(input.admin.password);
    try {
      return await this.db.transaction(async (m) => {
        const [tenant] = await m.query(
          `INSERT INTO tenants (name, slug, ticket_sequence) VALUES ($1, $2, '') RETURNING id, name, slug, created_at`,
          [input.name.trim(), input.slug],
        );
        const seq = ticketSequenceName(tenant.id);
        await m.query(`UPDATE tenants SET ticket_sequence = $1 WHERE id = $2`, [seq, tenant.id]);
        await m.query(`CREATE SEQUENCE "${seq}" AS bigint START 1 CACHE 1`);
        const roleIds = await this.createBuiltinRoles(m, tenant.id);
        const [admin] = await m.query(
          `INSERT INTO users (tenant_id, email, name, password_hash) VALUES ($1, $2, $3, $4) RETURNING id`,
          [tenant.id, input.admin.email.trim().toLowerCase(), input.admin.name.trim(), passwordHash],
        );
        await m.query(`INSERT INTO user_roles (user_id, role_id, tenant_id) VALUES ($1, $2, $3)`, [
          admin.id,
          roleIds.admin,
          tenant.id,
        ]);
        await m.query(
          `INSERT INTO audit_log (tenant_id, actor_type, actor_id, action, entity_type, entity_id, data)
           VALUES ($1, 'user', $2, 'workspace.created', 'tenant', $1, $3)`,
          [tenant.id, admin.id, JSON.stringify({ slug: input.slug })],
        );
        return { workspace: workspaceView(tenant), adminId: admin.id };
      });
    } catch (err) {
      if (pgCode(err) === PG.UNIQUE_VIOLATION) {
        throw new AppError(ErrorCode.SLUG_TAKEN, `The workspace address "${input.slug}" is taken`, { field: 'slug' });
      }
      throw err;
    }
  }

  private async createBuiltinRoles(m: EntityManager, tenantId: string): Promise<Record<string, string>> {
    const ids: Record<string, string> = {};
    for (const [name, role] of Object.entries(BUILTIN_ROLES)) {
      const [row] = await m.query(
        `INSERT INTO roles (tenant_id, name, description, permissions, builtin) VALUES ($1, $2, $3, $4, true) RETURNING id`,
        [tenantId, name, role.description, role.permissions],
      );
      ids[name] = row.id;
    }
    return ids;
  }

  async findById(id: string): Promise<WorkspaceRow | null> {
    const [row] = await this.db.query(`SELECT id, name, slug, created_at FROM tenants WHERE id = $1`, [id]);
    return row ? workspaceView(row) : null;
  }

  async findBySlug(slug: string): Promise<WorkspaceRow | null> {
    const [row] = await this.db.query(`SELECT id, name, slug, created_at FROM tenants WHERE slug = $1`, [
      slug.toLowerCase(),
    ]);
    return row ? workspaceView(row) : null;
  }
}
