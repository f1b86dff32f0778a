import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppError, decodeCursor, encodeCursor, ErrorCode } from '@crewdesk/common';
import { Actor, AuditService, PG, pgCode, queryRows, TenantContext } from '@crewdesk/db';
import { normalizeTags, Params, TicketsService, ticketView, visibleTo } from '@crewdesk/tickets';
import { CannedReplyDto, MacroActionsDto, PreferencesDto } from './inbox.dto';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Row = Record<string, any>;

/** Statuses that still need someone: what the inbox views count. */
const OPEN = `t.status IN ('new', 'open', 'pending', 'on_hold')`;
/** An active, running timer in its warning window or past due. */
const AT_RISK = `s.status = 'active' AND s.paused_at IS NULL AND s.due_at IS NOT NULL AND (s.warn_at <= now() OR s.due_at <= now())`;

const iso = (v: unknown) => (v == null ? null : new Date(v as string).toISOString());

const cannedView = (r: Row) => ({
  id: r.id,
  shortcut: r.shortcut,
  title: r.title,
  body: r.body,
  actions: r.actions ?? {},
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
});

@Injectable()
export class InboxService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ctx: TenantContext,
    private readonly auditLog: AuditService,
    private readonly tickets: TicketsService,
  ) {}

  async counts() {
    const actor = this.ctx.actor;
    const p = new Params();
    const tenant = p.add(this.ctx.tenantId);
    const me = p.add(actor.kind === 'user' ? actor.id : null);
    const team = p.add(actor.teamIds?.[0] ?? null);
    const [row] = await this.db.query(
      `SELECT count(*) FILTER (WHERE t.assignee_id = ${me}::uuid)::int AS mine,
              count(*) FILTER (WHERE t.assignee_id IS NULL)::int AS unassigned,
              count(*) FILTER (WHERE t.team_id = ${team}::uuid)::int AS team,
              count(*) FILTER (WHERE EXISTS (SELECT 1 FROM sla_timers s WHERE s.tenant_id = t.tenant_id
                                              AND s.ticket_id = t.id AND ${AT_RISK}))::int AS "slaAtRisk",
              count(*)::int AS "all"
       FROM tickets t WHERE t.tenant_id = ${tenant} AND ${OPEN} AND ${visibleTo(actor, p)}`,
      p.values,
    );
    return row;
  }

  async slaSummaries(ticketIds: string[]) {
    if (!ticketIds.length) return { items: [] };
    const p = new Params();
    const tenant = p.add(this.ctx.tenantId);
    const rows: Row[] = await this.db.query(
      `SELECT DISTINCT ON (s.ticket_id) s.ticket_id, s.metric, s.due_at, s.warn_at, s.paused_at, s.breached_at, s.status
       FROM sla_timers s JOIN tickets t ON t.tenant_id = s.tenant_id AND t.id = s.ticket_id
       WHERE s.tenant_id = ${tenant} AND s.ticket_id = ANY(${p.add(ticketIds)}::uuid[]) AND s.status = 'active'
         AND ${visibleTo(this.ctx.actor, p)}
       ORDER BY s.ticket_id, s.paused_at IS NOT NULL, s.due_at NULLS LAST`,
      p.values,
    );
    return {
      items: rows.map((r) => ({
        ticketId: r.ticket_id,
        metric: r.metric,
        dueAt: iso(r.due_at),
        warnAt: iso(r.warn_at),
        pausedAt: iso(r.paused_at),
        breachedAt: iso(r.breached_at),
        status: r.status,
      })),
    };
  }

  async atRisk(page: { cursor?: string; limit: number }) {
    const after = decodeCursor(page.cursor, ['string', 'string']) as [string, string] | undefined;
    const p = new Params();
    const tenant = p.add(this.ctx.tenantId);
    const where = [`t.tenant_id = ${tenant}`, OPEN, visibleTo(this.ctx.actor, p)];
    if (after) where.push(`(r.due, t.id) > (${p.add(after[0])}::timestamptz, ${p.add(after[1])}::uuid)`);
    const rows: Row[] = await this.db.query(
      `WITH r AS (SELECT s.ticket_id, min(s.due_at) AS due FROM sla_timers s
                  WHERE s.tenant_id = ${tenant} AND ${AT_RISK} GROUP BY s.ticket_id)
       SELECT t.*, c.name AS requester_name, c.email AS requester_email, r.due
       FROM r JOIN tickets t ON t.tenant_id = ${tenant} AND t.id = r.ticket_id
       LEFT JOIN customers c ON c.id = t.requester_id AND c.tenant_id = t.tenant_id
       WHERE ${where.join(' AND ')} ORDER BY r.due, t.id LIMIT ${p.add(page.limit + 1)}`,
      p.values,
    );
    const items = rows.slice(0, page.limit).map(ticketView);
    const last = rows[Math.min(rows.length, page.limit) - 1];
    return {
      items,
      nextCursor: rows.length > page.limit && last ? encodeCursor([iso(last.due), last.id]) : null,
    };
  }

  async setPreferences(actor: Actor, dto: PreferencesDto) {
    if (actor.kind !== 'user' || !actor.id)
      throw new AppError(ErrorCode.FORBIDDEN, 'Only a signed-in person has preferences');
    const [row] = await queryRows(
      this.db,
      `UPDATE users SET locale = coalesce($3, locale), updated_at = now() WHERE tenant_id = $1 AND id = $2 RETURNING locale`,
      [actor.tenantId, actor.id, dto.locale ?? null],
    );
    if (!row) throw AppError.notFound('User');
    return { locale: row.locale };
  }

  async cannedReplies() {
    const rows: Row[] = await this.db.query(
      `SELECT * FROM canned_replies WHERE tenant_id = $1 ORDER BY shortcut LIMIT 500`,
      [this.ctx.tenantId],
    );
    return { items: rows.map(cannedView), nextCursor: null };
  }

  async createCannedReply(dto: CannedReplyDto) {
    const actor = this.ctx.actor;
    const actions = await this.macroActions(dto.actions);
    const row = await this.unique(() =>
      this.db.query(
        `INSERT INTO canned_replies (tenant_id, shortcut, title, body, created_by, actions)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb) RETURNING *`,
        [
          this.ctx.tenantId,
          dto.shortcut,
          dto.title,
          dto.body,
          actor.kind === 'user' ? actor.id : null,
          JSON.stringify(actions ?? {}),
        ],
      ),
    );
    await this.auditLog.record('canned_reply.created', 'canned_reply', row.id, { shortcut: dto.shortcut });
    return cannedView(row);
  }

  async updateCannedReply(id: string, dto: CannedReplyDto) {
    const actions = await this.macroActions(dto.actions);
    const row = await this.unique(() =>
      queryRows(
        this.db,
        `UPDATE canned_replies SET shortcut = $3, title = $4, body = $5, actions = coalesce($6::jsonb, actions),
                updated_at = now()
         WHERE tenant_id = $1 AND id = $2 RETURNING *`,
        [this.ctx.tenantId, id, dto.shortcut, dto.title, dto.body, actions ? JSON.stringify(actions) : null],
      ),
    );
    if (!row) throw AppError.notFound('Canned reply');
    await this.auditLog.record('canned_reply.updated', 'canned_reply', id, { shortcut: dto.shortcut });
    return cannedView(row);
  }

  async deleteCannedReply(id: string) {
    const rows = await queryRows(this.db, `DELETE FROM canned_replies WHERE tenant_id = $1 AND id = $2 RETURNING id`, [
      this.ctx.tenantId,
      id,
    ]);
    if (!rows.length) throw AppError.notFound('Canned reply');
    await this.auditLog.record('canned_reply.deleted', 'canned_reply', id, {});
  }

  /**
   * A macro's actions as stored: only the fields given, tags normalised like ticket tags, and the team and
   * assignee checked to belong to this workspace (VALIDATION_FAILED otherwise, like the validation pipe's errors).
   */
  private async macroActions(dto: MacroActionsDto | undefined): Promise<Record<string, unknown> | undefined> {
    if (!dto) return undefined;
    const invalid = (field: string, problem: string) =>
      new AppError(ErrorCode.VALIDATION_FAILED, `${field}: ${problem}`, { fields: [{ field, problems: [problem] }] });
    const unknown = await this.tickets.unknownRefs({ teamId: dto.teamId, assigneeId: dto.assigneeId });
    if (unknown.includes('teamId')) throw invalid('actions.teamId', 'no such team in this workspace');
    if (unknown.includes('assigneeId')) throw invalid('actions.assigneeId', 'no such active person in this workspace');
    const addTags = normalizeTags(dto.addTags);
    return Object.fromEntries(
      Object.entries({
        status: dto.status,
        priority: dto.priority,
        addTags: addTags.length ? addTags : undefined,
        teamId: dto.teamId,
        assigneeId: dto.assigneeId,
      }).filter(([, v]) => v !== undefined),
    );
  }

  private async unique(write: () => Promise<Row[]>): Promise<Row> {
    try {
      const [row] = await write();
      return row;
    } catch (err) {
      if (pgCode(err) === PG.UNIQUE_VIOLATION)
        throw new AppError(ErrorCode.CONFLICT, 'A canned reply with this shortcut exists', { field: 'shortcut' });
      throw err;
    }
  }
}
