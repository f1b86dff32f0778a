/**
 * bench/sla-timers — the SLA engine's alarms at scale (issue "SLA engine", point 5), next to bare BullMQ.
 *
 *   1. seed       fresh database (migrations), one tenant, one customer, TIMERS tickets and TIMERS sla_timers rows
 *                 (first_response, active, warn_at NULL) inserted with generate_series; due_at left NULL until armed
 *   2. worker     the real worker application context (startWorker: SlaProcessor, concurrency 8, its start-up and
 *                 30 s reconciles), then due_at spread evenly over WINDOW_S seconds starting LEAD_S from now
 *   3. arm        SlaService.arm() in batches of BATCH (earliest due first)              -> timers/s, Redis bytes/timer
 *   4. breach     wait until every timer is breached (or TIMEOUT_S after the last due time); lateness =
 *                 sla_timers.breached_at - due_at; missed / duplicated from ticket_events (one sla.breached each)
 *   5. re-arm     every timer made due in 1 h (new version, no alarm), the bench's sla BullMQ keys deleted, then
 *                 SlaService.reconcile() timed                                                   -> timers/s
 *   6. bare       a plain BullMQ Queue + Worker (concurrency 8, same Redis, same count and window, no-op processor):
 *                 lateness = processed time - intended time, Redis bytes/job
 *   7. table      bar chart and PASS/FAIL: p99 <= 2 x bare p99, 0 missed, 0 duplicated, re-arm >= 9,000/s
 *
 * Run: `bench/sla-timers` (see bench/sla-timers-README.md). Everything it creates is removed at the end, also on
 * failure or Ctrl-C: the database `crewdesk_sla_bench_<timestamp>` and the Redis keys `crewdesk-slabench-<ts>:*`.
 */
import { INestApplicationContext } from '@nestjs/common';
import { Job, Queue, Worker } from 'bullmq';
import Redis from 'ioredis';
import { tmpdir } from 'os';
import { performance } from 'perf_hooks';
import { Client as PgClient } from 'pg';
import {
  bar,
  cleanupOnExit,
  clock,
  createDatabase,
  databaseUrl,
  deleteKeys,
  fmt,
  onCleanup,
  REDIS_URL,
  runMain,
  setting,
  sleep,
  STAMP,
} from './lib';

/* ------------------------------------------------------------------ settings */

const TIMERS = Math.max(100, Math.round(setting('TIMERS', 100_000)));
const WINDOW_S = Math.max(1, setting('WINDOW_S', 60));
const BATCH = Math.max(100, Math.round(setting('BATCH', 5000)));
/** Seconds from "now" to the first due time: enough to arm everything first (assumes >= 2,500 arms/s). */
const LEAD_S = setting('LEAD_S', Math.max(10, Math.ceil(TIMERS / 2500) + 10));
/** How long to wait after the last due time for stragglers before counting them missed. */
const TIMEOUT_S = setting('TIMEOUT_S', 300);
const CONCURRENCY = 8; // the SlaProcessor's
const PHASES = new Set((process.env.PHASES || 'crewdesk,rearm,bare').split(','));
const GOALS = { p99Ratio: 2, rearm: 9000 };
const TARGET = 1_000_000;

const DB_NAME = `crewdesk_sla_bench_${STAMP}`;
const DB_URL = databaseUrl(DB_NAME);
const REDIS_PREFIX = `crewdesk-slabench-${STAMP}`;

// The app reads its environment at import time: set it before any app code is imported.
Object.assign(process.env, {
  DATABASE_URL: DB_URL,
  REDIS_URL,
  REDIS_PREFIX,
  LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
  SMTP_INBOUND_PORT: '0',
  SMTP_INBOUND_HOST: '127.0.0.1',
  STORAGE_DIR: `${tmpdir()}/crewdesk-slabench-${STAMP}`,
  NODE_ENV: 'development',
});

/* ------------------------------------------------------------------ output helpers */

const step = (msg: string) => console.log(`${clock()} ${msg}`);
const done = (msg: string) => console.log(`${clock()}   -> ${msg}`);
const warn = (msg: string) => console.error(`${clock()} WARNING: ${msg}`);

/* ------------------------------------------------------------------ cleanup */

cleanupOnExit({ warn });

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)![1]);
}

/* ------------------------------------------------------------------ stats */

interface Lateness {
  n: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}
function lateness(values: number[]): Lateness {
  const s = Float64Array.from(values).sort();
  const q = (p: number) => (s.length ? s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] : NaN);
  return { n: s.length, min: s[0] ?? NaN, p50: q(0.5), p90: q(0.9), p99: q(0.99), max: s[s.length - 1] ?? NaN };
}

/* ------------------------------------------------------------------ main */

interface Results {
  armRate?: number;
  armSeconds?: number;
  armedLate?: number;
  bytesPerTimer?: number;
  crewdesk?: Lateness;
  slices?: Lateness[];
  breachSpanS?: number;
  peakPerSecond?: number;
  reconcileBusyS?: number;
  missed?: number;
  duplicated?: number;
  events?: number;
  distinctTimers?: number;
  timedOut?: boolean;
  rearmRate?: number;
  rearmed?: number;
  rearmSeconds?: number;
  rearmDelayed?: number;
  rearmBytesPerTimer?: number;
  bare?: Lateness;
  bareBytesPerJob?: number;
  bareArmRate?: number;
}

async function main(): Promise<number> {
  const r: Results = {};
  const cpus = require('os').cpus().length;
  console.log(
    `bench/sla-timers: TIMERS=${TIMERS.toLocaleString('en-US')} WINDOW_S=${WINDOW_S} LEAD_S=${LEAD_S} BATCH=${BATCH} ` +
      `TIMEOUT_S=${TIMEOUT_S} — Node ${process.version}, ${cpus} CPUs`,
  );
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 3 });
  onCleanup('redis connection', async () => void redis.disconnect());
  const hz = /(?:^|\n)hz:(\d+)/.exec(await redis.info('server'))?.[1];
  const redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1];
  onCleanup('redis keys', async () => {
    const removed = await deleteKeys(redis, `${REDIS_PREFIX}:*`);
    done(`removed ${removed} Redis keys ${REDIS_PREFIX}:*`);
  });

  await createDatabase(DB_NAME, { step, done }, `; Redis ${redisVersion}, hz ${hz}`);

  step('running migrations (MIGRATIONS list)');
  const { DataSource } = await import('typeorm');
  const { dataSourceOptions } = await import('../libs/db/src/data-source-options');
  const mds = new DataSource({ ...dataSourceOptions(DB_URL, 2), logging: false });
  await mds.initialize();
  await mds.runMigrations({ transaction: 'each' });
  await mds.destroy();

  const db = new PgClient({ connectionString: DB_URL });
  await db.connect();
  onCleanup('bench db connection', () => db.end());

  /* 1. seed */
  step(`seeding 1 tenant, 1 customer, ${TIMERS.toLocaleString('en-US')} tickets and sla_timers (generate_series)`);
  let t = performance.now();
  const tenantId: string = (
    await db.query(
      `INSERT INTO tenants (name, slug, ticket_sequence) VALUES ('SLA bench', $1, 'ticket_numbers_slabench') RETURNING id`,
      [`sla-bench-${STAMP}`],
    )
  ).rows[0].id;
  const seq = `ticket_numbers_${tenantId.replace(/-/g, '')}`;
  await db.query(`CREATE SEQUENCE "${seq}" START ${TIMERS + 1}`);
  await db.query(`UPDATE tenants SET ticket_sequence = $1 WHERE id = $2`, [seq, tenantId]);
  const customerId: string = (
    await db.query(
      `INSERT INTO customers (tenant_id, name, email) VALUES ($1, 'Bench Customer', 'bench@example.com') RETURNING id`,
      [tenantId],
    )
  ).rows[0].id;
  await db.query(
    `INSERT INTO tickets (tenant_id, number, subject, status, priority, channel, requester_id)
     SELECT $1, g, 'SLA bench ticket ' || g, 'open', 'normal', 'email', $2 FROM generate_series(1, $3::int) g`,
    [tenantId, customerId, TIMERS],
  );
  // due_at stays NULL for now: the worker's start-up reconcile must neither fire nor arm them.
  await db.query(
    `INSERT INTO sla_timers (tenant_id, ticket_id, metric, target_minutes, started_at, due_at, warn_at, status)
     SELECT tenant_id, id, 'first_response', 60, now(), NULL, NULL, 'active' FROM tickets WHERE tenant_id = $1`,
    [tenantId],
  );
  await db.query('ANALYZE tickets; ANALYZE sla_timers');
  done(`${fmt((performance.now() - t) / 1000, 1)} s`);

  /* 2. worker */
  step('starting the worker application context (startWorker)');
  const { startWorker } = await import('../apps/worker/src/start');
  const { SlaService } = await import('@crewdesk/sla');
  let worker: INestApplicationContext | undefined = await startWorker();
  onCleanup('worker', async () => {
    await worker?.close();
    worker = undefined;
  });
  const sla = worker.get(SlaService);
  done('ready (start-up reconcile done)');
  // Instrumentation only: note when the SlaProcessor's periodic reconcile runs (same instance, method wrapped).
  const reconciles: Array<{ at: number; ms: number; rearmed: number; breached: number }> = [];
  const originalReconcile = sla.reconcile.bind(sla);
  sla.reconcile = async (opts?: { rearmAll?: boolean }) => {
    const at = Date.now();
    const out = await originalReconcile(opts);
    reconciles.push({ at, ms: Date.now() - at, rearmed: out.rearmed, breached: out.breached });
    return out;
  };

  if (PHASES.has('crewdesk')) {
    /* 3. arm */
    const firstDue = Date.now() + LEAD_S * 1000;
    const spacing = (WINDOW_S * 1000) / TIMERS;
    await db.query(
      `WITH o AS (SELECT id, row_number() OVER (ORDER BY random()) - 1 AS i FROM sla_timers WHERE tenant_id = $1)
       UPDATE sla_timers s SET due_at = to_timestamp(($2::float8 + o.i * $3::float8) / 1000.0) FROM o WHERE o.id = s.id`,
      [tenantId, firstDue, spacing],
    );
    const rows = (await db.query(`SELECT * FROM sla_timers WHERE tenant_id = $1 ORDER BY due_at`, [tenantId])).rows;
    step(
      `arming ${rows.length.toLocaleString('en-US')} timers with SlaService.arm() in batches of ${BATCH}; ` +
        `first due in ${LEAD_S} s, one every ${fmt(spacing, 3)} ms over ${WINDOW_S} s`,
    );
    const mem0 = await usedMemory(redis);
    t = performance.now();
    let armedLate = 0;
    for (let i = 0; i < rows.length; i += BATCH) {
      const batch = rows.slice(i, i + BATCH);
      await sla.arm(batch);
      const last = new Date(batch[batch.length - 1].due_at).getTime();
      if (last < Date.now()) armedLate += batch.filter((x) => new Date(x.due_at).getTime() < Date.now()).length;
    }
    r.armSeconds = (performance.now() - t) / 1000;
    r.armRate = rows.length / r.armSeconds;
    r.armedLate = armedLate;
    const mem1 = await usedMemory(redis);
    r.bytesPerTimer = (mem1 - mem0) / rows.length;
    done(
      `${fmt(r.armRate, 0)} timers/s (${fmt(r.armSeconds, 2)} s); Redis used_memory +${fmt((mem1 - mem0) / 1048576, 1)} MiB = ` +
        `${fmt(r.bytesPerTimer, 0)} B/timer` +
        (armedLate ? `; ${armedLate} timers were armed only after their due time (raise LEAD_S)` : ''),
    );
    if (Date.now() > firstDue) warn(`arming ended ${Date.now() - firstDue} ms after the first due time`);

    /* 4. breach */
    const lastDue = firstDue + WINDOW_S * 1000;
    step(`waiting for every breach (until ${TIMEOUT_S} s after the last due time)`);
    let breached = 0;
    let lastPrint = 0;
    while (true) {
      breached = Number(
        (
          await db.query(`SELECT count(*) AS n FROM sla_timers WHERE tenant_id = $1 AND breached_at IS NOT NULL`, [
            tenantId,
          ])
        ).rows[0].n,
      );
      if (breached >= TIMERS) break;
      if (Date.now() > lastDue + TIMEOUT_S * 1000) {
        r.timedOut = true;
        warn(`timed out with ${TIMERS - breached} timers not breached`);
        break;
      }
      if (Date.now() - lastPrint > 10_000) {
        lastPrint = Date.now();
        const due = Math.max(0, Math.min(TIMERS, Math.floor((Date.now() - firstDue) / spacing)));
        done(`${breached.toLocaleString('en-US')} breached, ${due.toLocaleString('en-US')} due`);
      }
      await sleep(500);
    }
    const late = (
      await db.query(
        `SELECT (extract(epoch FROM breached_at - due_at) * 1000)::float8 AS ms FROM sla_timers
         WHERE tenant_id = $1 AND breached_at IS NOT NULL ORDER BY due_at`,
        [tenantId],
      )
    ).rows.map((x) => x.ms as number);
    r.crewdesk = lateness(late);
    r.slices = Array.from({ length: 10 }, (_, k) =>
      lateness(late.slice(Math.floor((k * late.length) / 10), Math.floor(((k + 1) * late.length) / 10))),
    );
    const span = (
      await db.query(
        `SELECT (extract(epoch FROM max(breached_at) - min(due_at)))::float8 AS s FROM sla_timers WHERE tenant_id = $1`,
        [tenantId],
      )
    ).rows[0];
    r.breachSpanS = span.s;
    r.peakPerSecond = Number(
      (
        await db.query(
          `SELECT coalesce(max(n), 0) AS n FROM (SELECT count(*) AS n FROM sla_timers WHERE tenant_id = $1 AND breached_at IS NOT NULL
           GROUP BY date_trunc('second', breached_at)) x`,
          [tenantId],
        )
      ).rows[0].n,
    );
    const ev = (
      await db.query(
        `SELECT count(*)::int AS events, count(DISTINCT data->>'timerId')::int AS timers,
                count(DISTINCT ticket_id)::int AS tickets
         FROM ticket_events WHERE tenant_id = $1 AND type = 'sla.breached'`,
        [tenantId],
      )
    ).rows[0];
    r.events = ev.events;
    r.distinctTimers = ev.timers;
    r.duplicated = ev.events - ev.timers;
    r.missed = TIMERS - ev.timers;
    const notStamped = TIMERS - breached;
    const buckets = (
      await db.query(
        `SELECT floor((extract(epoch FROM breached_at) * 1000 - $2::float8) / 5000)::int AS b, count(*)::int AS n
         FROM sla_timers WHERE tenant_id = $1 AND breached_at IS NOT NULL GROUP BY 1 ORDER BY 1`,
        [tenantId, firstDue],
      )
    ).rows as Array<{ b: number; n: number }>;
    const bmax = Math.max(...buckets.map((b) => b.n), 1);
    console.log(`    breaches recorded per 5 s (offered ${fmt((TIMERS / WINDOW_S) * 5, 0)} per 5 s while due):`);
    for (const b of buckets) {
      const from = b.b * 5;
      const rec = reconciles
        .filter((x) => x.at - firstDue >= from * 1000 - 30_000 && x.at - firstDue < (from + 5) * 1000)
        .filter((x) => x.at + x.ms - firstDue >= from * 1000);
      console.log(
        `    ${String(from).padStart(4)}–${String(from + 5).padEnd(4)} s ${String(b.n).padStart(6)}  ${'█'.repeat(Math.round((b.n / bmax) * 40)).padEnd(40)}` +
          (rec.length
            ? `  reconcile running (${rec.map((x) => `${fmt(x.ms / 1000, 1)} s, re-armed ${x.rearmed}, fired ${x.breached}`).join('; ')})`
            : ''),
      );
    }
    const during = reconciles.filter((x) => x.at >= firstDue - 30_000);
    r.reconcileBusyS = during.reduce((a, x) => a + x.ms, 0) / 1000;
    done(
      `periodic reconciles during the breach phase: ${during.length}, busy ${fmt(r.reconcileBusyS, 1)} s in total ` +
        `(${during.map((x) => `${fmt(x.ms / 1000, 1)} s/${x.rearmed} re-armed/${x.breached} fired`).join(', ')})`,
    );
    done(
      `lateness p50 ${fmt(r.crewdesk.p50, 0)} ms, p99 ${fmt(r.crewdesk.p99, 0)} ms, max ${fmt(r.crewdesk.max, 0)} ms; ` +
        `${ev.events} sla.breached events for ${ev.timers} timers (${ev.tickets} tickets); ${notStamped} timers without breached_at`,
    );
  }

  if (PHASES.has('rearm')) {
    /* 5. re-arm */
    step('re-arm: every timer due in 1 h at a new version, the sla queue keys deleted, SlaService.reconcile() timed');
    await db.query(
      `WITH o AS (SELECT id, row_number() OVER (ORDER BY id) AS i FROM sla_timers WHERE tenant_id = $1)
       UPDATE sla_timers s SET breached_at = NULL, version = s.version + 1, status = 'active',
         due_at = now() + interval '1 hour' + o.i * interval '1 millisecond' FROM o WHERE o.id = s.id`,
      [tenantId],
    );
    await db.query('VACUUM ANALYZE sla_timers');
    const deleted = await deleteKeys(redis, `${REDIS_PREFIX}:bull:sla:*`);
    const mem0 = await usedMemory(redis);
    t = performance.now();
    // As at worker start-up after a Redis loss: re-arm every future timer.
    const out = await originalReconcile({ rearmAll: true });
    r.rearmSeconds = (performance.now() - t) / 1000;
    r.rearmed = out.rearmed;
    r.rearmRate = out.rearmed / r.rearmSeconds;
    r.rearmDelayed = await redis.zcard(`${REDIS_PREFIX}:bull:sla:delayed`);
    r.rearmBytesPerTimer = ((await usedMemory(redis)) - mem0) / Math.max(1, r.rearmDelayed);
    done(
      `deleted ${deleted} keys; reconcile() re-armed ${out.rearmed} timers in ${fmt(r.rearmSeconds, 2)} s = ` +
        `${fmt(r.rearmRate, 0)} timers/s; ${r.rearmDelayed} delayed jobs in Redis (${JSON.stringify(out)})`,
    );
  }

  step('closing the worker; deleting the sla queue keys');
  await worker.close();
  worker = undefined;
  await deleteKeys(redis, `${REDIS_PREFIX}:bull:sla:*`);

  if (PHASES.has('bare')) {
    /* 6. bare BullMQ */
    const connection = { url: REDIS_URL, maxRetriesPerRequest: null };
    const prefix = `${REDIS_PREFIX}:bare`;
    const queue = new Queue('bare', { connection, prefix });
    const values: number[] = [];
    const bareWorker = new Worker(
      'bare',
      async (job: Job) => {
        values.push(Date.now() - (job.data as { at: number }).at);
      },
      { connection, prefix, concurrency: CONCURRENCY },
    );
    onCleanup('bare BullMQ', async () => {
      await bareWorker.close();
      await queue.close();
    });
    await bareWorker.waitUntilReady();
    const firstDue = Date.now() + LEAD_S * 1000;
    const spacing = (WINDOW_S * 1000) / TIMERS;
    const order = Array.from({ length: TIMERS }, (_, i) => i);
    step(`bare BullMQ: ${TIMERS.toLocaleString('en-US')} delayed jobs (no-op processor, concurrency ${CONCURRENCY})`);
    const mem0 = await usedMemory(redis);
    t = performance.now();
    for (let i = 0; i < TIMERS; i += BATCH) {
      const now = Date.now();
      await queue.addBulk(
        order.slice(i, i + BATCH).map((k) => {
          const at = Math.round(firstDue + k * spacing);
          return {
            name: 'bare',
            data: { at },
            opts: {
              jobId: `bare-${k}`,
              delay: Math.max(0, at - now),
              removeOnComplete: { age: 24 * 3600, count: 1000 },
            },
          };
        }),
      );
    }
    const armS = (performance.now() - t) / 1000;
    r.bareArmRate = TIMERS / armS;
    r.bareBytesPerJob = ((await usedMemory(redis)) - mem0) / TIMERS;
    done(`${fmt(r.bareArmRate, 0)} jobs/s; ${fmt(r.bareBytesPerJob, 0)} B/job`);
    const deadline = firstDue + WINDOW_S * 1000 + TIMEOUT_S * 1000;
    while (values.length < TIMERS && Date.now() < deadline) await sleep(500);
    r.bare = lateness(values);
    done(
      `${values.length} processed; lateness p50 ${fmt(r.bare.p50, 0)} ms, p99 ${fmt(r.bare.p99, 0)} ms, max ${fmt(r.bare.max, 0)} ms`,
    );
    await bareWorker.close();
    await queue.close();
  }

  report(r, { hz, cpus });
  const pass =
    (!PHASES.has('crewdesk') ||
      (r.missed === 0 && r.duplicated === 0 && (!r.bare || r.crewdesk!.p99 <= GOALS.p99Ratio * r.bare.p99))) &&
    (!PHASES.has('rearm') || r.rearmRate! >= GOALS.rearm);
  return pass ? 0 : 1;
}

/* ------------------------------------------------------------------ report */

function report(r: Results, env: { hz?: string; cpus: number }): void {
  const line = '─'.repeat(100);
  console.log(
    `\n${line}\nSLA timers — ${TIMERS.toLocaleString('en-US')} timers due over ${WINDOW_S} s (Redis hz ${env.hz}, ${env.cpus} CPUs)\n${line}`,
  );
  if (r.crewdesk) {
    const rows: Array<[string, Lateness]> = [['Crewdesk SLA', r.crewdesk]];
    if (r.bare) rows.push(['bare BullMQ', r.bare]);
    const max = Math.max(...rows.flatMap(([, l]) => [l.p99, l.max].filter(Number.isFinite)), 1);
    console.log('lateness (ms)          min      p50      p90      p99      max   p99 bar');
    for (const [name, l] of rows)
      console.log(
        `${name.padEnd(16)} ${[l.min, l.p50, l.p90, l.p99, l.max].map((v) => fmt(v, 0).padStart(8)).join(' ')}   ${bar(l.p99, max)}`,
      );
    console.log('\nCrewdesk lateness by tenth of the window (due order):');
    const smax = Math.max(...r.slices!.map((s) => s.max).filter(Number.isFinite), 1);
    r.slices!.forEach((s, k) =>
      console.log(
        `  ${String(k * 10).padStart(3)}–${String((k + 1) * 10).padStart(3)} %  p50 ${fmt(s.p50, 0).padStart(7)}  p99 ${fmt(s.p99, 0).padStart(7)}  max ${fmt(s.max, 0).padStart(7)} ms  ${bar(s.p99, smax, 30)}`,
      ),
    );
    console.log(
      `\narm (SlaService.arm)  ${fmt(r.armRate!, 0)} timers/s (${fmt(r.armSeconds!, 2)} s)   bare addBulk ${fmt(r.bareArmRate ?? NaN, 0)} jobs/s`,
    );
    console.log(
      `Redis per timer      ${fmt(r.bytesPerTimer!, 0)} B (used_memory delta / timers)   bare ${fmt(r.bareBytesPerJob ?? NaN, 0)} B/job` +
        (r.rearmBytesPerTimer !== undefined ? `   after re-arm ${fmt(r.rearmBytesPerTimer, 0)} B/timer` : ''),
    );
    console.log(
      `breaches            ${r.distinctTimers} timers breached with ${r.events} events, all recorded ` +
        `${fmt(r.breachSpanS!, 1)} s after the first due time (window ${WINDOW_S} s); offered ${fmt(TIMERS / WINDOW_S, 0)}/s, ` +
        `recorded ${fmt(TIMERS / Math.max(r.breachSpanS!, WINDOW_S), 0)}/s on average, peak ${r.peakPerSecond}/s in one second`,
    );
  }
  if (r.rearmRate !== undefined)
    console.log(
      `re-arm (reconcile)   ${fmt(r.rearmRate, 0)} timers/s (${r.rearmed} in ${fmt(r.rearmSeconds!, 2)} s; ${r.rearmDelayed} delayed jobs in Redis after)`,
    );

  console.log(`\ngoals`);
  const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
  if (r.crewdesk) {
    if (r.bare)
      console.log(
        `  ${verdict(r.crewdesk.p99 <= GOALS.p99Ratio * r.bare.p99)}  p99 lateness ${fmt(r.crewdesk.p99, 0)} ms <= 2 x bare ${fmt(r.bare.p99, 0)} ms = ${fmt(2 * r.bare.p99, 0)} ms (ratio ${fmt(r.crewdesk.p99 / r.bare.p99, 2)})`,
      );
    console.log(`  ${verdict(r.missed === 0)}  missed ${r.missed}${r.timedOut ? ' (timed out)' : ''}`);
    console.log(`  ${verdict(r.duplicated === 0)}  duplicated ${r.duplicated}`);
  }
  if (r.rearmRate !== undefined)
    console.log(
      `  ${verdict(r.rearmRate >= GOALS.rearm)}  re-arm ${fmt(r.rearmRate, 0)} timers/s >= ${GOALS.rearm.toLocaleString('en-US')}/s`,
    );

  console.log(
    `\ntoward ${TARGET.toLocaleString('en-US')} timers (linear extrapolation of this run's rates and memory):`,
  );
  if (r.bytesPerTimer !== undefined)
    console.log(`  Redis memory  ${fmt((r.bytesPerTimer * TARGET) / 1048576, 0)} MiB of delayed jobs`);
  if (r.armRate !== undefined) console.log(`  arm           ${fmt(TARGET / r.armRate, 0)} s with SlaService.arm()`);
  if (r.rearmRate !== undefined)
    console.log(`  re-arm        ${fmt(TARGET / r.rearmRate, 0)} s for reconcile() (linear; keyset paging)`);
  if (r.breachSpanS !== undefined) {
    const offered = TIMERS / WINDOW_S;
    const average = TIMERS / Math.max(r.breachSpanS, WINDOW_S);
    console.log(
      average < 0.95 * offered
        ? `  breaches      saturated at ${fmt(average, 0)}/s on average (peak ${r.peakPerSecond}/s): 1M breaches take ` +
            `~${fmt(TARGET / average, 0)} s; 1M due over ${WINDOW_S} s would need ${fmt(TARGET / WINDOW_S, 0)}/s`
        : `  breaches      kept up with the offered ${fmt(offered, 0)}/s (capacity not reached in this run); ` +
            `1M due over ${WINDOW_S} s would need ${fmt(TARGET / WINDOW_S, 0)}/s`,
    );
  }
  console.log(line);
}

runMain(main, (err) => warn(`failed: ${(err as Error)?.stack ?? err}`), 2);
