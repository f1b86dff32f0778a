import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppError, BusinessCalendar, ErrorCode, parseCalendar } from '@crewdesk/common';
import { TenantContext, TicketPriority } from '@crewdesk/db';
import { normalizeTags, TicketsService } from '@crewdesk/tickets';
import { Candidate, choose, Strategy } from './assignment';
import { PRESENCE_READER, PresenceReader } from './presence';
import { checkRule, firstMatch, RoutingFacts, RoutingRule, RuleCheck } from './rules';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Row = Record<string, any>;

/** Rule edits reach other processes within this time. */
const RULES_TTL_MS = 5_000;
const RETRIES = 5;
/** Assignments in flight per process (each holds a connection while it waits for its team's lock). */
const ASSIGN_CONCURRENCY = 3;

/** At most `size` tasks at once; the rest wait their turn in order. */
class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly size: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

export interface DryRunResult {
  matched: { id: string; name: string; position: number } | null;
  checks: RuleCheck[];
  actions: RoutingRule['actions'] | null;
  /** Every enabled rule in order with whether it held, so an admin sees why earlier ones did not. */
  evaluated: Array<{ id: string; name: string; matched: boolean; checks: RuleCheck[] }>;
}

export interface RouteOutcome {
  ruleId: string | null;
  assigneeId: string | null;
}

const isConflict = (err: unknown) => err instanceof AppError && err.code === ErrorCode.VERSION_CONFLICT;

/**
 * Finds each new ticket its people: the first matching routing rule sets team, priority, tags and followers,
 * then the team's strategy (or the rule's role, skill or person) picks an assignee among those online and under
 * capacity. Runs after the ticket committed; `routed_at` marks it done, and a sweep routes what a crash left.
 */
@Injectable()
export class RoutingService {
  private readonly logger = new Logger(RoutingService.name);
  private readonly cache = new Map<
    string,
    { at: number; rules: RoutingRule[]; calendars: Map<string, BusinessCalendar> }
  >();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ctx: TenantContext,
    private readonly tickets: TicketsService,
    @Inject(PRESENCE_READER) private readonly presence: PresenceReader,
  ) {
    tickets.setRoutingCheck((teamId) => this.nothingToDecide(teamId));
  }

  forgetRules(): void {
    this.cache.delete(this.ctx.tenantId);
  }

  /**
   * True when a new ticket of this team (none) in the tenant in context has nothing to route: no team and no
   * enabled rule in fresh cached rules. Synchronous, no query: without fresh rules it says false (route() decides).
   */
  nothingToDecide(teamId: string | null): boolean {
    if (teamId) return false;
    const hit = this.cache.get(this.ctx.tenantId);
    return !!hit && hit.at > Date.now() - RULES_TTL_MS && hit.rules.every((r) => !r.enabled);
  }

  private async rules(): Promise<{ rules: RoutingRule[]; calendars: Map<string, BusinessCalendar> }> {
    const hit = this.cache.get(this.ctx.tenantId);
    if (hit && hit.at > Date.now() - RULES_TTL_MS) return hit;
    const rows: Row[] = await this.db.query(
      `SELECT id, name, position, enabled, conditions, actions FROM routing_rules WHERE tenant_id = $1 ORDER BY position, created_at`,
      [this.ctx.tenantId],
    );
    const ids = [...new Set(rows.map((r) => r.conditions?.calendarId).filter(Boolean))];
    const calendars = new Map<string, BusinessCalendar>();
    if (ids.length) {
      const cals: Row[] = await this.db.query(
        `SELECT id, definition FROM business_calendars WHERE tenant_id = $1 AND id = ANY($2::uuid[])`,
        [this.ctx.tenantId, ids],
      );
      for (const c of cals) calendars.set(c.id, parseCalendar(c.definition));
    }
    const entry = { at: Date.now(), rules: rows as RoutingRule[], calendars };
    this.cache.set(this.ctx.tenantId, entry);
    return entry;
  }

  /** Which rule would match this ticket, and why each condition held or not. Changes nothing. */
  async dryRun(facts: RoutingFacts): Promise<DryRunResult> {
    const { rules, calendars } = await this.rules();
    const evaluated: DryRunResult['evaluated'] = [];
    let match: { rule: RoutingRule; checks: RuleCheck[] } | null = null;
    for (const rule of rules.filter((r) => r.enabled)) {
      const cal = rule.conditions.calendarId ? calendars.get(rule.conditions.calendarId) : null;
      const checks = checkRule(rule.conditions, facts, cal);
      const matched = checks.every((c) => c.matched);
      evaluated.push({ id: rule.id, name: rule.name, matched, checks });
      if (matched && !match) match = { rule, checks };
    }
    return {
      matched: match ? { id: match.rule.id, name: match.rule.name, position: match.rule.position } : null,
      checks: match?.checks ?? [],
      actions: match?.rule.actions ?? null,
      evaluated,
    };
  }

  private async facts(ticketId: string): Promise<(RoutingFacts & { ticket: Row }) | null> {
    const [t] = await this.db.query(
      `SELECT t.id, t.channel, t.subject, t.tags, t.team_id, t.assignee_id, t.priority, t.version, t.status, t.routed_at, t.created_at,
              c.tier, c.organisation,
              (SELECT m.body_text FROM messages m WHERE m.tenant_id = t.tenant_id AND m.ticket_id = t.id ORDER BY m.created_at, m.id LIMIT 1) AS body
       FROM tickets t LEFT JOIN customers c ON c.id = t.requester_id AND c.tenant_id = t.tenant_id
       WHERE t.tenant_id = $1 AND t.id = $2`,
      [this.ctx.tenantId, ticketId],
    );
    if (!t) return null;
    return {
      ticket: t,
      channel: t.channel,
      subject: t.subject,
      body: t.body ?? '',
      tags: t.tags ?? [],
      customerTier: t.tier,
      customerOrganisation: t.organisation,
      at: new Date(t.created_at),
    };
  }

  /** Routes a new ticket once: rules, then assignment. Safe to call again (a routed ticket is left alone). */
  async route(
    ticketId: string,
    hint?: { teamId?: string | null; assigneeId?: string | null },
  ): Promise<RouteOutcome | null> {
    // The common case in workspaces without rules: nothing to decide, one statement to mark it routed.
    if (hint && !hint.teamId && (await this.rules()).rules.every((r) => !r.enabled)) {
      await this.markRouted(ticketId);
      return { ruleId: null, assigneeId: hint.assigneeId ?? null };
    }
    const f = await this.facts(ticketId);
    if (!f || f.ticket.routed_at) return null;
    const { rules, calendars } = await this.rules();
    const match = firstMatch(rules, f, calendars);
    const a = match?.rule.actions ?? {};
    let assigneeId: string | null = f.ticket.assignee_id;
    if (match) {
      const changes: { teamId?: string; priority?: TicketPriority; tags?: string[] } = {};
      if (a.teamId && a.teamId !== f.ticket.team_id) changes.teamId = a.teamId;
      if (a.priority && a.priority !== f.ticket.priority) changes.priority = a.priority;
      if (a.addTags?.length) changes.tags = normalizeTags([...(f.ticket.tags ?? []), ...a.addTags]);
      if (Object.keys(changes).length) await this.change(ticketId, changes);
      await this.tickets.recordEvent(ticketId, 'ticket.routed', {
        ruleId: match.rule.id,
        ruleName: match.rule.name,
        checks: match.checks,
        actions: a,
      });
      if (a.followerIds?.length) await this.follow(ticketId, a.followerIds);
    }
    if (!assigneeId) {
      const teamId = a.teamId ?? f.ticket.team_id;
      if (a.assignTo?.type === 'user') {
        assigneeId = (await this.assignTo(ticketId, a.assignTo.value)) ? a.assignTo.value : null;
      } else if (a.assignTo?.type === 'role' || a.assignTo?.type === 'skill') {
        assigneeId = await this.assign(ticketId, { teamId, by: { type: a.assignTo.type, value: a.assignTo.value } });
      } else if (teamId) {
        assigneeId = await this.assign(ticketId, { teamId });
      }
    }
    await this.markRouted(ticketId);
    return { ruleId: match?.rule.id ?? null, assigneeId };
  }

  /**
   * Tickets waiting for their `routed_at`, per tenant. Group commit: while one UPDATE runs, the tickets routed
   * meanwhile wait for the next, which marks them all at once (one statement instead of one per ticket under
   * load, the same single statement when idle). Each caller still resolves only once its own ticket is marked.
   */
  private readonly toMark = new Map<
    string,
    { ids: string[]; waiters: Array<{ ok: () => void; fail: (e: unknown) => void }> }
  >();
  private readonly marking = new Set<string>();

  private markRouted(ticketId: string): Promise<void> {
    const tenantId = this.ctx.tenantId;
    return new Promise<void>((ok, fail) => {
      let batch = this.toMark.get(tenantId);
      if (!batch) this.toMark.set(tenantId, (batch = { ids: [], waiters: [] }));
      batch.ids.push(ticketId);
      batch.waiters.push({ ok, fail });
      if (!this.marking.has(tenantId)) void this.flushRouted(tenantId);
    });
  }

  private async flushRouted(tenantId: string): Promise<void> {
    this.marking.add(tenantId);
    try {
      for (let batch = this.toMark.get(tenantId); batch; batch = this.toMark.get(tenantId)) {
        this.toMark.delete(tenantId);
        try {
          await this.db.query(
            `UPDATE tickets SET routed_at = now() WHERE tenant_id = $1 AND id = ANY($2::uuid[]) AND routed_at IS NULL`,
            [tenantId, batch.ids],
          );
          for (const w of batch.waiters) w.ok();
        } catch (err) {
          for (const w of batch.waiters) w.fail(err);
        }
      }
    } finally {
      this.marking.delete(tenantId);
    }
  }

  async follow(ticketId: string, userIds: string[]): Promise<void> {
    await this.db.query(
      `INSERT INTO ticket_followers (ticket_id, user_id, tenant_id)
       SELECT $2, u.id, $1 FROM users u WHERE u.tenant_id = $1 AND u.id = ANY($3::uuid[]) AND u.status = 'active'
       ON CONFLICT DO NOTHING`,
      [this.ctx.tenantId, ticketId, userIds],
    );
  }

  /** Applies field changes at the ticket's current version, retrying when someone else wrote first. */
  private async change(ticketId: string, changes: Record<string, unknown>): Promise<void> {
    for (let i = 0; ; i++) {
      const t = await this.tickets.get({ id: ticketId });
      try {
        await this.tickets.update(ticketId, { version: t.version, ...changes });
        return;
      } catch (err) {
        if (!isConflict(err) || i >= RETRIES) throw err;
      }
    }
  }

  /** Assigns to one person if the ticket has no assignee yet; false when someone else got there first. */
  private async assignTo(ticketId: string, userId: string): Promise<boolean> {
    for (let i = 0; ; i++) {
      const t = await this.tickets.get({ id: ticketId });
      if (t.assigneeId) return t.assigneeId === userId;
      try {
        await this.tickets.update(ticketId, { version: t.version, assigneeId: userId });
        return true;
      } catch (err) {
        if (!isConflict(err) || i >= RETRIES) throw err;
      }
    }
  }

  /** The people a team (or, without one, the workspace) could give a ticket to, with their load and presence. */
  async candidates(teamId: string | null, by?: { type: 'role' | 'skill'; value: string }): Promise<Candidate[]> {
    const rows: Row[] = await this.db.query(
      `SELECT u.id, u.capacity, u.skills,
              (SELECT count(*)::int FROM tickets t WHERE t.tenant_id = u.tenant_id AND t.assignee_id = u.id
                 AND t.status IN ('new', 'open', 'pending', 'on_hold')) AS open
       FROM users u
       WHERE u.tenant_id = $1 AND u.status = 'active'
         AND ($2::uuid IS NULL OR EXISTS (SELECT 1 FROM team_members m WHERE m.team_id = $2 AND m.user_id = u.id))
         AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = u.id AND r.name = $3))
         AND ($4::text IS NULL OR $4 = ANY(u.skills))`,
      [this.ctx.tenantId, teamId, by?.type === 'role' ? by.value : null, by?.type === 'skill' ? by.value : null],
    );
    const online = await this.presence.online(this.ctx.tenantId);
    return rows.map((r) => ({
      userId: r.id,
      open: r.open,
      capacity: r.capacity,
      online: online.has(r.id),
      skills: r.skills ?? [],
    }));
  }

  /**
   * Gives an unassigned ticket to the next person by the team's strategy (or among a role's or skill's people).
   * One assignment per team at a time (an advisory lock), so round robin and loads stay exact under concurrency.
   */
  async assign(
    ticketId: string,
    opts: { teamId: string | null; by?: { type: 'role' | 'skill'; value: string }; exclude?: string[] },
  ): Promise<string | null> {
    // An assignment holds one connection for its lock and uses the pool for the rest: a few at a time per
    // process, so a burst of new tickets can never take every connection while waiting on the lock.
    return this.slots.run(() => this.assignLocked(ticketId, opts));
  }

  private readonly slots = new Semaphore(ASSIGN_CONCURRENCY);

  private async assignLocked(
    ticketId: string,
    opts: { teamId: string | null; by?: { type: 'role' | 'skill'; value: string }; exclude?: string[] },
  ): Promise<string | null> {
    const runner = this.db.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      const lockKey = `routing:${this.ctx.tenantId}:${opts.teamId ?? opts.by?.value ?? 'workspace'}`;
      await runner.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [lockKey]);
      const [team] = opts.teamId
        ? await runner.query(`SELECT assignment, last_assigned_user_id FROM teams WHERE tenant_id = $1 AND id = $2`, [
            this.ctx.tenantId,
            opts.teamId,
          ])
        : [null];
      const strategy: Strategy = opts.by ? 'least_loaded' : ((team?.assignment as Strategy) ?? 'manual');
      if (strategy === 'manual') {
        await runner.commitTransaction();
        return null;
      }
      const t = await this.tickets.get({ id: ticketId });
      if (t.assigneeId || t.status === 'solved' || t.status === 'closed') {
        await runner.commitTransaction();
        return null;
      }
      const candidates = (await this.candidates(opts.teamId, opts.by)).filter((c) => !opts.exclude?.includes(c.userId));
      const needed = strategy === 'skill_match' ? neededSkills(t.tags, candidates) : [];
      const pick = choose(strategy, candidates, team?.last_assigned_user_id ?? null, needed);
      if (!pick) {
        await runner.commitTransaction();
        return null;
      }
      await this.tickets.update(ticketId, { version: t.version, assigneeId: pick.userId });
      if (opts.teamId)
        await runner.query(`UPDATE teams SET last_assigned_user_id = $3 WHERE tenant_id = $1 AND id = $2`, [
          this.ctx.tenantId,
          opts.teamId,
          pick.userId,
        ]);
      await runner.commitTransaction();
      return pick.userId;
    } catch (err) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      if (isConflict(err)) return null; // someone changed the ticket meanwhile: they decide
      throw err;
    } finally {
      await runner.release();
    }
  }

  /** Tickets whose routing a crash interrupted (older than `graceSeconds`), across tenants. */
  async unrouted(graceSeconds: number, limit = 500): Promise<Array<{ id: string; tenantId: string }>> {
    const rows: Row[] = await this.db.query(
      `SELECT id, tenant_id FROM tickets WHERE routed_at IS NULL AND created_at < now() - make_interval(secs => $1)
       ORDER BY created_at LIMIT $2`,
      [graceSeconds, limit],
    );
    return rows.map((r) => ({ id: r.id, tenantId: r.tenant_id }));
  }

  /** Teams that reassign tickets of people offline too long, with their open tickets of offline assignees. */
  async offlineAssignments(): Promise<
    Array<{ tenantId: string; teamId: string; ticketId: string; assigneeId: string; minutes: number }>
  > {
    const rows: Row[] = await this.db.query(
      `SELECT tm.tenant_id, tm.id AS team_id, tm.offline_reassign_minutes AS minutes, t.id AS ticket_id, t.assignee_id
       FROM teams tm JOIN tickets t ON t.tenant_id = tm.tenant_id AND t.team_id = tm.id
       WHERE tm.offline_reassign_minutes IS NOT NULL AND t.assignee_id IS NOT NULL AND t.status IN ('new', 'open')
       LIMIT 5000`,
    );
    return rows.map((r) => ({
      tenantId: r.tenant_id,
      teamId: r.team_id,
      ticketId: r.ticket_id,
      assigneeId: r.assignee_id,
      minutes: Number(r.minutes),
    }));
  }

  /** Takes a ticket from an assignee who went offline and gives it to someone online (or back to the queue). */
  async reassignFrom(ticketId: string, teamId: string, from: string): Promise<string | null> {
    const t = await this.tickets.get({ id: ticketId });
    if (t.assigneeId !== from) return null;
    try {
      await this.tickets.update(ticketId, { version: t.version, assigneeId: null });
    } catch (err) {
      if (isConflict(err)) return null;
      throw err;
    }
    await this.tickets.recordEvent(ticketId, 'ticket.reassigned', { from, reason: 'assignee_offline' });
    return this.assign(ticketId, { teamId, exclude: [from] });
  }
}

/** Ticket tags that are someone's skill: what a skill-matched ticket asks of its assignee. */
function neededSkills(tags: string[], candidates: Candidate[]): string[] {
  const known = new Set(candidates.flatMap((c) => c.skills.map((s) => s.toLowerCase())));
  return tags.filter((t) => known.has(t.toLowerCase()));
}
