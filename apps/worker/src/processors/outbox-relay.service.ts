import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { EmitterPublisher, EventPublisher } from '@crewdesk/realtime';
import { eventFromRow } from '@crewdesk/tickets';

const CURSOR = 'ticket-events';
/** Events of transactions that ended at least this long ago are checked: the API had time to publish them. */
const GRACE_MS = 1500;
const TICK_MS = 500;
const BATCH = 5000;
/** One relay at a time across every worker process. */
const LOCK_KEY = 0x63726577; // "crew"

/* eslint-disable @typescript-eslint/no-explicit-any */
type Row = Record<string, any>;

/**
 * The outbox relay: finds committed ticket events that no API process published (it died between commit
 * and publish, or Redis hiccuped) and publishes them through the socket.io Redis emitter. It walks
 * transaction ids below PostgreSQL's oldest running transaction, so events that commit late are never skipped.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private timer?: NodeJS.Timeout;
  private running = false;
  private stopped = false;
  /** Snapshots of the oldest running transaction, so the relay can look GRACE_MS into the past. */
  private horizons: Array<{ at: number; xmin: string }> = [];
  private readonly publisher: EventPublisher;
  relayed = 0;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    emitter: EmitterPublisher,
  ) {
    this.publisher = emitter.publisher;
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), TICK_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  /** One pass; returns how many events it published. */
  async tick(): Promise<number> {
    if (this.running || this.stopped) return 0;
    this.running = true;
    try {
      const [{ xmin }] = await this.db.query(`SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin`);
      const now = Date.now();
      this.horizons.push({ at: now, xmin });
      let horizon: string | undefined;
      while (this.horizons.length && this.horizons[0].at <= now - GRACE_MS) horizon = this.horizons.shift()!.xmin;
      if (horizon) this.horizons.unshift({ at: now - GRACE_MS, xmin: horizon });
      if (!horizon) return 0;
      return await this.relayBelow(horizon);
    } catch (err) {
      this.logger.warn({ err }, 'Outbox relay pass failed; retrying');
      return 0;
    } finally {
      this.running = false;
    }
  }

  private relayBelow(horizon: string): Promise<number> {
    return this.db.transaction(async (m) => {
      const [{ locked }] = await m.query(`SELECT pg_try_advisory_xact_lock($1) AS locked`, [LOCK_KEY]);
      if (!locked) return 0;
      const [cursor] = await m.query(
        `SELECT watermark::text AS watermark FROM relay_cursors WHERE name = $1 FOR UPDATE`,
        [CURSOR],
      );
      if (!cursor) {
        await m.query(`INSERT INTO relay_cursors (name, watermark) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
          CURSOR,
          horizon,
        ]);
        return 0;
      }
      if (BigInt(cursor.watermark) >= BigInt(horizon)) return 0;
      const rows: Row[] = await m.query(
        `SELECT e.id, e.tenant_id, e.ticket_id, e.type, e.visibility, e.actor_type, e.actor_id, e.data, e.created_at, e.tx_id::text AS tx_id,
                t.team_id, t.assignee_id, t.requester_id, t.shared_with
         FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
         WHERE e.tx_id >= $1::bigint AND e.tx_id < $2::bigint ORDER BY e.id LIMIT $3`,
        [cursor.watermark, horizon, BATCH],
      );
      const missing = await this.publisher.unpublished(rows.map((r) => String(r.id)));
      const events = rows.filter((r) => missing.has(String(r.id))).map(eventFromRow);
      await this.publisher.publish(events);
      // A full batch may have cut a transaction in two: resume at its id (published ones are skipped by their mark).
      const next = rows.length === BATCH ? rows[rows.length - 1].tx_id : horizon;
      await m.query(`UPDATE relay_cursors SET watermark = $2::bigint, updated_at = now() WHERE name = $1`, [
        CURSOR,
        next,
      ]);
      if (events.length) {
        this.relayed += events.length;
        this.logger.log({ count: events.length, firstId: events[0].id }, 'Relayed unpublished ticket events');
      }
      return events.length;
    });
  }
}
