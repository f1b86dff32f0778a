import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import { InjectDataSource } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import { DataSource, EntityManager } from 'typeorm';
import { Env } from '@crewdesk/config';
import { queryRows, TenantContext } from '@crewdesk/db';
import { JobName, QueueName, SlaDueJob, SlaTimerJob } from '@crewdesk/queue';
import { TicketEventBus, TicketEventRecord, TicketsService } from '@crewdesk/tickets';
import { dueWithPauses, parseCalendar, Pause, remainingBusinessMinutes, warningAt } from './calendar';
import { choosePolicy, EscalationStep, raisePriority, SlaMetric, SlaPolicy, targetMinutes } from './policy';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Row = Record<string, any>;

export interface ReconcileResult {
  breached: number;
  warned: number;
  escalated: number;
  started: number;
  rearmed: number;
}

/** What the ticket API shows of each promise. */
export interface SlaTimerView {
  metric: SlaMetric;
  targetMinutes: number;
  dueAt: string | null;
  warnAt: string | null;
  pausedAt: string | null;
  metAt: string | null;
  breachedAt: string | null;
  /** Business minutes left (negative once breached); null once met. */
  businessMinutesLeft: number | null;
  status: string;
  /** Set for a hand-off clock (metrics `handoff_ack`, `handoff_answer`): the escalation it times. */
  escalationId: string | null;
}

const PAUSING = new Set(['pending', 'on_hold']);
const STAFF = new Set(['user', 'api_key']);
/** A per-timer alarm that rings this early (clock skew between worker and database) still counts as due. */
const EARLY_MS = 5;
/** Alarms are per time slot of this length: deadlines in one slot share a job and a statement. */
const SLOT_MS = 25;
/** Timers fired per statement. */
const FIRE_BATCH = 1000;
/** The periodic reconcile re-arms timers due within this window (the start-up one re-arms all). */
const REARM_WINDOW_MS = 10 * 60_000;
/** Escalation ladders, per policy, for this long (policies change rarely; a breach should not wait on a query). */
const LADDER_TTL_MS = 10_000;
/** Policy edits reach other processes within this time. */
const POLICY_TTL_MS = 5_000;

/**
 * The SLA engine. Timers are rows (the truth); BullMQ delayed jobs with deterministic ids are the alarm clock;
 * every alarm re-reads its timer and acts only if it is still active, at the same version, and due. Warnings and
 * breaches are written with their ticket event in one statement, so each happens exactly once. It reacts to
 * ticket events only, and publishes its own (`sla.warning`, `sla.breached`, `sla.escalated`).
 */
@Injectable()
export class SlaService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SlaService.name);
  private unsubscribe?: () => void;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ctx: TenantContext,
    private readonly bus: TicketEventBus,
    private readonly tickets: TicketsService,
    @InjectQueue(QueueName.Sla) private readonly queue: Queue,
    private readonly env: Env,
  ) {}

  onApplicationBootstrap(): void {
    this.unsubscribe = this.bus.subscribe((event) =>
      this.ctx.run(TenantContext.system(event.tenantId), () => this.onEvent(event)),
    );
  }

  onApplicationShutdown(): void {
    this.unsubscribe?.();
  }

  private scaled(minutes: number): number {
    return (minutes * this.env.SLA_MINUTE_MS) / 60_000;
  }

  async onEvent(e: TicketEventRecord): Promise<void> {
    if (e.type.startsWith('sla.')) return;
    const d = e.data as Row;
    if (e.type === 'ticket.escalated') return void (await this.startHandoff(e.ticketId, d));
    if (e.type === 'escalation.acknowledged' || e.type === 'escalation.answered')
      return void (await this.handoffMet(e.ticketId, d.escalationId, e.type === 'escalation.answered'));
    if (e.type === 'ticket.created') return void (await this.start(e.ticketId, ['first_response', 'resolution']));
    if (e.type === 'message.created') {
      const m = d.message ?? {};
      if (m.internal || m.kind === 'internal') return;
      if (STAFF.has(m.authorType)) return void (await this.meet(e.ticketId, ['first_response', 'next_response']));
      if (m.authorType === 'customer' || m.authorType === 'system') {
        // Events carry the ticket's first_response_at after the message (older ones, replayed, may not).
        const carried = (d.ticket as Row | undefined)?.firstResponseAt;
        const [t] =
          carried !== undefined
            ? [{ first_response_at: carried }]
            : await this.db.query(`SELECT first_response_at FROM tickets WHERE tenant_id = $1 AND id = $2`, [
                e.tenantId,
                e.ticketId,
              ]);
        if (t?.first_response_at) await this.start(e.ticketId, ['next_response']);
      }
      return;
    }
    if (e.type === 'ticket.updated' || e.type === 'ticket.assigned') {
      const changes = (d.changes ?? {}) as Record<string, { from: unknown; to: unknown }>;
      if (changes.status) await this.statusChanged(e.ticketId, String(changes.status.from), String(changes.status.to));
      if (changes.priority || changes.tags) await this.recompute(e.ticketId);
    }
  }

  /** Policies per tenant for a few seconds: most tickets are created in workspaces whose policies did not just change. */
  private readonly policyCache = new Map<string, { at: number; policies: SlaPolicy[] }>();

  private async policies(): Promise<SlaPolicy[]> {
    const cached = this.policyCache.get(this.ctx.tenantId);
    if (cached && cached.at > Date.now() - POLICY_TTL_MS) return cached.policies;
    const policies = await this.loadPolicies();
    this.policyCache.set(this.ctx.tenantId, { at: Date.now(), policies });
    return policies;
  }

  /** Drops the cached policies of the tenant in context (after an edit in this process). */
  forgetPolicies(): void {
    this.policyCache.delete(this.ctx.tenantId);
  }

  private async loadPolicies(): Promise<SlaPolicy[]> {
    const rows: Row[] = await this.db.query(
      `SELECT p.*, c.definition AS calendar FROM sla_policies p LEFT JOIN business_calendars c ON c.id = p.calendar_id AND c.tenant_id = p.tenant_id
       WHERE p.tenant_id = $1 AND p.enabled ORDER BY p.position, p.created_at`,
      [this.ctx.tenantId],
    );
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      position: r.position,
      conditions: r.conditions ?? {},
      targets: r.targets ?? {},
      calendar: r.calendar ? parseCalendar(r.calendar) : null,
      escalation: r.escalation ?? [],
      warnAt: r.warn_at,
    }));
  }

  private async facts(ticketId: string, m?: EntityManager): Promise<Row | null> {
    const [t] = await (m ?? this.db).query(
      `SELECT id, priority, channel, tags, status FROM tickets WHERE tenant_id = $1 AND id = $2`,
      [this.ctx.tenantId, ticketId],
    );
    return t ?? null;
  }

  private compute(policy: SlaPolicy | undefined, startedAt: Date, target: number, pauses: Pause[], warned: boolean) {
    const cal = policy?.calendar ?? null;
    const minutes = this.scaled(target);
    const due = dueWithPauses(cal, startedAt, minutes, pauses).dueAt;
    const warn = warned ? null : warningAt(cal, startedAt, minutes, policy?.warnAt ?? 0.75, pauses);
    return { due, warn };
  }

  /** Starts the metrics' timers under the ticket's policy (no policy, no timers). */
  async start(ticketId: string, metrics: SlaMetric[]): Promise<number> {
    const policies = await this.policies();
    if (!policies.length) return 0;
    const t = await this.facts(ticketId);
    if (!t || t.status === 'solved' || t.status === 'closed') return 0;
    const policy = choosePolicy(policies, { priority: t.priority, channel: t.channel, tags: t.tags });
    if (!policy) return 0;
    let started = 0;
    const now = new Date();
    for (const metric of metrics) {
      const target = targetMinutes(policy, t.priority, metric);
      if (target === null) continue;
      const { due, warn } = this.compute(policy, now, target, [], false);
      const [row] = await this.db.query(
        `INSERT INTO sla_timers (tenant_id, ticket_id, policy_id, metric, target_minutes, started_at, due_at, warn_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (ticket_id, metric, (coalesce(escalation_id, '00000000-0000-0000-0000-000000000000'))) WHERE status = 'active'
         DO NOTHING RETURNING *`,
        [this.ctx.tenantId, ticketId, policy.id, metric, target, now, due, warn],
      );
      if (row) {
        started++;
        await this.arm([row]);
      }
    }
    return started;
  }

  /**
   * The hand-off clock of an escalation: acknowledge and answer targets in the ticket's business time, nested in
   * the customer's promise (never due after the customer's own next deadline), so support sees when the people
   * brought in are the bottleneck. Runs whether or not the ticket has a policy.
   */
  private async startHandoff(ticketId: string, d: Row): Promise<void> {
    if (!d.escalationId) return;
    const t = await this.facts(ticketId);
    if (!t || t.status === 'solved' || t.status === 'closed') return;
    const policy = choosePolicy(await this.policies(), { priority: t.priority, channel: t.channel, tags: t.tags });
    const [customer] = await this.db.query(
      `SELECT min(due_at) AS due FROM sla_timers WHERE tenant_id = $1 AND ticket_id = $2 AND escalation_id IS NULL AND status = 'active'`,
      [this.ctx.tenantId, ticketId],
    );
    const now = new Date();
    const cap = customer?.due && new Date(customer.due) > now ? new Date(customer.due) : null;
    const rows: Row[] = [];
    for (const [metric, target] of [
      ['handoff_ack', d.ackMinutes],
      ['handoff_answer', d.answerMinutes],
    ] as const) {
      if (typeof target !== 'number' || !(target > 0)) continue;
      const computed = this.compute(policy ?? undefined, now, target, [], false);
      const due = cap && (!computed.due || cap < computed.due) ? cap : computed.due;
      const warn = computed.warn && due && computed.warn < due ? computed.warn : null;
      const [row] = await this.db.query(
        `INSERT INTO sla_timers (tenant_id, ticket_id, policy_id, metric, target_minutes, started_at, due_at, warn_at, escalation_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (ticket_id, metric, (coalesce(escalation_id, '00000000-0000-0000-0000-000000000000'))) WHERE status = 'active' DO NOTHING
         RETURNING *`,
        [this.ctx.tenantId, ticketId, policy?.id ?? null, metric, target, now, due, warn, d.escalationId],
      );
      if (row) rows.push(row);
    }
    await this.arm(rows);
    // An answer that was written before this clock started (events are handled concurrently) still counts.
    const done: Row[] = await this.db.query(
      `SELECT DISTINCT type FROM ticket_events WHERE tenant_id = $1 AND ticket_id = $2
         AND type IN ('escalation.acknowledged', 'escalation.answered') AND data->>'escalationId' = $3`,
      [this.ctx.tenantId, ticketId, d.escalationId],
    );
    for (const e of done) await this.handoffMet(ticketId, d.escalationId, e.type === 'escalation.answered');
  }

  private async handoffMet(ticketId: string, escalationId: string, answered: boolean): Promise<void> {
    await this.db.query(
      `UPDATE sla_timers SET status = 'met', met_at = now(), version = version + 1, updated_at = now()
       WHERE tenant_id = $1 AND ticket_id = $2 AND escalation_id = $3 AND metric = ANY($4::text[]) AND status = 'active'`,
      [this.ctx.tenantId, ticketId, escalationId, answered ? ['handoff_ack', 'handoff_answer'] : ['handoff_ack']],
    );
  }

  async meet(ticketId: string, metrics: SlaMetric[]): Promise<void> {
    await this.db.query(
      `UPDATE sla_timers SET status = 'met', met_at = now(), version = version + 1, updated_at = now()
       WHERE tenant_id = $1 AND ticket_id = $2 AND metric = ANY($3::text[]) AND status = 'active'`,
      [this.ctx.tenantId, ticketId, metrics],
    );
  }

  private async statusChanged(ticketId: string, from: string, to: string): Promise<void> {
    if (to === 'solved' || to === 'closed') {
      await this.meet(ticketId, ['resolution']);
      await this.db.query(
        `UPDATE sla_timers SET status = 'cancelled', version = version + 1, updated_at = now() WHERE tenant_id = $1 AND ticket_id = $2 AND status = 'active'`,
        [this.ctx.tenantId, ticketId],
      );
      return;
    }
    if (from === 'solved' && to === 'open') {
      await this.start(ticketId, ['resolution']);
      return;
    }
    if (PAUSING.has(to) && !PAUSING.has(from)) {
      await this.db.query(
        `UPDATE sla_timers SET paused_at = now(), pauses = pauses || jsonb_build_array(jsonb_build_object('from', now(), 'to', NULL)),
           due_at = NULL, warn_at = NULL, version = version + 1, updated_at = now()
         WHERE tenant_id = $1 AND ticket_id = $2 AND status = 'active' AND paused_at IS NULL AND breached_at IS NULL AND escalation_id IS NULL`,
        [this.ctx.tenantId, ticketId],
      );
      return;
    }
    if (PAUSING.has(from) && !PAUSING.has(to)) await this.recompute(ticketId, true);
  }

  /** After a pause, a priority or a tag change: new targets and due times, a new version, new alarms. */
  private async recompute(ticketId: string, resume = false): Promise<void> {
    const t = await this.facts(ticketId);
    if (!t) return;
    const policy = choosePolicy(await this.policies(), { priority: t.priority, channel: t.channel, tags: t.tags });
    const timers: Row[] = await this.db.query(
      `SELECT * FROM sla_timers WHERE tenant_id = $1 AND ticket_id = $2 AND status = 'active' AND escalation_id IS NULL`,
      [this.ctx.tenantId, ticketId],
    );
    for (const timer of timers) {
      const pauses: Pause[] = (timer.pauses ?? []).map((p: Row) => ({
        from: new Date(p.from),
        to: p.to ? new Date(p.to) : resume ? new Date() : null,
      }));
      const target = policy ? targetMinutes(policy, t.priority, timer.metric) : null;
      if (target === null) {
        await this.db.query(`UPDATE sla_timers SET status = 'cancelled', version = version + 1 WHERE id = $1`, [
          timer.id,
        ]);
        continue;
      }
      if (timer.breached_at) continue; // a breach stays a breach
      const { due, warn } = this.compute(policy!, new Date(timer.started_at), target, pauses, !!timer.warned_at);
      const [row] = await queryRows(
        this.db,
        `UPDATE sla_timers SET policy_id = $2, target_minutes = $3, due_at = $4, warn_at = $5, paused_at = NULL, pauses = $6,
           version = version + 1, updated_at = now() WHERE id = $1 AND status = 'active' RETURNING *`,
        [timer.id, policy!.id, target, due, warn, JSON.stringify(pauses.map((p) => ({ from: p.from, to: p.to })))],
      );
      if (row) await this.arm([row]);
    }
  }

  /**
   * Sets the alarms of timers. Alarms are per time slot, not per timer: every warning and breach due in the same
   * 25 ms slot shares one job (`sla-due-<slot end>`), which fires everything due in one statement. So a burst of
   * deadlines costs a few jobs and statements instead of one each, and Redis holds slots, not timers. Job ids are
   * deterministic (arming twice adds nothing); an alarm only acts on what is due when it rings.
   */
  async arm(timers: Row[]): Promise<void> {
    const now = Date.now();
    const slots = new Set<number>();
    const near: { t: Row; slot: number }[] = [];
    for (const t of timers) {
      for (const at of [
        t.warn_at && !t.warned_at && !t.breached_at ? t.warn_at : null,
        !t.breached_at ? t.due_at : null,
      ]) {
        if (!at) continue;
        const slot = Math.ceil(new Date(at).getTime() / SLOT_MS) * SLOT_MS;
        if (slot <= now + SLOT_MS) near.push({ t, slot });
        else slots.add(slot);
      }
    }
    const jobs = this.slotJobs([...slots], now);
    // Due now or in the next slot: a job of its own, so a slot job that rang a moment ago cannot swallow it.
    for (const { t, slot } of near)
      jobs.push({
        name: JobName.SlaDue,
        data: { slot },
        opts: { jobId: `sla-due-${t.id}-${t.version}-${slot}`, delay: Math.max(0, slot - now) },
      });
    for (let i = 0; i < jobs.length; i += 5000) await this.queue.addBulk(jobs.slice(i, i + 5000));
  }

  private slotJobs(slots: number[], now: number) {
    return slots.map((slot) => ({
      name: JobName.SlaDue,
      data: { slot } as SlaDueJob,
      opts: { jobId: `sla-due-${slot}`, delay: Math.max(0, slot - now) },
    }));
  }

  private async armSlots(slots: number[]): Promise<void> {
    const jobs = this.slotJobs(slots, Date.now());
    for (let i = 0; i < jobs.length; i += 5000) await this.queue.addBulk(jobs.slice(i, i + 5000));
  }

  /**
   * An alarm rang: records every warning and breach due by now, across tenants, in batches of one statement each
   * (the timer update and its ticket event together, so each is recorded exactly once however many alarms ring).
   * `slot` is the time the alarm was set for (BullMQ rings it no earlier, by the application's clock): everything
   * due by then is due, even when the database's clock runs a little behind; nothing fires before its time.
   */
  async fireDue(slot = 0): Promise<{ warned: number; breached: number }> {
    let warned = 0;
    let breached = 0;
    // Warnings first: a warning due with its breach is still recorded, before it.
    for (const kind of ['warning', 'breach'] as const) {
      for (;;) {
        const rows = await this.fireBatch(kind, slot);
        if (kind === 'breach') breached += rows.length;
        else warned += rows.length;
        if (rows.length < FIRE_BATCH) break;
      }
    }
    return { warned, breached };
  }

  private async fireBatch(kind: 'warning' | 'breach', slot: number): Promise<Row[]> {
    const stamp = kind === 'breach' ? 'breached_at' : 'warned_at';
    const due = kind === 'breach' ? 'due_at' : 'warn_at';
    const type = kind === 'breach' ? 'sla.breached' : 'sla.warning';
    const rows: Row[] = await this.db.query(
      `WITH c AS (
         SELECT id FROM sla_timers
         WHERE status = 'active' AND ${stamp} IS NULL ${kind === 'warning' ? 'AND breached_at IS NULL' : ''}
           AND ${due} <= greatest(now(), to_timestamp($1::float8 / 1000))
         ORDER BY ${due} LIMIT $2 FOR UPDATE SKIP LOCKED),
       t AS (
         UPDATE sla_timers s SET ${stamp} = now(), updated_at = now() FROM c WHERE s.id = c.id RETURNING s.*),
       e AS (
         INSERT INTO ticket_events (tenant_id, ticket_id, type, actor_type, actor_id, visibility, data)
         SELECT tenant_id, ticket_id, $3, 'system', NULL, 'internal',
                jsonb_build_object('timerId', id, 'metric', metric, 'targetMinutes', target_minutes, 'dueAt', due_at, 'policyId', policy_id)
                  || CASE WHEN escalation_id IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('escalationId', escalation_id) END
         FROM t RETURNING id, created_at, data, ticket_id, tenant_id)
       SELECT e.id AS event_id, e.created_at AS event_created_at, e.data AS event_data, e.ticket_id, e.tenant_id,
              tk.team_id, tk.assignee_id, tk.requester_id, tk.shared_with, t.id AS timer_id, t.policy_id, t.breached_at, t.version
       FROM e JOIN t ON t.id = (e.data->>'timerId')::uuid JOIN tickets tk ON tk.id = e.ticket_id
       ORDER BY e.id`,
      [slot, FIRE_BATCH, type],
    );
    if (!rows.length) return rows;
    this.bus.publish(rows.map((r) => this.record(r.tenant_id, r, type)));
    if (kind === 'breach')
      for (const r of rows)
        if (r.policy_id)
          await this.armEscalation({ tenantId: r.tenant_id, timerId: r.timer_id, version: r.version }, r);
    return rows;
  }

  /**
   * An alarm rang: act only if the timer is still active, at that version, and due; the timer update and the
   * ticket event are one statement, so a warning or a breach is recorded exactly once however often alarms ring.
   */
  async fire(job: SlaTimerJob, kind: 'warning' | 'breach'): Promise<boolean> {
    const stamp = kind === 'breach' ? 'breached_at' : 'warned_at';
    const due = kind === 'breach' ? 'due_at' : 'warn_at';
    const [row] = await this.db.query(
      `WITH t AS (
         UPDATE sla_timers SET ${stamp} = now(), updated_at = now()
         WHERE tenant_id = $1 AND id = $2 AND version = $3 AND status = 'active' AND ${stamp} IS NULL
           ${kind === 'warning' ? 'AND breached_at IS NULL' : ''} AND ${due} <= now() + make_interval(secs => $4)
         RETURNING *),
       e AS (
         INSERT INTO ticket_events (tenant_id, ticket_id, type, actor_type, actor_id, visibility, data)
         SELECT tenant_id, ticket_id, $5, 'system', NULL, 'internal',
                jsonb_build_object('timerId', id, 'metric', metric, 'targetMinutes', target_minutes, 'dueAt', due_at, 'policyId', policy_id)
                  || CASE WHEN escalation_id IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('escalationId', escalation_id) END
         FROM t RETURNING id, created_at, data, ticket_id)
       SELECT e.id AS event_id, e.created_at AS event_created_at, e.data AS event_data, e.ticket_id,
              tk.team_id, tk.assignee_id, tk.requester_id, tk.shared_with, t.policy_id, t.breached_at, t.version
       FROM e JOIN t ON true JOIN tickets tk ON tk.id = e.ticket_id`,
      [job.tenantId, job.timerId, job.version, EARLY_MS / 1000, kind === 'breach' ? 'sla.breached' : 'sla.warning'],
    );
    if (!row) return this.rearmIfEarly(job, kind);
    this.bus.publish([this.record(job.tenantId, row, kind === 'breach' ? 'sla.breached' : 'sla.warning')]);
    if (kind === 'breach') await this.armEscalation(job, row);
    return true;
  }

  /** An alarm that rang before its time (clock skew) sets itself again. */
  private async rearmIfEarly(job: SlaTimerJob, kind: 'warning' | 'breach'): Promise<boolean> {
    const [t] = await this.db.query(
      `SELECT * FROM sla_timers WHERE tenant_id = $1 AND id = $2 AND version = $3 AND status = 'active'`,
      [job.tenantId, job.timerId, job.version],
    );
    const at = t && (kind === 'breach' ? !t.breached_at && t.due_at : !t.warned_at && t.warn_at);
    if (at && new Date(at).getTime() > Date.now()) {
      await this.queue.add(kind === 'breach' ? JobName.SlaBreach : JobName.SlaWarn, job, {
        jobId: `sla-${kind === 'breach' ? 'breach' : 'warn'}-${job.timerId}-${job.version}-late`,
        delay: new Date(at).getTime() - Date.now(),
      });
    }
    return false;
  }

  private readonly ladders = new Map<string, { at: number; steps: EscalationStep[] }>();

  private async ladder(policyId: string | null): Promise<EscalationStep[]> {
    if (!policyId) return [];
    const cached = this.ladders.get(policyId);
    if (cached && cached.at > Date.now() - LADDER_TTL_MS) return cached.steps;
    const [p] = await this.db.query(`SELECT escalation FROM sla_policies WHERE id = $1`, [policyId]);
    const steps = (p?.escalation ?? []) as EscalationStep[];
    this.ladders.set(policyId, { at: Date.now(), steps });
    return steps;
  }

  private async armEscalation(job: SlaTimerJob, row: Row): Promise<void> {
    const steps = await this.ladder(row.policy_id);
    if (!steps.length) return;
    const breachedAt = new Date(row.breached_at).getTime();
    await this.queue.addBulk(
      steps.map((s, i) => ({
        name: JobName.SlaEscalate,
        data: { ...job, step: i + 1 },
        opts: {
          jobId: `sla-esc-${job.timerId}-${i + 1}-${job.version}`,
          delay: Math.max(0, breachedAt + this.scaled(s.afterMinutes) * 60_000 - Date.now()),
        },
      })),
    );
  }

  /** One rung of the ladder, exactly once: the step counter and the event move together. */
  async escalate(job: SlaTimerJob): Promise<boolean> {
    const step = job.step ?? 1;
    const [timer] = await this.db.query(`SELECT * FROM sla_timers WHERE tenant_id = $1 AND id = $2`, [
      job.tenantId,
      job.timerId,
    ]);
    if (!timer) return false;
    const ladder = await this.ladder(timer.policy_id);
    const rung = ladder[step - 1];
    if (!rung) return false;
    const notify = await this.recipients(timer.ticket_id, rung);
    const [row] = await this.db.query(
      `WITH t AS (
         UPDATE sla_timers SET escalation_step = $4, updated_at = now()
         WHERE tenant_id = $1 AND id = $2 AND version = $3 AND status = 'active' AND breached_at IS NOT NULL AND escalation_step = $4 - 1
         RETURNING *),
       e AS (
         INSERT INTO ticket_events (tenant_id, ticket_id, type, actor_type, actor_id, visibility, data)
         SELECT tenant_id, ticket_id, 'sla.escalated', 'system', NULL, 'internal',
                jsonb_build_object('timerId', id, 'metric', metric, 'step', $4::int, 'action', $5::text, 'role', $6::text, 'notify', $7::jsonb)
         FROM t RETURNING id, created_at, data, ticket_id)
       SELECT e.id AS event_id, e.created_at AS event_created_at, e.data AS event_data, e.ticket_id, tk.team_id, tk.assignee_id, tk.requester_id
       FROM e JOIN tickets tk ON tk.id = e.ticket_id`,
      [job.tenantId, job.timerId, job.version, step, rung.action, rung.role ?? null, JSON.stringify(notify)],
    );
    if (!row) {
      // A rung whose alarm rang before the previous rung was written: retry it (the queue backs off).
      if (
        timer.status === 'active' &&
        timer.breached_at &&
        timer.version === job.version &&
        timer.escalation_step < step - 1
      ) {
        throw new Error(`escalation step ${step} waits for step ${step - 1}`);
      }
      return false;
    }
    this.bus.publish([this.record(job.tenantId, row, 'sla.escalated')]);
    if (rung.action === 'raise_priority') {
      await this.ctx.run(TenantContext.system(job.tenantId), async () => {
        const ticket = await this.tickets.get({ id: timer.ticket_id });
        const priority = raisePriority(ticket.priority) as typeof ticket.priority &
          ('low' | 'normal' | 'high' | 'urgent');
        if (priority !== ticket.priority)
          await this.tickets.update(ticket.id, { version: ticket.version, priority }).catch(() => undefined);
      });
    }
    return true;
  }

  /** Who a rung tells: the assignee, the team's leads, or everyone of a role. */
  private async recipients(ticketId: string, rung: EscalationStep): Promise<string[]> {
    const rows: Row[] =
      rung.action === 'notify_assignee'
        ? await this.db.query(`SELECT assignee_id AS id FROM tickets WHERE id = $1 AND assignee_id IS NOT NULL`, [
            ticketId,
          ])
        : rung.action === 'notify_team_lead'
          ? await this.db.query(
              `SELECT m.user_id AS id FROM tickets tk JOIN team_members m ON m.team_id = tk.team_id AND m.is_lead WHERE tk.id = $1`,
              [ticketId],
            )
          : rung.action === 'notify_role' && rung.role
            ? await this.db.query(
                `SELECT ur.user_id AS id FROM tickets tk JOIN roles r ON r.tenant_id = tk.tenant_id AND r.name = $2 JOIN user_roles ur ON ur.role_id = r.id WHERE tk.id = $1`,
                [ticketId, rung.role],
              )
            : [];
    return [...new Set(rows.map((r) => r.id as string))];
  }

  private record(tenantId: string, row: Row, type: string): TicketEventRecord {
    return {
      id: String(row.event_id),
      tenantId,
      ticketId: row.ticket_id,
      type,
      visibility: 'internal',
      actorType: 'system',
      actorId: null,
      data: row.event_data,
      createdAt: new Date(row.event_created_at).toISOString(),
      route: {
        teamId: row.team_id,
        assigneeId: row.assignee_id,
        requesterId: row.requester_id,
        sharedWith: row.shared_with ?? [],
      },
    };
  }

  /**
   * Catches up from PostgreSQL alone: fires every due warning, breach and escalation step that no alarm fired,
   * starts timers for tickets whose creation was never seen, and re-arms the alarms of the rest (a wiped Redis).
   */
  async reconcile(opts: { rearmAll?: boolean } = {}): Promise<ReconcileResult> {
    const out: ReconcileResult = { breached: 0, warned: 0, escalated: 0, started: 0, rearmed: 0 };
    if (this.reconciling) return out; // a pass is still running: never two at once in a process
    this.reconciling = true;
    try {
      return await this.reconcilePass(out, opts.rearmAll ?? false);
    } finally {
      this.reconciling = false;
    }
  }

  private reconciling = false;

  private async reconcilePass(out: ReconcileResult, rearmAll: boolean): Promise<ReconcileResult> {
    // Everything due that no alarm fired (set-based, skipping rows a ringing alarm holds).
    const fired = await this.fireDue();
    out.breached += fired.breached;
    out.warned += fired.warned;
    const breached: Row[] = await this.db.query(
      `SELECT t.id, t.tenant_id, t.version, t.escalation_step, t.breached_at, p.escalation
       FROM sla_timers t JOIN sla_policies p ON p.id = t.policy_id
       WHERE t.status = 'active' AND t.breached_at IS NOT NULL AND jsonb_array_length(p.escalation) > t.escalation_step LIMIT 5000`,
    );
    for (const t of breached) {
      const next = (t.escalation as EscalationStep[])[t.escalation_step];
      if (new Date(t.breached_at).getTime() + this.scaled(next.afterMinutes) * 60_000 <= Date.now()) {
        await this.ctx.run(TenantContext.system(t.tenant_id), async () => {
          if (
            await this.escalate({
              tenantId: t.tenant_id,
              timerId: t.id,
              version: t.version,
              step: t.escalation_step + 1,
            })
          )
            out.escalated++;
        });
      }
    }
    const orphans: Row[] = await this.db.query(
      `SELECT t.id, t.tenant_id FROM tickets t
       WHERE t.created_at > now() - interval '7 days' AND t.created_at < now() - interval '10 seconds' AND t.status NOT IN ('solved', 'closed')
         AND NOT EXISTS (SELECT 1 FROM sla_timers s WHERE s.ticket_id = t.id)
         AND EXISTS (SELECT 1 FROM sla_policies p WHERE p.tenant_id = t.tenant_id AND p.enabled)
       LIMIT 1000`,
    );
    for (const o of orphans) {
      out.started += await this.ctx.run(TenantContext.system(o.tenant_id), () =>
        this.start(o.id, ['first_response', 'resolution']),
      );
    }
    // Re-arm: everything at start-up (Redis may have been wiped), then only what falls due within the next window.
    // Alarms are per slot, so this is the distinct slots of future warnings and deadlines, computed in SQL and paged
    // by slot; arming a slot that has its job already adds nothing.
    const [{ now }] = await this.db.query(`SELECT now() AS now`);
    const until = rearmAll ? null : new Date(new Date(now).getTime() + REARM_WINDOW_MS);
    let after = 0;
    for (;;) {
      const slots: Row[] = await this.db.query(
        `SELECT slot, count(*)::int AS timers FROM (
           SELECT (ceil(extract(epoch FROM at) * 1000 / $4) * $4)::bigint AS slot FROM (
             SELECT due_at AS at FROM sla_timers WHERE status = 'active' AND breached_at IS NULL AND due_at > $1
               AND ($2::timestamptz IS NULL OR due_at <= $2)
             UNION ALL
             SELECT warn_at FROM sla_timers WHERE status = 'active' AND warned_at IS NULL AND breached_at IS NULL AND warn_at > $1
               AND ($2::timestamptz IS NULL OR warn_at <= $2)) x) y
         WHERE slot > $3 GROUP BY slot ORDER BY slot LIMIT 20000`,
        [now, until, after, SLOT_MS],
      );
      await this.armSlots(slots.map((r) => Number(r.slot)));
      out.rearmed += slots.reduce((n, r) => n + r.timers, 0);
      if (slots.length < 20_000) break;
      after = Number(slots[slots.length - 1].slot);
    }
    return out;
  }

  /** The ticket's promises, for the ticket API. */
  async timersFor(ticketId: string): Promise<SlaTimerView[]> {
    const rows: Row[] = await this.db.query(
      `SELECT t.*, c.definition AS calendar FROM sla_timers t
       LEFT JOIN sla_policies p ON p.id = t.policy_id LEFT JOIN business_calendars c ON c.id = p.calendar_id
       WHERE t.tenant_id = $1 AND t.ticket_id = $2 AND t.status <> 'cancelled' ORDER BY t.created_at`,
      [this.ctx.tenantId, ticketId],
    );
    const now = new Date();
    const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);
    return rows.map((r) => {
      const pauses: Pause[] = (r.pauses ?? []).map((p: Row) => ({
        from: new Date(p.from),
        to: p.to ? new Date(p.to) : null,
      }));
      const cal = r.calendar ? parseCalendar(r.calendar) : null;
      const left =
        r.status === 'active'
          ? remainingBusinessMinutes(cal, new Date(r.started_at), this.scaled(r.target_minutes), pauses, now) /
            (this.env.SLA_MINUTE_MS / 60_000)
          : null;
      return {
        metric: r.metric,
        targetMinutes: r.target_minutes,
        dueAt: iso(r.due_at),
        warnAt: iso(r.warn_at),
        pausedAt: iso(r.paused_at),
        metAt: iso(r.met_at),
        breachedAt: iso(r.breached_at),
        businessMinutesLeft: left === null ? null : Math.round(left * 10) / 10,
        status: r.status,
        escalationId: r.escalation_id ?? null,
      };
    });
  }
}
