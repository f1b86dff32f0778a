import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppError, ErrorCode } from '@crewdesk/common';
import { Actor, can, TenantContext } from '@crewdesk/db';
import { AUTH_KIND, AuthKind, REQUIRED_PERMISSIONS } from './auth.decorators';
import { isApiKey, sha256 } from './crypto';
import { Permission } from './permissions';
import { TokensService } from './tokens.service';

interface HttpRequest {
  headers: Record<string, string | string[] | undefined>;
  ip?: string;
}

const STAFF_SQL = `
  SELECT u.id, u.name, u.status, s.revoked_at, s.expires_at,
    coalesce((SELECT array_agg(DISTINCT p) FROM user_roles ur JOIN roles r ON r.id = ur.role_id, unnest(r.permissions) p
              WHERE ur.user_id = u.id AND ur.tenant_id = $2), '{}') AS permissions,
    coalesce((SELECT array_agg(tm.team_id) FROM team_members tm WHERE tm.user_id = u.id AND tm.tenant_id = $2), '{}') AS team_ids
  FROM sessions s JOIN users u ON u.id = s.user_id AND u.tenant_id = $2
  WHERE s.id = $1 AND s.tenant_id = $2`;

/** How long this process trusts a valid API key without asking PostgreSQL again (revocations elsewhere take this long). */
export const API_KEY_CACHE_MS = 3_000;
/** At most this many keys are cached; past it the cache starts over. */
const API_KEY_CACHE_MAX = 10_000;

interface ApiKeyRow {
  id: string;
  tenant_id: string;
  name: string;
  permissions: string[];
}

export function bearer(req: HttpRequest): string | undefined {
  const h = req.headers['authorization'];
  const value = Array.isArray(h) ? h[0] : h;
  const m = value?.match(/^Bearer\s+(\S+)$/i);
  return m?.[1];
}

/**
 * The one authentication and RBAC gate. Staff routes (the default) take a JWT access token or an API key;
 * `@CustomerAuth()` routes take a portal token; `@Public()` routes take none. The actor goes into the
 * tenant context, which scopes every query that follows.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokensService,
    private readonly tenant: TenantContext,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const targets = [ctx.getHandler(), ctx.getClass()];
    const kind = this.reflector.getAllAndOverride<AuthKind>(AUTH_KIND, targets) ?? 'staff';
    if (kind === 'public') return true;
    const req = ctx.switchToHttp().getRequest<HttpRequest>();
    const token = bearer(req);
    if (!token) throw new AppError(ErrorCode.UNAUTHENTICATED, 'Sign in first: send `Authorization: Bearer <token>`');

    const actor = kind === 'customer' ? this.customer(token) : await this.staff(token);
    const required = this.reflector.getAllAndOverride<Permission[]>(REQUIRED_PERMISSIONS, targets) ?? [];
    const missing = required.filter((p) => !can(actor, p));
    if (missing.length) {
      throw new AppError(ErrorCode.FORBIDDEN, `This needs the permission ${missing.join(', ')}`, { missing });
    }
    this.tenant.setActor(actor);
    return true;
  }

  private customer(token: string): Actor {
    const claims = this.tokens.verify(token, 'portal');
    return {
      kind: 'customer',
      id: claims.sub,
      customerId: claims.sub,
      tenantId: claims.tid,
      permissions: new Set(),
      ticketId: claims.tkt,
    };
  }

  async staff(token: string): Promise<Actor> {
    if (isApiKey(token)) return this.apiKey(token);
    const claims = this.tokens.verify(token, 'access');
    const [row] = await this.db.query(STAFF_SQL, [claims.sid, claims.tid]);
    if (!row || row.id !== claims.sub || row.revoked_at || new Date(row.expires_at) < new Date()) {
      throw new AppError(ErrorCode.UNAUTHENTICATED, 'This session has ended; sign in again');
    }
    if (row.status !== 'active') throw new AppError(ErrorCode.UNAUTHENTICATED, 'This account is disabled');
    return {
      kind: 'user',
      id: row.id,
      name: row.name,
      tenantId: claims.tid,
      sessionId: claims.sid,
      permissions: new Set(row.permissions),
      teamIds: row.team_ids,
    };
  }

  /** When each key's `last_used_at` was last written by this process: at most once a minute, off the request path. */
  private readonly touched = new Map<string, number>();

  /**
   * Valid API keys by hash, for API_KEY_CACHE_MS: an integration sending hundreds of requests a second would
   * otherwise cost one SELECT each. A revocation in this process drops the cache at once (`forgetApiKeys`);
   * other processes see it within API_KEY_CACHE_MS. Unknown or revoked keys are never cached.
   */
  private readonly apiKeys = new Map<string, { at: number; row: Promise<ApiKeyRow | undefined> }>();
  /** Forgets every cached key in this process (after a revocation committed): the next requests read them again. */
  forgetApiKeys(): void {
    this.apiKeys.clear();
  }

  private lookupApiKey(hash: string): Promise<ApiKeyRow | undefined> {
    const now = Date.now();
    const hit = this.apiKeys.get(hash);
    if (hit && hit.at > now - API_KEY_CACHE_MS) return hit.row;
    const row = this.db
      .query(`SELECT id, tenant_id, name, permissions FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`, [hash])
      .then((rows: ApiKeyRow[]) => rows[0]);
    if (this.apiKeys.size >= API_KEY_CACHE_MAX) this.apiKeys.clear();
    const entry = { at: now, row };
    this.apiKeys.set(hash, entry);
    // Concurrent requests share the lookup; only a valid key stays cached (a revocation clears it meanwhile).
    const drop = () => void (this.apiKeys.get(hash) === entry && this.apiKeys.delete(hash));
    row.then((r) => r || drop(), drop);
    return row;
  }

  private async apiKey(token: string): Promise<Actor> {
    const row = await this.lookupApiKey(sha256(token));
    if (!row) throw new AppError(ErrorCode.UNAUTHENTICATED, 'This API key is not valid or has been revoked');
    const now = Date.now();
    if ((this.touched.get(row.id) ?? 0) < now - 60_000) {
      this.touched.set(row.id, now);
      void this.db
        .query(`UPDATE api_keys SET last_used_at = now() WHERE id = $1`, [row.id])
        .catch(() => this.touched.delete(row.id));
    }
    return {
      kind: 'api_key',
      id: row.id,
      name: row.name,
      tenantId: row.tenant_id,
      permissions: new Set(row.permissions),
    };
  }
}
