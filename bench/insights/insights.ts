/**
 * bench/insights — the main report over 1,000,000 tickets (issue #9, acceptance 4).
 *
 *   1. seed      fresh database (the real migrations), one workspace with 30 people in 3 roles and 4 teams, TICKETS
 *                tickets over the last 365 days with generate_series: ~4.5 events, ~2.7 messages, ~1.9 SLA timers and
 *                ~0.25 answered surveys per ticket, shaped like a real desk (90 % answered, 40 % with a second turn,
 *                85 % solved, 5 % reopened)
 *   2. facts     the `ticket_facts` projection rebuilt from the event log by the product's own SQL (FactsService.rebuild,
 *                month by month), then checked against the seed's own numbers
 *   3. report    ReportsService.overview (the product code behind GET /api/v1/reports/overview) over the whole year
 *                (1,000,000 tickets) and over the last 30 days, warm, RUNS times each; scorecards and touchpoints too
 *   4. baseline  raw SQL: (a) the report's main aggregate alone on ticket_facts (the floor), (b) first response and
 *                resolution straight from ticket_events without the projection (what the report would cost without it)
 *
 * Run: `bench/insights/run [--tickets=1000000] [--runs=3]`. The database `crewdesk_insights_bench_<timestamp>` is
 * dropped at the end, also on failure or Ctrl-C. See bench/insights/README.md.
 */
import { performance } from 'perf_hooks';
import { Client as PgClient } from 'pg';
import { DataSource } from 'typeorm';
import type { TenantContext } from '../../libs/db/src';
import {
  ADMIN_URL,
  bar,
  cleanup,
  cleanupOnExit,
  clock,
  databaseUrl,
  dropDatabase,
  onCleanup,
  setting,
  STAMP,
} from '../lib';

const TICKETS = Math.round(setting('TICKETS', 1_000_000, { min: 1 }));
const RUNS = Math.round(setting('RUNS', 3, { min: 1 }));
const GOAL_MS = 2000;
const DB_NAME = `crewdesk_insights_bench_${STAMP}`;
const DB_URL = databaseUrl(DB_NAME);
Object.assign(process.env, { DATABASE_URL: DB_URL, LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn' });

const TENANT = '00000000-0000-4000-8000-00000000beef';
const step = (msg: string) => console.log(`${clock()} ${msg}`);
const warn = (msg: string) => console.error(`${clock()} ! ${msg}`);
const fmt = (n: number) => n.toLocaleString('en-US');
const ms = (n: number) => `${n.toFixed(0)} ms`;

cleanupOnExit({ warn });

async function timed<T>(label: string, fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await fn();
  const took = performance.now() - start;
  step(`${label}: ${ms(took)}`);
  return { value, ms: took };
}

/** Pseudo-random but repeatable per ticket: 0 <= h(i, salt) < 2^31. */
const h = (salt: number) => `abs(hashint4(i * 16 + ${salt}))`;

async function seed(pg: PgClient): Promise<Record<string, number>> {
  const q = (sql: string, params: unknown[] = []) => pg.query(sql, params);
  await q(`SET synchronous_commit = off`);
  await q(`SET maintenance_work_mem = '256MB'`);
  await q(`SET work_mem = '64MB'`);
  // Triggers off while seeding (the append-only guard and the tx_id stamp; tx_id is written directly).
  await q(`SET session_replication_role = replica`);
  // Search indexes are not used by reports; building them for a million rows would add minutes to every run.
  await q(`DROP INDEX IF EXISTS "IDX_tickets_subject_trgm", "IDX_messages_body_trgm", "IDX_tickets_tags"`);

  await q(
    `INSERT INTO tenants (id, name, slug, ticket_sequence) VALUES ($1, 'Bench', 'bench', 'ticket_numbers_bench')`,
    [TENANT],
  );
  await q(
    `INSERT INTO roles (tenant_id, name, permissions, builtin) VALUES ($1, 'agent', '{}', true), ($1, 'engineer', '{}', true), ($1, 'product', '{}', true)`,
    [TENANT],
  );
  await q(
    `INSERT INTO users (id, tenant_id, email, name, password_hash)
     SELECT ('20000000-0000-4000-8000-' || lpad(to_hex(u), 12, '0'))::uuid, $1, 'u' || u || '@bench.example', 'Person ' || u, 'x'
     FROM generate_series(0, 29) u`,
    [TENANT],
  );
  await q(
    `INSERT INTO user_roles (user_id, role_id, tenant_id)
     SELECT ('20000000-0000-4000-8000-' || lpad(to_hex(u), 12, '0'))::uuid, r.id, $1 FROM generate_series(0, 29) u
     JOIN roles r ON r.tenant_id = $1 AND r.name = CASE WHEN u < 20 THEN 'agent' WHEN u < 26 THEN 'engineer' ELSE 'product' END`,
    [TENANT],
  );
  await q(
    `INSERT INTO teams (id, tenant_id, name) SELECT ('30000000-0000-4000-8000-' || lpad(to_hex(g), 12, '0'))::uuid, $1, 'Team ' || g
     FROM generate_series(0, 3) g`,
    [TENANT],
  );
  const customers = Math.max(1, Math.floor(TICKETS / 5));
  await timed(`customers (${fmt(customers)})`, () =>
    q(
      `INSERT INTO customers (id, tenant_id, email, name)
       SELECT ('40000000-0000-4000-8000-' || lpad(to_hex(c), 12, '0'))::uuid, $1, 'c' || c || '@example.cn', '客户' || c
       FROM generate_series(0, $2::int - 1) c`,
      [TENANT, customers],
    ),
  );

  // One staging row per ticket: its whole story, from which every table is filled.
  await timed('plan', () =>
    q(
      `CREATE UNLOGGED TABLE seed AS
       SELECT p.*,
         CASE WHEN reopened THEN solved_at + interval '30 minutes' END AS reopen_at,
         CASE WHEN reopened THEN solved_at + interval '90 minutes' ELSE solved_at END AS resolved_at
       FROM (
         SELECT s.*,
           CASE WHEN fr_s IS NOT NULL THEN created_at + make_interval(secs => fr_s) END AS fr_at,
           CASE WHEN fr_s IS NOT NULL AND has_turn THEN created_at + make_interval(secs => fr_s + turn_s) END AS turn_at,
           CASE WHEN fr_s IS NOT NULL AND has_turn THEN created_at + make_interval(secs => fr_s + turn_s + nr_s) END AS nr_at,
           CASE WHEN fr_s IS NOT NULL AND solved
             THEN created_at + make_interval(secs => fr_s + CASE WHEN has_turn THEN turn_s + nr_s ELSE 0 END + extra_s) END AS solved_at
         FROM (
           SELECT i,
             ('10000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid AS id,
             now() - interval '365 days' + (i::float8 / $1) * interval '365 days' AS created_at,
             (ARRAY['chat','chat','chat','chat','email','email','email','web','web','api'])[1 + i % 10] AS channel,
             ('40000000-0000-4000-8000-' || lpad(to_hex(${h(1)} % $2), 12, '0'))::uuid AS requester_id,
             ('30000000-0000-4000-8000-' || lpad(to_hex(i % 4), 12, '0'))::uuid AS team_id,
             ('20000000-0000-4000-8000-' || lpad(to_hex(${h(2)} % 20), 12, '0'))::uuid AS assignee_id,
             ('20000000-0000-4000-8000-' || lpad(to_hex(CASE WHEN i % 5 = 0 THEN 20 + ${h(3)} % 6 WHEN i % 11 = 0 THEN 26 + ${h(3)} % 4 ELSE ${h(2)} % 20 END), 12, '0'))::uuid AS second_responder,
             CASE WHEN ${h(4)} % 10 < 9 THEN 30 + ${h(5)} % 7200 END AS fr_s,
             ${h(6)} % 10 < 4 AS has_turn,
             300 + ${h(7)} % 3600 AS turn_s,
             60 + ${h(8)} % 5400 AS nr_s,
             ${h(9)} % 100 < 85 AS solved,
             600 + ${h(10)} % 172800 AS extra_s,
             ${h(11)} % 100 < 5 AS reopened,
             (ARRAY['打印机连不上 WiFi','发票开错了，需要重开','Printer offline again','订单还没发货','Refund not received','登录不了账号','App crashes on start','发票抬头写错了','Cannot reset password','快递丢件了'])[1 + ${h(12)} % 10] AS subject,
             (ARRAY['printer','invoice','shipping','refund','login','bug','feature-request','billing'])[1 + ${h(13)} % 8] AS tag
           FROM generate_series(1, $1::int) i) s) p`,
      [TICKETS, customers],
    ),
  );
  // A reopen only happens to a solved ticket.
  await q(`UPDATE seed SET reopened = false, reopen_at = NULL WHERE reopened AND solved_at IS NULL`);

  await timed(`tickets (${fmt(TICKETS)})`, () =>
    q(
      `INSERT INTO tickets (id, tenant_id, number, subject, status, priority, channel, requester_id, assignee_id, team_id, tags,
                            first_response_at, solved_at, last_message_at, created_at, updated_at)
       SELECT id, $1, i, subject, CASE WHEN resolved_at IS NOT NULL THEN 'solved' WHEN fr_at IS NOT NULL THEN 'open' ELSE 'new' END,
              (ARRAY['low','normal','normal','high','urgent'])[1 + i % 5], channel, requester_id, assignee_id, team_id, ARRAY[tag],
              fr_at, resolved_at, coalesce(resolved_at, nr_at, fr_at, created_at), created_at, coalesce(resolved_at, nr_at, fr_at, created_at)
       FROM seed`,
      [TENANT],
    ),
  );

  const ev = (type: string, at: string, data: string, where: string, actor = `'customer', requester_id`) =>
    q(
      `INSERT INTO ticket_events (tenant_id, ticket_id, type, actor_type, actor_id, visibility, data, created_at, tx_id)
       SELECT $1, id, '${type}', ${actor}, 'public', ${data}, ${at}, txid_current() FROM seed WHERE ${where} ORDER BY i`,
      [TENANT],
    );
  const staff = (author: string, status = 'open') =>
    `jsonb_build_object('message', jsonb_build_object('kind', 'public', 'internal', false, 'authorType', 'user', 'authorId', ${author}), 'ticket', jsonb_build_object('status', '${status}'))`;
  const customer = (status: string) =>
    `jsonb_build_object('message', jsonb_build_object('kind', 'public', 'internal', false, 'authorType', 'customer'), 'ticket', jsonb_build_object('status', '${status}'))`;
  const solvedEv = `jsonb_build_object('changes', jsonb_build_object('status', jsonb_build_object('from', 'open', 'to', 'solved')))`;
  await timed('events: ticket.created', () =>
    ev(
      'ticket.created',
      'created_at',
      `jsonb_build_object('status', 'new', 'channel', channel, 'message', jsonb_build_object('kind', 'public', 'internal', false, 'authorType', 'customer'))`,
      'true',
    ),
  );
  await timed('events: first replies', () =>
    ev('message.created', 'fr_at', staff('assignee_id'), 'fr_at IS NOT NULL', `'user', assignee_id`),
  );
  await timed('events: customer turns', () =>
    ev('message.created', 'turn_at', customer('open'), 'turn_at IS NOT NULL'),
  );
  await timed('events: second replies', () =>
    ev('message.created', 'nr_at', staff('second_responder'), 'nr_at IS NOT NULL', `'user', second_responder`),
  );
  await timed('events: solves', () =>
    ev('ticket.updated', 'solved_at', solvedEv, 'solved_at IS NOT NULL', `'user', assignee_id`),
  );
  await ev('message.created', 'reopen_at', customer('open'), 'reopen_at IS NOT NULL');
  await ev('ticket.updated', 'resolved_at', solvedEv, 'reopen_at IS NOT NULL', `'user', assignee_id`);

  await timed('messages', () =>
    q(
      `INSERT INTO messages (tenant_id, ticket_id, kind, author_type, author_id, body_text, body_html, channel, created_at)
       SELECT $1, e.ticket_id, 'public', CASE WHEN e.actor_type = 'user' THEN 'user' ELSE 'customer' END, e.actor_id,
              'message ' || e.id, '<p>message ' || e.id || '</p>', 'web', e.created_at
       FROM ticket_events e WHERE e.tenant_id = $1 AND e.type IN ('ticket.created', 'message.created')`,
      [TENANT],
    ),
  );
  await timed('sla timers', async () => {
    await q(
      `INSERT INTO sla_timers (tenant_id, ticket_id, metric, target_minutes, started_at, due_at, met_at, breached_at, status)
       SELECT $1, id, 'first_response', 60, created_at, created_at + interval '1 hour', fr_at,
              CASE WHEN fr_at IS NULL OR fr_s > 3600 THEN created_at + interval '1 hour' END,
              CASE WHEN fr_at IS NOT NULL THEN 'met' ELSE 'active' END
       FROM seed`,
      [TENANT],
    );
    await q(
      `INSERT INTO sla_timers (tenant_id, ticket_id, metric, target_minutes, started_at, due_at, met_at, breached_at, status)
       SELECT $1, id, 'resolution', 1440, created_at, created_at + interval '1 day', resolved_at,
              CASE WHEN resolved_at IS NULL OR resolved_at > created_at + interval '1 day' THEN created_at + interval '1 day' END,
              CASE WHEN resolved_at IS NOT NULL THEN 'met' ELSE 'active' END
       FROM seed WHERE fr_at IS NOT NULL`,
      [TENANT],
    );
  });
  await timed('surveys', () =>
    q(
      `INSERT INTO surveys (tenant_id, ticket_id, channel, requester_id, assignee_id, team_id, status, sent_at, expires_at,
                            csat, nps, ces, answered_at, answer_count, created_at, updated_at)
       SELECT $1, id, channel, requester_id, assignee_id, team_id,
              CASE WHEN ${h(14)} % 10 < 3 THEN 'answered' ELSE 'sent' END, resolved_at, resolved_at + interval '7 days',
              CASE WHEN ${h(14)} % 10 < 3 THEN (ARRAY[1,2,3,4,4,5,5,5,5,5])[1 + ${h(15)} % 10] END,
              CASE WHEN ${h(14)} % 10 < 3 AND ${h(16)} % 2 = 0 THEN ${h(17)} % 11 END,
              CASE WHEN ${h(14)} % 10 < 3 AND ${h(16)} % 3 = 0 THEN 1 + ${h(18)} % 7 END,
              CASE WHEN ${h(14)} % 10 < 3 THEN resolved_at + interval '1 hour' END,
              CASE WHEN ${h(14)} % 10 < 3 THEN 1 ELSE 0 END, resolved_at, resolved_at
       FROM seed WHERE resolved_at IS NOT NULL`,
      [TENANT],
    ),
  );
  const [counts] = (
    await q(
      `SELECT (SELECT count(*) FROM tickets)::int AS tickets, (SELECT count(*) FROM ticket_events)::int AS events,
              (SELECT count(*) FROM messages)::int AS messages, (SELECT count(*) FROM sla_timers)::int AS timers,
              (SELECT count(*) FROM surveys)::int AS surveys, (SELECT count(csat) FROM surveys)::int AS answers,
              (SELECT count(fr_at) FROM seed)::int AS responded, (SELECT count(resolved_at) FROM seed)::int AS resolved,
              (SELECT count(*) FROM seed WHERE reopen_at IS NOT NULL)::int AS reopened,
              (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY fr_s) FROM seed WHERE fr_at IS NOT NULL)::float8 AS fr_median`,
    )
  ).rows;
  await q(`SET session_replication_role = DEFAULT`);
  return counts;
}

async function main(): Promise<void> {
  console.log(`bench/insights: ${fmt(TICKETS)} tickets, ${RUNS} timed runs per report, database ${DB_NAME}`);
  const admin = new PgClient({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${DB_NAME}"`);
  onCleanup('drop database', async () => {
    if (process.env.BENCH_KEEP) {
      step(`kept ${DB_NAME} (BENCH_KEEP): drop it with DROP DATABASE "${DB_NAME}"`);
      return admin.end();
    }
    await dropDatabase(admin, DB_NAME);
    await admin.end();
    step(`dropped ${DB_NAME}`);
  });

  // App code is imported only now: it reads DATABASE_URL at import time.
  const { dataSourceOptions } = await import('../../libs/db/src');
  const { FactsService, ReportsService } = await import('../../libs/insights/src');
  const ds = new DataSource({ ...dataSourceOptions(DB_URL, 4), logging: false });
  await ds.initialize();
  onCleanup('data source', () => ds.destroy());
  await timed('migrations', () => ds.runMigrations({ transaction: 'each' }));

  const pg = new PgClient({ connectionString: DB_URL });
  await pg.connect();
  onCleanup('bench connection', () => pg.end());
  step('seeding…');
  const seedStart = performance.now();
  const c = await seed(pg);
  step(
    `seeded in ${((performance.now() - seedStart) / 1000).toFixed(0)} s: ${fmt(c.tickets)} tickets, ${fmt(c.events)} events, ` +
      `${fmt(c.messages)} messages, ${fmt(c.timers)} SLA timers, ${fmt(c.surveys)} surveys (${fmt(c.answers)} answered)`,
  );

  await timed('ANALYZE (seeded tables)', () => ds.query('ANALYZE'));
  const ctx = { tenantId: TENANT } as unknown as TenantContext;
  const facts = new FactsService(ds, ctx, null as never, null as never, null as never);
  const reports = new ReportsService(ds, ctx);
  const [{ min, max }] = await ds.query(
    `SELECT min(created_at) AS min, max(created_at) + interval '1 second' AS max FROM tickets`,
  );
  const rebuildStart = performance.now();
  let rebuilt = 0;
  for (let from = new Date(min); from < new Date(max);) {
    const to = new Date(Math.min(+new Date(max), +from + 31 * 86400_000));
    rebuilt += await facts.rebuild(TENANT, { from, to });
    process.stdout.write(`\r${clock()} facts projection: ${fmt(rebuilt)} / ${fmt(c.tickets)} tickets`);
    from = to;
  }
  const rebuildMs = performance.now() - rebuildStart;
  console.log(`  (${(rebuildMs / 1000).toFixed(1)} s, ${fmt(Math.round(rebuilt / (rebuildMs / 1000)))} tickets/s)`);
  await timed('ANALYZE', () => ds.query('ANALYZE'));

  const year = { from: new Date(min), to: new Date(max), timezone: 'Asia/Shanghai' };
  const month = { from: new Date(+new Date(max) - 30 * 86400_000), to: new Date(max), timezone: 'Asia/Shanghai' };
  const check = await ctxRun(() => reports.overview(year));
  const problems: string[] = [];
  if (check.volume.tickets !== c.tickets) problems.push(`tickets ${check.volume.tickets} != ${c.tickets}`);
  if (check.firstResponse.count !== c.responded)
    problems.push(`responded ${check.firstResponse.count} != ${c.responded}`);
  if (check.resolution.count !== c.resolved) problems.push(`resolved ${check.resolution.count} != ${c.resolved}`);
  if (check.reopens.reopened !== c.reopened) problems.push(`reopened ${check.reopens.reopened} != ${c.reopened}`);
  if (Math.abs((check.firstResponse.medianSeconds ?? 0) - c.fr_median) > 1)
    problems.push(`first response median ${check.firstResponse.medianSeconds} != ${c.fr_median}`);
  step(
    problems.length
      ? `facts check FAILED: ${problems.join('; ')}`
      : 'facts check: the report matches the seed (tickets, responded, resolved, reopened, median first response)',
  );

  async function ctxRun<T>(fn: () => Promise<T>): Promise<T> {
    return fn();
  }
  async function measure(label: string, fn: () => Promise<unknown>): Promise<number[]> {
    await fn(); // warm
    const times: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const start = performance.now();
      await fn();
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    step(
      `${label}: median ${ms(times[Math.floor(times.length / 2)])} (min ${ms(times[0])}, max ${ms(times[times.length - 1])})`,
    );
    return times;
  }
  const median = (xs: number[]) => xs[Math.floor(xs.length / 2)];
  const results: Array<[string, number]> = [];
  results.push([
    'overview, 1 year (all tickets)',
    median(await measure('overview, 1 year', () => reports.overview(year))),
  ]);
  results.push(['overview, last 30 days', median(await measure('overview, 30 days', () => reports.overview(month)))]);
  results.push([
    'scorecards by person, 1 year',
    median(await measure('scorecards, 1 year', () => reports.scorecards(year, 'person'))),
  ]);
  results.push([
    'touchpoints, 30 days',
    median(await measure('touchpoints, 30 days', () => reports.touchpoints(month))),
  ]);
  results.push([
    'raw SQL: main aggregate on ticket_facts, 1 year',
    median(
      await measure('baseline (facts aggregate)', () =>
        ds.query(
          `SELECT count(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY first_response_s), avg(first_response_s),
                  percentile_cont(0.9) WITHIN GROUP (ORDER BY first_response_s),
                  percentile_cont(0.5) WITHIN GROUP (ORDER BY resolution_s), avg(resolution_s)
           FROM ticket_facts WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3`,
          [TENANT, year.from, year.to],
        ),
      ),
    ),
  ]);
  const rawLog = await timed('raw SQL: first response + resolution straight from ticket_events, 1 year (once)', () =>
    ds.query(
      `WITH per AS (
         SELECT ticket_id, min(created_at) FILTER (WHERE type = 'ticket.created') AS created,
                min(created_at) FILTER (WHERE type = 'message.created' AND data->'message'->>'authorType' = 'user') AS first_at,
                max(created_at) FILTER (WHERE data->'changes'->'status'->>'to' = 'solved') AS solved
         FROM ticket_events WHERE tenant_id = $1 AND created_at >= $2 GROUP BY ticket_id)
       SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM first_at - created)) AS fr,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM solved - created)) AS res FROM per`,
      [TENANT, year.from],
    ),
  );
  results.push(['raw SQL: the same from ticket_events (no projection)', rawLog.ms]);

  const width = Math.max(...results.map(([l]) => l.length));
  const top = Math.max(...results.map(([, v]) => v));
  console.log(`\n  ${'report'.padEnd(width)}   median ms   (${fmt(c.tickets)} tickets, ${fmt(c.events)} events)`);
  for (const [label, v] of results)
    console.log(`  ${label.padEnd(width)}   ${v.toFixed(0).padStart(9)}   ${bar(v, top)}`);
  const main = results[0][1];
  console.log(
    `\n  projection rebuild: ${(rebuildMs / 1000).toFixed(1)} s for ${fmt(rebuilt)} tickets (${fmt(Math.round(rebuilt / (rebuildMs / 1000)))}/s)`,
  );
  console.log(`  overview 1 year / raw facts aggregate = ${(main / results[4][1]).toFixed(1)} x`);
  console.log(`  raw log / overview 1 year = ${(rawLog.ms / main).toFixed(1)} x`);
  console.log(
    `  main report over ${fmt(c.tickets)} tickets: ${ms(main)}   goal <= ${fmt(GOAL_MS)} ms   ${main <= GOAL_MS ? 'PASS' : 'FAIL'}`,
  );
  if (problems.length) throw new Error(`facts check failed: ${problems.join('; ')}`);
}

main()
  .then(async () => {
    await cleanup();
    step('done');
    process.exit(0);
  })
  .catch(async (err) => {
    warn(`failed: ${(err as Error)?.stack ?? err}`);
    await cleanup();
    process.exit(2);
  });
