import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { TenantContext } from '@crewdesk/db';
import { REDIS, RedisKeys } from '@crewdesk/queue';
import { Env } from '@crewdesk/config';
import { OutboundMailService } from '@crewdesk/channels';
import {
  DigestService,
  EscalationService,
  NotificationsService,
  PRESENCE_READER,
  PresenceReader,
  RoutingEventsService,
  RoutingService,
} from '@crewdesk/routing';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Row = Record<string, any>;

const TICK_MS = 2000;
/** Tickets not routed this long after creation were left by a crash. */
const UNROUTED_GRACE_S = 20;
/** One sweeper at a time across worker processes. */
const LOCK_KEY = 0x726f7574; // "rout"

/**
 * Routing's clockwork in the worker: ends expired grants, catches up events a crash left unhandled, routes
 * tickets whose routing was interrupted, takes tickets back from people offline too long, and alerts teams
 * whose tickets wait unassigned.
 */
@Injectable()
export class RoutingSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RoutingSweeper.name);
  private timer?: NodeJS.Timeout;
  private running = false;
  private ticks = 0;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ctx: TenantContext,
    private readonly routing: RoutingService,
    private readonly escalations: EscalationService,
    private readonly events: RoutingEventsService,
    private readonly notifications: NotificationsService,
    @Inject(PRESENCE_READER) private readonly presence: PresenceReader,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly digests: DigestService,
    private readonly mail: OutboundMailService,
    private readonly env: Env,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), TICK_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  private stopped = false;

  async tick(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    const runner = this.db.createQueryRunner();
    try {
      await runner.connect();
      const [{ locked }] = await runner.query(`SELECT pg_try_advisory_lock($1) AS locked`, [LOCK_KEY]);
      if (!locked) return;
      try {
        await this.escalations.expireGrants();
        await this.events.catchUp();
        if (this.ticks % 2 === 0) {
          await this.routeLeftovers();
          await this.reassignOffline();
          await this.backlogAlerts();
        }
        if (this.ticks % 150 === 0) await this.sendDigests(new Date());
        this.ticks++;
      } finally {
        await runner.query(`SELECT pg_advisory_unlock($1)`, [LOCK_KEY]);
      }
    } catch (err) {
      if (!this.stopped) this.logger.warn({ err }, 'Routing sweep failed; retrying');
    } finally {
      await runner.release().catch(() => undefined);
      this.running = false;
    }
  }

  private async routeLeftovers(): Promise<void> {
    for (const t of await this.routing.unrouted(UNROUTED_GRACE_S)) {
      await this.ctx.run(TenantContext.system(t.tenantId), () => this.routing.route(t.id));
    }
  }

  /** Assignees offline longer than their team allows lose their new and open tickets to someone online. */
  private async reassignOffline(): Promise<void> {
    const rows = await this.routing.offlineAssignments();
    if (!rows.length) return;
    const now = Date.now();
    const online = new Map<string, Set<string>>();
    for (const r of rows) {
      if (!online.has(r.tenantId)) online.set(r.tenantId, await this.presence.online(r.tenantId));
      const key = this.keys.key('routing', 'offline-since', r.tenantId);
      if (online.get(r.tenantId)!.has(r.assigneeId)) {
        await this.redis.hdel(key, r.assigneeId);
        continue;
      }
      await this.redis.hsetnx(key, r.assigneeId, String(now));
      const since = Number(await this.redis.hget(key, r.assigneeId));
      if (now - since < r.minutes * 60_000) continue;
      const to = await this.ctx.run(TenantContext.system(r.tenantId), () =>
        this.routing.reassignFrom(r.ticketId, r.teamId, r.assigneeId),
      );
      this.logger.log(
        { tenantId: r.tenantId, ticketId: r.ticketId, from: r.assigneeId, to },
        'Reassigned from an offline assignee',
      );
    }
  }

  /**
   * Daily digests of tag subscriptions, at 09:00 in each person's time zone: claimed first (a notification named
   * after the local date), so a digest goes out at most once a day even if two sweeps overlap.
   */
  async sendDigests(now: Date): Promise<number> {
    let sent = 0;
    for (const d of await this.digests.due(now)) {
      await this.ctx.run(TenantContext.system(d.tenantId), async () => {
        const tickets = await this.digests.tickets(d.tenantId, d.tags, now);
        const [claim] = await this.notifications.notify([
          {
            userId: d.userId,
            type: 'digest',
            dedupeKey: `digest:${d.localDate}`,
            data: { date: d.localDate, tags: d.tags, ticketIds: tickets.map((t) => t.id) },
          },
        ]);
        // Without an outbound relay (SMTP_URL) the digest stays an in-app notification; nothing to warn about.
        if (!claim || !tickets.length || !this.env.SMTP_URL) return;
        try {
          if (await this.mail.digest(d.userId, d.tags, tickets, this.env.PUBLIC_URL)) sent++;
        } catch (err) {
          this.logger.warn({ err, tenantId: d.tenantId, userId: d.userId }, 'Could not send a daily digest');
        }
      });
    }
    return sent;
  }

  /** Team leads (or, without leads, the members) hear when tickets wait unassigned past the team's threshold. */
  private async backlogAlerts(): Promise<void> {
    const rows: Row[] = await this.db.query(
      `SELECT tm.tenant_id, tm.id, tm.name, tm.backlog_alert_minutes AS minutes, b.n, b.oldest
       FROM teams tm CROSS JOIN LATERAL (
         SELECT count(*)::int AS n, min(t.created_at) AS oldest FROM tickets t
         WHERE t.tenant_id = tm.tenant_id AND t.team_id = tm.id AND t.assignee_id IS NULL AND t.status IN ('new', 'open')
           AND t.created_at < now() - make_interval(secs => tm.backlog_alert_minutes * 60)) b
       WHERE tm.backlog_alert_minutes IS NOT NULL AND b.n > 0`,
    );
    for (const team of rows) {
      const people: Row[] = await this.db.query(
        `SELECT user_id, is_lead FROM team_members WHERE tenant_id = $1 AND team_id = $2`,
        [team.tenant_id, team.id],
      );
      const leads = people.filter((p) => p.is_lead);
      const to = (leads.length ? leads : people).map((p) => p.user_id as string);
      // At most one alert per team per threshold period.
      const period = Math.floor(Date.now() / (Number(team.minutes) * 60_000));
      await this.ctx.run(TenantContext.system(team.tenant_id), () =>
        this.notifications.notify(
          to.map((userId) => ({
            userId,
            type: 'backlog' as const,
            dedupeKey: `backlog:${team.id}:${period}`,
            data: {
              teamId: team.id,
              teamName: team.name,
              waiting: team.n,
              oldestAt: new Date(team.oldest).toISOString(),
            },
          })),
        ),
      );
    }
  }
}
