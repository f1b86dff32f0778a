import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppError, ErrorCode } from '@crewdesk/common';
import { can, queryRows, TenantContext } from '@crewdesk/db';
import { asksOnOpenEscalation, TicketEventRecord, TicketsService } from '@crewdesk/tickets';
import { RoutingService } from './routing.service';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Row = Record<string, any>;

/** Hand-off targets when neither the request nor the target team sets them. */
export const DEFAULT_ACK_MINUTES = 60;
export const DEFAULT_ANSWER_MINUTES = 480;

export interface EscalateCommand {
  target: { type: 'team' | 'role' | 'user'; id?: string; role?: string };
  /** `bring_in` keeps the ticket where it is and grants the people access; `move` hands it over. */
  mode: 'bring_in' | 'move';
  reason: string;
  ackMinutes?: number;
  answerMinutes?: number;
  /** The access it grants ends after this many minutes (never, without). */
  grantMinutes?: number;
}

export interface EscalationView {
  id: string;
  ticketId: string;
  mode: string;
  target: { type: string; teamId: string | null; role: string | null };
  userIds: string[];
  reason: string;
  requestedBy: string | null;
  status: string;
  ackMinutes: number | null;
  answerMinutes: number | null;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  answeredAt: string | null;
  answeredBy: string | null;
  createdAt: string;
  /** The hand-off clock: due times and breaches of acknowledging and answering. */
  handoff: Array<{
    metric: string;
    dueAt: string | null;
    metAt: string | null;
    breachedAt: string | null;
    status: string;
  }>;
}

const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);

function view(r: Row, timers: Row[]): EscalationView {
  return {
    id: r.id,
    ticketId: r.ticket_id,
    mode: r.mode,
    target: { type: r.target_type, teamId: r.team_id, role: r.role },
    userIds: r.user_ids ?? [],
    reason: r.reason,
    requestedBy: r.requested_by,
    status: r.status,
    ackMinutes: r.ack_minutes,
    answerMinutes: r.answer_minutes,
    acknowledgedAt: iso(r.acknowledged_at),
    acknowledgedBy: r.acknowledged_by,
    answeredAt: iso(r.answered_at),
    answeredBy: r.answered_by,
    createdAt: iso(r.created_at)!,
    handoff: timers
      .filter((t) => t.escalation_id === r.id)
      .map((t) => ({
        metric: t.metric,
        dueAt: iso(t.due_at),
        metAt: iso(t.met_at),
        breachedAt: iso(t.breached_at),
        status: t.status,
      })),
  };
}

/**
 * Escalation: bring an engineering or product team, a role or a named person into a ticket (or hand it over),
 * with a reason. The people get access to that ticket alone (a grant, which may expire), a notification, and a
 * hand-off clock the SLA engine runs from the `ticket.escalated` event.
 */
@Injectable()
export class EscalationService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ctx: TenantContext,
    private readonly tickets: TicketsService,
    private readonly routing: RoutingService,
  ) {}

  private async people(cmd: EscalateCommand): Promise<{ userIds: string[]; team: Row | null }> {
    const t = this.ctx.tenantId;
    const { type, id, role } = cmd.target;
    if (type === 'user') {
      if (!id) throw new AppError(ErrorCode.VALIDATION_FAILED, 'target.id is required', { field: 'target.id' });
      const [u] = await this.db.query(`SELECT id FROM users WHERE tenant_id = $1 AND id = $2 AND status = 'active'`, [
        t,
        id,
      ]);
      if (!u) throw AppError.notFound('User', { field: 'target.id' });
      return { userIds: [u.id], team: null };
    }
    if (type === 'team') {
      if (!id) throw new AppError(ErrorCode.VALIDATION_FAILED, 'target.id is required', { field: 'target.id' });
      const [team] = await this.db.query(`SELECT * FROM teams WHERE tenant_id = $1 AND id = $2`, [t, id]);
      if (!team) throw AppError.notFound('Team', { field: 'target.id' });
      const rows: Row[] = await this.db.query(
        `SELECT u.id FROM team_members m JOIN users u ON u.id = m.user_id AND u.status = 'active' WHERE m.tenant_id = $1 AND m.team_id = $2`,
        [t, id],
      );
      return { userIds: rows.map((r) => r.id), team };
    }
    if (!role) throw new AppError(ErrorCode.VALIDATION_FAILED, 'target.role is required', { field: 'target.role' });
    const [r] = await this.db.query(`SELECT id FROM roles WHERE tenant_id = $1 AND name = $2`, [t, role]);
    if (!r) throw AppError.notFound('Role', { field: 'target.role' });
    const rows: Row[] = await this.db.query(
      `SELECT u.id FROM user_roles ur JOIN users u ON u.id = ur.user_id AND u.status = 'active' WHERE ur.tenant_id = $1 AND ur.role_id = $2`,
      [t, r.id],
    );
    return { userIds: rows.map((x) => x.id), team: null };
  }

  async escalate(ticketId: string, cmd: EscalateCommand): Promise<EscalationView> {
    const actor = this.ctx.actor;
    const ticket = await this.tickets.get({ id: ticketId }); // 404 unless the actor may see it
    if (!can(actor, 'ticket.update'))
      throw new AppError(ErrorCode.FORBIDDEN, 'This needs the permission ticket.update', {
        missing: ['ticket.update'],
      });
    if (ticket.status === 'closed') throw new AppError(ErrorCode.TICKET_CLOSED, 'A closed ticket cannot be escalated');
    if (cmd.mode === 'move' && cmd.target.type === 'role')
      throw new AppError(ErrorCode.VALIDATION_FAILED, 'A ticket moves to a team or a person, not to a role', {
        field: 'mode',
      });
    const { userIds: found, team } = await this.people(cmd);
    const userIds = found.filter((u) => u !== actor.id);
    if (!userIds.length)
      throw new AppError(ErrorCode.VALIDATION_FAILED, 'Nobody else is in that team or role to escalate to', {
        field: 'target',
      });
    const ack = cmd.ackMinutes ?? team?.handoff_ack_minutes ?? DEFAULT_ACK_MINUTES;
    const answer = cmd.answerMinutes ?? team?.handoff_answer_minutes ?? DEFAULT_ANSWER_MINUTES;
    // People who will not see the ticket through its team get a grant for this ticket alone.
    const grant = !(cmd.mode === 'move' && cmd.target.type === 'team');
    const t = this.ctx.tenantId;
    const { row, event } = await this.db.transaction(async (m) => {
      const [row] = await m.query(
        `INSERT INTO ticket_escalations (tenant_id, ticket_id, mode, target_type, team_id, role, user_ids, reason, requested_by, ack_minutes, answer_minutes)
         VALUES ($1, $2, $3, $4, $5, $6, $7::uuid[], $8, $9, $10, $11) RETURNING *`,
        [
          t,
          ticketId,
          cmd.mode,
          cmd.target.type,
          cmd.target.type === 'team' ? cmd.target.id : null,
          cmd.target.type === 'role' ? cmd.target.role : null,
          userIds,
          cmd.reason,
          actor.kind === 'user' ? actor.id : null,
          ack,
          answer,
        ],
      );
      if (grant) {
        await m.query(
          `INSERT INTO ticket_grants (ticket_id, user_id, tenant_id, reason, granted_by, expires_at)
           SELECT $2, u, $1, 'escalation', $4, CASE WHEN $5::real IS NULL THEN NULL ELSE now() + make_interval(secs => $5::real * 60) END
           FROM unnest($3::uuid[]) u
           ON CONFLICT (ticket_id, user_id) DO UPDATE SET reason = 'escalation', expires_at =
             CASE WHEN ticket_grants.expires_at IS NULL AND ticket_grants.reason = 'mention' THEN NULL ELSE EXCLUDED.expires_at END`,
          [t, ticketId, userIds, actor.kind === 'user' ? actor.id : null, cmd.grantMinutes ?? null],
        );
        await m.query(
          `UPDATE tickets SET shared_with = ARRAY(SELECT DISTINCT u FROM unnest(shared_with || $3::uuid[]) u) WHERE tenant_id = $1 AND id = $2`,
          [t, ticketId, userIds],
        );
      }
      const event = await this.tickets.recordEvent(
        ticketId,
        'ticket.escalated',
        {
          escalationId: row.id,
          mode: cmd.mode,
          target: { type: cmd.target.type, teamId: row.team_id, role: row.role, name: team?.name ?? null },
          userIds,
          notify: userIds,
          reason: cmd.reason,
          requestedBy: row.requested_by,
          requestedByName: actor.name ?? null,
          ackMinutes: ack,
          answerMinutes: answer,
          grantMinutes: cmd.grantMinutes ?? null,
        },
        'internal',
        m,
      );
      return { row, event };
    });
    this.tickets.publish([event]);
    if (cmd.mode === 'move') {
      const latest = await this.tickets.get({ id: ticketId });
      const change =
        cmd.target.type === 'team' ? { teamId: cmd.target.id!, assigneeId: null } : { assigneeId: userIds[0] };
      await this.tickets.update(ticketId, { version: latest.version, ...change });
      if (cmd.target.type === 'team') await this.routing.assign(ticketId, { teamId: cmd.target.id! });
    }
    return view(row, []);
  }

  async list(ticketId: string): Promise<EscalationView[]> {
    await this.tickets.get({ id: ticketId });
    const rows: Row[] = await this.db.query(
      `SELECT * FROM ticket_escalations WHERE tenant_id = $1 AND ticket_id = $2 ORDER BY created_at`,
      [this.ctx.tenantId, ticketId],
    );
    const timers: Row[] = await this.db.query(
      `SELECT escalation_id, metric, due_at, met_at, breached_at, status FROM sla_timers
       WHERE tenant_id = $1 AND ticket_id = $2 AND escalation_id IS NOT NULL AND status <> 'cancelled' ORDER BY created_at`,
      [this.ctx.tenantId, ticketId],
    );
    return rows.map((r) => view(r, timers));
  }

  /** The escalated person (or one of the team or role) says they have it. */
  async acknowledge(ticketId: string, escalationId: string): Promise<EscalationView> {
    const actor = this.ctx.actor;
    await this.tickets.get({ id: ticketId });
    const [row] = await queryRows(
      this.db,
      `UPDATE ticket_escalations SET status = 'acknowledged', acknowledged_at = now(), acknowledged_by = $4, updated_at = now()
       WHERE tenant_id = $1 AND ticket_id = $2 AND id = $3 AND status = 'open' AND $4 = ANY(user_ids) RETURNING *`,
      [this.ctx.tenantId, ticketId, escalationId, actor.id],
    );
    if (!row) {
      const [existing] = await this.db.query(
        `SELECT * FROM ticket_escalations WHERE tenant_id = $1 AND ticket_id = $2 AND id = $3`,
        [this.ctx.tenantId, ticketId, escalationId],
      );
      if (!existing) throw AppError.notFound('Escalation');
      if (!(existing.user_ids ?? []).includes(actor.id))
        throw new AppError(ErrorCode.FORBIDDEN, 'Only the people it was escalated to can acknowledge it');
      return view(existing, []); // already acknowledged or answered: nothing more to do
    }
    await this.tickets.recordEvent(ticketId, 'escalation.acknowledged', {
      escalationId,
      by: actor.id,
      byName: actor.name ?? null,
      requestedBy: row.requested_by,
    });
    return view(row, []);
  }

  /** A message from one of the escalated people answers their open escalations on that ticket. */
  async answeredBy(event: TicketEventRecord): Promise<number> {
    const m = ((event.data as Row).message ?? {}) as Row;
    if (m.authorType !== 'user' || !m.authorId) return 0;
    const rows = await queryRows(
      this.db,
      `UPDATE ticket_escalations SET status = 'answered', answered_at = now(), answered_by = $3,
         acknowledged_at = coalesce(acknowledged_at, now()), acknowledged_by = coalesce(acknowledged_by, $3), updated_at = now()
       WHERE tenant_id = $1 AND ticket_id = $2 AND ${asksOnOpenEscalation('$3')} RETURNING *`,
      [event.tenantId, event.ticketId, m.authorId],
    );
    for (const row of rows) {
      await this.tickets.recordEvent(event.ticketId, 'escalation.answered', {
        escalationId: row.id,
        by: m.authorId,
        byName: m.authorName ?? null,
        messageId: m.id,
        internal: !!m.internal,
        requestedBy: row.requested_by,
      });
    }
    return rows.length;
  }

  /** Ends grants whose time is up (across tenants): the rows go, the ticket's share list shrinks, one event each. */
  async expireGrants(): Promise<number> {
    const rows = await queryRows(
      this.db,
      `DELETE FROM ticket_grants WHERE ctid IN (SELECT ctid FROM ticket_grants WHERE expires_at <= now() LIMIT 1000)
       RETURNING tenant_id, ticket_id, user_id, reason`,
    );
    for (const g of rows) {
      await this.ctx.run(TenantContext.system(g.tenant_id), async () => {
        await this.db.query(
          `UPDATE tickets SET shared_with = array_remove(shared_with, $3::uuid) WHERE tenant_id = $1 AND id = $2`,
          [g.tenant_id, g.ticket_id, g.user_id],
        );
        await this.tickets.recordEvent(g.ticket_id, 'access.expired', { userId: g.user_id, reason: g.reason });
      });
    }
    return rows.length;
  }

  /** Open escalations that name this person, newest first: the "escalated to me" view. */
  async mine(userId: string): Promise<EscalationView[]> {
    const rows: Row[] = await this.db.query(
      `SELECT * FROM ticket_escalations WHERE tenant_id = $1 AND ${asksOnOpenEscalation('$2')}
       ORDER BY created_at DESC LIMIT 200`,
      [this.ctx.tenantId, userId],
    );
    return rows.map((r) => view(r, []));
  }
}
