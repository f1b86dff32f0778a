import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppError, ErrorCode } from '@crewdesk/common';
import { Env } from '@crewdesk/config';
import { randomToken, sha256, TokensService } from '@crewdesk/auth';
import { queryRows } from '@crewdesk/db';

export interface SessionTokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

/** Staff sessions: a short JWT plus a rotating refresh token (reuse of an old one ends the session). */
@Injectable()
export class SessionsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly tokens: TokensService,
    private readonly env: Env,
  ) {}

  private expiry(): Date {
    return new Date(Date.now() + this.env.REFRESH_TOKEN_TTL_DAYS * 86400_000);
  }

  private issue(tenantId: string, userId: string, sessionId: string, refresh: string): SessionTokens {
    return {
      accessToken: this.tokens.signAccess({ sub: userId, tid: tenantId, sid: sessionId }),
      refreshToken: `${sessionId}.${refresh}`,
      expiresIn: this.env.ACCESS_TOKEN_TTL_SECONDS,
    };
  }

  async open(tenantId: string, userId: string, userAgent?: string): Promise<SessionTokens> {
    const refresh = randomToken();
    const [row] = await this.db.query(
      `INSERT INTO sessions (tenant_id, user_id, refresh_hash, expires_at, user_agent) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [tenantId, userId, sha256(refresh), this.expiry(), userAgent?.slice(0, 300) ?? null],
    );
    await this.db.query(`UPDATE users SET last_login_at = now() WHERE id = $1 AND tenant_id = $2`, [userId, tenantId]);
    return this.issue(tenantId, userId, row.id, refresh);
  }

  async refresh(token: string): Promise<SessionTokens> {
    const [sessionId, secret] = token.split('.');
    const invalid = new AppError(ErrorCode.UNAUTHENTICATED, 'This refresh token is not valid; sign in again');
    if (!sessionId || !secret || !/^[0-9a-f-]{36}$/.test(sessionId)) throw invalid;
    const hash = sha256(secret);
    const next = randomToken();
    const [row] = await queryRows(
      this.db,
      `UPDATE sessions s SET refresh_hash = $3, previous_hash = s.refresh_hash, expires_at = $4
       FROM users u
       WHERE s.id = $1 AND s.refresh_hash = $2 AND s.revoked_at IS NULL AND s.expires_at > now()
         AND u.id = s.user_id AND u.tenant_id = s.tenant_id AND u.status = 'active'
       RETURNING s.id, s.tenant_id, s.user_id`,
      [sessionId, hash, sha256(next), this.expiry()],
    );
    if (row) return this.issue(row.tenant_id, row.user_id, row.id, next);
    // A rotated-out token presented again means it leaked: end the session.
    await this.db.query(
      `UPDATE sessions SET revoked_at = now() WHERE id = $1 AND previous_hash = $2 AND revoked_at IS NULL`,
      [sessionId, hash],
    );
    throw invalid;
  }

  async revoke(tenantId: string, sessionId: string): Promise<void> {
    await this.db.query(
      `UPDATE sessions SET revoked_at = now() WHERE id = $1 AND tenant_id = $2 AND revoked_at IS NULL`,
      [sessionId, tenantId],
    );
  }

  async revokeAllOf(tenantId: string, userId: string): Promise<void> {
    await this.db.query(
      `UPDATE sessions SET revoked_at = now() WHERE tenant_id = $1 AND user_id = $2 AND revoked_at IS NULL`,
      [tenantId, userId],
    );
  }
}
