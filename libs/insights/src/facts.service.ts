import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Env } from '@crewdesk/config';
import { TenantContext } from '@crewdesk/db';
import { TicketEventBus, TicketEventRecord } from '@crewdesk/tickets';
import { refreshFactsSql } from './facts';
import { SurveysService } from './surveys.service';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Row = Record<string, any>;

/**
 * Events that need no refresh: those that change no fact, and `ticket.created`, whose statement writes the new
 * ticket's facts itself (`buildInsertTicket`), in the same transaction.
 */
const NO_FACTS = /^(ticket\.created$|message\.(read|delivered|delivery_failed)|survey\.|sla\.)/;
/**
 * Refreshes are coalesced per ticket for this long: a refresh reads all of a ticket's events, so a busy
 * conversation must not be recomputed on every message; reports can be two seconds behind.
 */
const FLUSH_MS = 2000;
const CURSOR = 'insights-facts';

/**
 * Whether an event can change its ticket's facts. Besides `NO_FACTS`, an internal note changes none: the facts count
 * public messages and status moves, and a note never moves the status (the ticket's status it carries is the one
 * before it). So the many notes of a busy conversation cost no refresh; the next event that changes facts covers them.
 */
export function changesFacts(type: string, message?: { kind?: unknown; internal?: unknown }, movesStatus = false) {
  if (NO_FACTS.test(type)) return false;
  if (type !== 'message.created' || !message || movesStatus) return true;
  // As in refreshFactsSql: public unless its kind says otherwise or it is marked internal.
  return (message.kind ?? 'public') === 'public' && String(message.internal ?? false) !== 'true';
}

const eventChangesFacts = (e: Pick<TicketEventRecord, 'type' | 'data'>) => {
  const data = e.data as Row | undefined;
  return changesFacts(e.type, data?.message, data?.changes?.status != null);
};

const solvedBy = (e: Pick<TicketEventRecord, 'type' | 'data'>) =>
  (e.type === 'ticket.updated' || e.type === 'ticket.assigned') && (e.data as Row)?.changes?.status?.to === 'solved';

/**
 * Keeps `ticket_facts` up to date and triggers surveys, from committed ticket events: in-process from the bus
 * (refreshes coalesced per tenant every 2 s, one statement each), and from the log itself through
 * `catchUp()`, which the worker runs every minute for whatever a process did not see (a crash after commit).
 */
@Injectable()
export class FactsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(FactsService.name);
  private unsubscribe?: () => void;
  private readonly pending = new Map<string, Set<string>>();
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ctx: TenantContext,
    private readonly bus: TicketEventBus,
    private readonly surveys: SurveysService,
    private readonly env: Env,
  ) {}

  onApplicationBootstrap(): void {
    this.unsubscribe = this.bus.subscribe((event) => this.onEvent(event));
  }

  async onApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    clearTimeout(this.timer);
    await this.flush().catch(() => undefined);
  }

  private async onEvent(e: TicketEventRecord): Promise<void> {
    if (solvedBy(e) && this.env.SURVEYS_ENABLED) {
      await this.ctx.run(TenantContext.system(e.tenantId), () => this.surveys.ensureForTicket(e.ticketId));
    }
    if (!eventChangesFacts(e)) return;
    let set = this.pending.get(e.tenantId);
    if (!set) this.pending.set(e.tenantId, (set = new Set()));
    set.add(e.ticketId);
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  /** Refreshes every ticket waiting for it (callers may await it to read their own writes). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flushing;
    if (!this.pending.size) return;
    const batches = [...this.pending];
    this.pending.clear();
    this.flushing = (async () => {
      for (const [tenantId, ids] of batches) {
        try {
          await this.refresh(tenantId, [...ids]);
        } catch (err) {
          this.logger.warn({ err, tenantId, tickets: ids.size }, 'Ticket facts refresh failed; the catch-up retries');
        }
      }
    })();
    await this.flushing;
  }

  /** Recomputes the facts of these tickets from their events (idempotent). */
  async refresh(tenantId: string, ticketIds: string[]): Promise<number> {
    if (!ticketIds.length) return 0;
    const rows = await this.db.query(
      `${refreshFactsSql('t.id = ANY($2::uuid[])', 'e.ticket_id = ANY($2::uuid[])')} RETURNING 1`,
      [tenantId, ticketIds],
    );
    return rows.length;
  }

  /** Rebuilds the facts of every ticket of a tenant created in [from, to) (or all): the projection from scratch. */
  async rebuild(tenantId: string, range?: { from: Date; to: Date }): Promise<number> {
    const [sql, params] = range
      ? [refreshFactsSql('t.created_at >= $2 AND t.created_at < $3'), [tenantId, range.from, range.to]]
      : [refreshFactsSql('true'), [tenantId]];
    const rows = await this.db.query(`${sql} RETURNING 1`, params);
    return rows.length;
  }

  /**
   * The catch-up from the log: tickets with events after the cursor (older than a few seconds, so the in-process
   * refresh had its chance) get their facts refreshed, and solved ones their survey. Returns how many tickets.
   */
  async catchUp(batch = 5000, minAgeSeconds = 5): Promise<{ events: number; tickets: number; surveys: number }> {
    await this.db.query(`INSERT INTO relay_cursors (name, watermark) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING`, [
      CURSOR,
    ]);
    const [{ watermark }] = await this.db.query(
      `SELECT watermark::text AS watermark FROM relay_cursors WHERE name = $1`,
      [CURSOR],
    );
    const events: Row[] = await this.db.query(
      `SELECT id::text AS id, tenant_id, ticket_id, type, data->'changes'->'status'->>'to' AS status_to,
              data->'message'->>'kind' AS message_kind, data->'message'->>'internal' AS message_internal,
              data ? 'message' AS has_message,
              data->'changes'->'status' IS NOT NULL AS moves_status
       FROM ticket_events WHERE id > $1::bigint AND created_at < now() - make_interval(secs => $3) ORDER BY id LIMIT $2`,
      [watermark, batch, minAgeSeconds],
    );
    if (!events.length) return { events: 0, tickets: 0, surveys: 0 };
    // Per tenant, each ticket's newest fact-changing event in this batch.
    const byTenant = new Map<string, Map<string, bigint>>();
    const solved: Row[] = [];
    for (const e of events) {
      const message = e.has_message ? { kind: e.message_kind, internal: e.message_internal } : undefined;
      if (changesFacts(e.type, message, e.moves_status)) {
        const newest = byTenant.get(e.tenant_id) ?? byTenant.set(e.tenant_id, new Map()).get(e.tenant_id)!;
        const id = BigInt(e.id);
        if ((newest.get(e.ticket_id) ?? -1n) < id) newest.set(e.ticket_id, id);
      }
      if (solvedBy({ type: e.type, data: { changes: { status: { to: e.status_to } } } })) solved.push(e);
    }
    let tickets = 0;
    for (const [tenantId, newest] of byTenant) {
      // Facts that already include a ticket's newest event were refreshed by the writing process: skip them.
      // (Events that change facts also change their ticket's row, so per ticket they commit in id order.)
      const fresh: Row[] = await this.db.query(
        `SELECT ticket_id, last_event_id::text AS last_event_id FROM ticket_facts WHERE tenant_id = $1 AND ticket_id = ANY($2::uuid[])`,
        [tenantId, [...newest.keys()]],
      );
      for (const f of fresh) if (BigInt(f.last_event_id) >= newest.get(f.ticket_id)!) newest.delete(f.ticket_id);
      tickets += await this.refresh(tenantId, [...newest.keys()]);
    }
    let surveys = 0;
    if (this.env.SURVEYS_ENABLED) {
      for (const e of solved) {
        const made = await this.ctx.run(TenantContext.system(e.tenant_id), () =>
          this.surveys.ensureForTicket(e.ticket_id),
        );
        if (made) surveys++;
      }
    }
    await this.db.query(`UPDATE relay_cursors SET watermark = $2::bigint, updated_at = now() WHERE name = $1`, [
      CURSOR,
      events[events.length - 1].id,
    ]);
    return { events: events.length, tickets, surveys };
  }
}
