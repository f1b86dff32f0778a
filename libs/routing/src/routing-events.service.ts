import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { TurnBatch } from '@crewdesk/common';
import { TenantContext } from '@crewdesk/db';
import { REDIS, RedisKeys } from '@crewdesk/queue';
import { eventFromRow, TicketEventBus, TicketEventRecord } from '@crewdesk/tickets';
import { EscalationService } from './escalation.service';
import { NewNotification, NotificationsService, NotificationType } from './notifications.service';
import { RoutingService } from './routing.service';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Row = Record<string, any>;

/** A handled event's mark lives this long: far longer than the catch-up's look-back. */
const MARK_TTL_SECONDS = 3600;
/** Events the catch-up looks at: committed at least this long ago (the live path had its chance; under load
 * it may take seconds) ... */
const CATCH_UP_GRACE_S = 30;
/** Ids re-read behind the high-water mark (transactions commit out of id order). */
const CATCH_UP_OVERLAP_EVENTS = 1000;
/** Where the first pass starts, behind the newest event. */
const CATCH_UP_START_EVENTS = 50_000;
/** ... and at most this long ago. */
const CATCH_UP_WINDOW_S = 600;

/**
 * The newest event id that already existed a grace ago, from the max(id) sampled at each pass of the catch-up: its
 * scan stops there. Events written since are too new for it anyway, and walking them cost a read of every event of
 * the last half minute on each pass (every 2 s), a growing share of the database's work under load.
 */
export class IdHorizon {
  private readonly samples: Array<{ at: number; max: bigint }> = [];
  private first = true;

  constructor(private readonly graceMs: number) {}

  /**
   * Records max(id) as read at `at` (ms) and returns the bound for this pass: the newest sample at least the grace
   * old, or null while there is none. The first pass is bounded by its own sample (what a crash left is older).
   */
  next(max: bigint, at: number): bigint | null {
    this.samples.push({ at, max });
    while (this.samples.length > 1 && at - this.samples[1].at >= this.graceMs) this.samples.shift();
    if (this.first) {
      this.first = false;
      return max;
    }
    return at - this.samples[0].at >= this.graceMs ? this.samples[0].max : null;
  }
}

/** The event types routing acts on. */
export const ROUTING_EVENT_TYPES = [
  'ticket.created',
  'ticket.updated',
  'ticket.assigned',
  'message.created',
  'ticket.escalated',
  'escalation.acknowledged',
  'escalation.answered',
  'sla.warning',
  'sla.breached',
  'message.review_decided',
];

/**
 * Routing's reactions to ticket events: route new tickets, answer escalations, and notify exactly the people
 * concerned (assignee, mentioned, followers, escalated, tag subscribers). Live from the bus in the process that
 * wrote the event; a worker catch-up handles whatever a crash left (every reaction is idempotent, and each
 * handled event is marked so the catch-up skips it).
 */
@Injectable()
export class RoutingEventsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RoutingEventsService.name);
  private unsubscribe?: () => void;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ctx: TenantContext,
    private readonly bus: TicketEventBus,
    private readonly routing: RoutingService,
    private readonly escalations: EscalationService,
    private readonly notifications: NotificationsService,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  onApplicationBootstrap(): void {
    this.unsubscribe = this.bus.subscribe((event) => this.handle(event));
  }

  onApplicationShutdown(): void {
    this.unsubscribe?.();
  }

  private mark = (id: string) => this.keys.key('routing', 'done', id);
  private lowWater?: bigint;
  private readonly horizon = new IdHorizon(CATCH_UP_GRACE_S * 1000);

  async handle(event: TicketEventRecord): Promise<void> {
    if (!ROUTING_EVENT_TYPES.includes(event.type)) return;
    // An SLA alarm on an unassigned ticket that is no hand-off: nobody to tell, nothing to mark (bursts of breaches).
    if (event.type.startsWith('sla.') && !(event.data as Row).escalationId && !event.route?.assigneeId) return;
    await this.ctx.run(TenantContext.system(event.tenantId), () => this.react(event));
    await this.markHandled(event.id);
  }

  /** The marks of one turn of the event loop go to Redis in one pipeline. */
  private readonly marks = new TurnBatch<string>(async (keys) => {
    const pipeline = this.redis.pipeline();
    for (const key of keys) pipeline.set(key, '1', 'EX', MARK_TTL_SECONDS);
    await pipeline.exec();
  });

  private markHandled(eventId: string): Promise<void> {
    return this.marks.add(this.mark(eventId));
  }

  /** Handles recent events that no process marked as handled (it died after commit). */
  async catchUp(): Promise<number> {
    // Walk event ids (the primary key) with an overlap, so a transaction that committed late is still seen, up to
    // the newest id that existed a grace ago; the first pass starts a window's worth of events back.
    const [{ max }] = await this.db.query(`SELECT coalesce(max(id), 0)::text AS max FROM ticket_events`);
    this.lowWater ??= BigInt(max) - BigInt(CATCH_UP_START_EVENTS);
    const upTo = this.horizon.next(BigInt(max), Date.now());
    if (upTo === null) return 0;
    const from = this.lowWater - BigInt(CATCH_UP_OVERLAP_EVENTS);
    const rows: Row[] = await this.db.query(
      `SELECT e.id, e.tenant_id, e.ticket_id, e.type, e.visibility, e.actor_type, e.actor_id, e.data, e.created_at,
              t.team_id, t.assignee_id, t.requester_id
       FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
       WHERE e.id > $1::bigint AND e.id <= $5::bigint AND e.created_at > now() - make_interval(secs => $2)
         AND e.created_at < now() - make_interval(secs => $3) AND e.type = ANY($4::text[])
         -- SLA alarms with nobody to tell (no assignee, no hand-off) are skipped by handle() too.
         AND NOT (e.type LIKE 'sla.%' AND t.assignee_id IS NULL AND NOT (e.data ? 'escalationId'))
       ORDER BY e.id LIMIT 5000`,
      [from.toString(), CATCH_UP_WINDOW_S, CATCH_UP_GRACE_S, ROUTING_EVENT_TYPES, upTo.toString()],
    );
    if (rows.length) {
      const top = BigInt(rows[rows.length - 1].id);
      if (top > this.lowWater) this.lowWater = top;
    }
    if (!rows.length) return 0;
    const marks = await this.redis.mget(rows.map((r) => this.mark(String(r.id))));
    let handled = 0;
    for (const [i, r] of rows.entries()) {
      if (marks[i] !== null) continue;
      await this.handle(eventFromRow(r));
      handled++;
    }
    if (handled) this.logger.log({ handled }, 'Routing caught up with events a crash left');
    return handled;
  }

  private async react(e: TicketEventRecord): Promise<void> {
    const d = e.data as Row;
    const note = (userIds: Iterable<string>, type: NotificationType, data: Row = {}): NewNotification[] =>
      [...new Set(userIds)]
        .filter((u) => u && !(e.actorType === 'user' && u === e.actorId))
        .map((userId) => ({
          userId,
          type,
          ticketId: e.ticketId,
          dedupeKey: `${e.id}:${type}`,
          data: { eventId: e.id, ...data },
        }));
    const out: NewNotification[] = [];
    switch (e.type) {
      case 'ticket.created': {
        // Stored already routed when there was nothing to decide (RoutingService.nothingToDecide at create).
        if (!e.routed)
          await this.routing.route(e.ticketId, { teamId: d.teamId ?? null, assigneeId: d.assigneeId ?? null });
        out.push(...(await this.tagMatches(e, d.tags ?? [])));
        break;
      }
      case 'ticket.updated':
      case 'ticket.assigned': {
        const changes = (d.changes ?? {}) as Record<string, { from: any; to: any }>;
        if (changes.assigneeId?.to)
          out.push(...note([changes.assigneeId.to], 'assigned', { from: changes.assigneeId.from ?? null }));
        if (changes.tags) {
          const added = ((changes.tags.to ?? []) as string[]).filter((t) => !(changes.tags.from ?? []).includes(t));
          out.push(...(await this.tagMatches(e, added)));
        }
        const followers = await this.followers(e.ticketId);
        if (changes.status) out.push(...note(followers, 'followed_update', { status: changes.status.to }));
        break;
      }
      case 'message.created': {
        const m = (d.message ?? {}) as Row;
        const mentioned: string[] = m.mentions ?? [];
        out.push(...note(mentioned, 'mentioned', { messageId: m.id, excerpt: excerpt(m.body) }));
        const followers = (e.route?.followers ?? (await this.followers(e.ticketId))).filter(
          (u) => !mentioned.includes(u),
        );
        const fromCustomer = m.authorType === 'customer';
        const assignee = e.route?.assigneeId;
        const told = fromCustomer
          ? [...followers, ...(assignee ? [assignee] : [])]
          : followers.filter((u) => !mentioned.includes(u));
        out.push(
          ...note(
            told.filter((u) => !mentioned.includes(u)),
            fromCustomer ? 'new_message' : 'followed_update',
            { messageId: m.id, internal: !!m.internal, excerpt: excerpt(m.body) },
          ),
        );
        if (m.reviewState === 'pending') {
          // A held reply: its agent (or, without one, whoever escalated to the expert) decides.
          const [esc] = await this.db.query(
            `SELECT array_agg(DISTINCT requested_by) AS ids FROM ticket_escalations WHERE tenant_id = $1 AND ticket_id = $2 AND $3 = ANY(user_ids)`,
            [e.tenantId, e.ticketId, m.authorId],
          );
          const deciders = assignee ? [assignee] : ((esc?.ids ?? []) as string[]).filter(Boolean);
          out.push(...note(deciders, 'review_requested', { messageId: m.id, excerpt: excerpt(m.body) }));
          break; // not an answer yet: the escalation is answered when the reply is approved and sent
        }
        // The writing statement said whether an open escalation asks the author; without that (catch-up), look.
        if (!fromCustomer && e.route?.answersEscalation !== false) await this.escalations.answeredBy(e);
        break;
      }
      case 'message.review_decided':
        out.push(
          ...note([d.expertId], 'review_decided', {
            messageId: d.messageId,
            decision: d.decision,
            reason: d.reason ?? null,
          }),
        );
        break;
      case 'ticket.escalated':
        out.push(
          ...note(d.notify ?? d.userIds ?? [], 'escalated', {
            escalationId: d.escalationId,
            reason: d.reason,
            by: d.requestedByName ?? null,
          }),
        );
        break;
      case 'escalation.acknowledged':
      case 'escalation.answered':
        if (d.requestedBy)
          out.push(
            ...note(
              [d.requestedBy],
              e.type === 'escalation.answered' ? 'escalation_answered' : 'escalation_acknowledged',
              {
                escalationId: d.escalationId,
                by: d.byName ?? null,
              },
            ),
          );
        break;
      case 'sla.warning':
      case 'sla.breached': {
        if (String(d.metric ?? '').startsWith('handoff_') && d.escalationId) {
          const [esc] = await this.db.query(
            `SELECT requested_by, user_ids FROM ticket_escalations WHERE tenant_id = $1 AND id = $2`,
            [e.tenantId, d.escalationId],
          );
          if (esc && e.type === 'sla.breached')
            out.push(
              ...note([esc.requested_by, ...(esc.user_ids ?? [])].filter(Boolean), 'handoff_breached', {
                escalationId: d.escalationId,
                metric: d.metric,
              }),
            );
        } else if (e.route?.assigneeId) {
          out.push(
            ...note([e.route.assigneeId], e.type === 'sla.warning' ? 'sla_warning' : 'sla_breached', {
              metric: d.metric,
              dueAt: d.dueAt,
            }),
          );
        }
        break;
      }
    }
    if (out.length) await this.notifications.notify(out);
  }

  private async followers(ticketId: string): Promise<string[]> {
    const rows: Row[] = await this.db.query(
      `SELECT user_id FROM ticket_followers WHERE tenant_id = $1 AND ticket_id = $2`,
      [this.ctx.tenantId, ticketId],
    );
    return rows.map((r) => r.user_id);
  }

  /** People subscribed to any of these tags: one notification per ticket each, however many tags match. */
  private async tagMatches(e: TicketEventRecord, tags: string[]): Promise<NewNotification[]> {
    if (!tags.length) return [];
    const rows: Row[] = await this.db.query(
      `SELECT user_id, array_agg(tag ORDER BY tag) AS tags FROM tag_subscriptions WHERE tenant_id = $1 AND tag = ANY($2::text[]) GROUP BY user_id`,
      [this.ctx.tenantId, tags],
    );
    if (!rows.length) return [];
    // Subscribing to a tag is asking to see its tickets: each match grants that ticket alone.
    const users = rows.map((r) => r.user_id as string);
    await this.db.query(
      `INSERT INTO ticket_grants (ticket_id, user_id, tenant_id, reason) SELECT $2, u, $1, 'tag' FROM unnest($3::uuid[]) u
       ON CONFLICT DO NOTHING`,
      [this.ctx.tenantId, e.ticketId, users],
    );
    await this.db.query(
      `UPDATE tickets SET shared_with = ARRAY(SELECT DISTINCT u FROM unnest(shared_with || $3::uuid[]) u) WHERE tenant_id = $1 AND id = $2`,
      [this.ctx.tenantId, e.ticketId, users],
    );
    return rows
      .filter((r) => !(e.actorType === 'user' && r.user_id === e.actorId))
      .map((r) => ({
        userId: r.user_id,
        type: 'tag_match' as const,
        ticketId: e.ticketId,
        dedupeKey: `tag:${e.ticketId}`,
        data: { eventId: e.id, tags: r.tags },
      }));
  }
}

function excerpt(body: unknown): string {
  const s = String(body ?? '')
    .replace(/\s+/g, ' ')
    .trim();
  return s.length > 140 ? `${s.slice(0, 139)}…` : s;
}
