/**
 * bench/tickets-create — how fast does `POST /api/v1/tickets` create tickets, next to the raw rate of the
 * very same SQL statement?
 *
 *   1. the API (built dist/, `serve`) under autocannon, every request a new requester     -> tickets/s, p50, p99
 *   2. pgbench running the statement `buildInsertTicket` builds, as literals               -> rows/s, p50, p99
 *   3. the same statement through `pg` from Node (a Pool, N concurrent loops)              -> rows/s, p50, p99
 *
 * Everything runs against a fresh database `crewdesk_bench_<timestamp>`, dropped at the end.
 * Run: `bench/tickets-create [--duration=15] [--connections=50] [--warmup=10]` (or DURATION, CONNECTIONS, WARMUP).
 */
import autocannon from 'autocannon';
import { spawn } from 'child_process';
import { randomUUID } from 'crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { cpus, loadavg, tmpdir } from 'os';
import { join } from 'path';
import { performance } from 'perf_hooks';
import { Pool } from 'pg';
import { cleanText, textToHtml } from '@crewdesk/common';
import { API_NODE_FLAGS } from '../apps/api/src/cluster';
import { ActorRef, buildInsertTicket, NewTicketRow } from '../libs/tickets/src/tickets.repository';
import {
  apiEnv,
  backendPids,
  bar,
  cleanupOnExit,
  cpuMeter,
  CpuReading,
  createDatabase,
  databaseUrl,
  deleteRedisKeys,
  done,
  fmt,
  freePort,
  MAIN_JS,
  mergeCpu,
  newerSource,
  onCleanup,
  processTree,
  ROOT,
  run,
  runMain,
  setting,
  STAMP,
  step,
  stopOnce,
  waitForHealth,
  warn,
} from './lib';

/* ------------------------------------------------------------------ settings */

const DURATION = setting('DURATION', 30, { positive: true });
/** Turns each source takes: DURATION is split into this many slices per source, run API, pgbench, node-pg, … */
const ROUNDS = Math.max(1, Math.round(setting('ROUNDS', 5, { positive: true })));
const CONNECTIONS = Math.round(setting('CONNECTIONS', 50, { positive: true }));
/** Long enough for V8 to optimise the API's hot paths: the figure is a long-running server's, not a cold one's. */
const WARMUP = setting('WARMUP', 10, { positive: true });
const GOAL = 0.5;
/** The API's own pool; the product default unless DATABASE_POOL_SIZE is set for the run. */
const API_POOL = process.env.DATABASE_POOL_SIZE ?? '20';
/** API processes (node:cluster behind one port), as a production machine runs them: one per CPU unless set. */
const API_WORKERS = process.env.API_WORKERS ?? 'auto';
const DB_NAME = `crewdesk_bench_${STAMP}`;
const DB_URL = databaseUrl(DB_NAME);
const REDIS_PREFIX = `crewdesk-bench-${STAMP}`;

/** What every request sends (only the requester's email changes) and what the baselines insert. */
const SUBJECT = 'Order #4711 has not arrived';
const BODY =
  'Hello, I ordered a pair of running shoes two weeks ago and the parcel has still not arrived. Could you check where it is? Thanks, Sam';
const REQUESTER_NAME = 'Sam Bench';
const EMAIL_DOMAIN = 'bench.example';

/* ------------------------------------------------------------------ stats */

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

/* ------------------------------------------------------------------ processes and cleanup */

cleanupOnExit();

/** Why dist/ must be built first, or null: missing, or older than a source it is built from (BENCH_BUILD=auto). */
function buildReason(): string | null {
  const mode = process.env.BENCH_BUILD ?? 'auto';
  if (mode === 'always') return 'BENCH_BUILD=always';
  if (!existsSync(MAIN_JS)) return 'dist/apps/api/main.js is missing';
  if (mode === 'never') return null;
  return newerSource(['apps/api/src', 'apps/worker/src', 'libs', 'migrations']);
}

/* ------------------------------------------------------------------ the API phase */

async function api<T>(base: string, path: string, body: unknown, token?: string): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== 201 && res.status !== 200) throw new Error(`POST ${path} answered ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

interface LoadResult {
  seconds: number;
  created: number;
  sent: number;
  responses: number;
  statuses: Record<string, number>;
  errors: number;
  timeouts: number;
  p50: number;
  p99: number;
  avg: number;
  /** Every 201's round trip, ms. */
  latencies: number[];
}

/** The API's recent output, shown when the run fails. */
let serverLog = '';
let emailCounter = 0;
/** 201s from the diagnostic request a failing run makes. */
let extraApiRows = 0;
async function loadApi(base: string, key: string, connections: number, seconds: number): Promise<LoadResult> {
  let sent = 0;
  let responses = 0;
  const statuses: Record<string, number> = {};
  const latencies: number[] = [];
  const instance = autocannon({
    url: `${base}/api/v1/tickets`,
    connections,
    duration: seconds,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        // Every request a different requester, so each one adds a customer as a real intake would.
        setupRequest: (req) => ({
          ...req,
          body: JSON.stringify({
            subject: SUBJECT,
            body: BODY,
            requester: { email: `ac-${++emailCounter}@${EMAIL_DOMAIN}`, name: REQUESTER_NAME },
          }),
        }),
      },
    ],
    setupClient: (client) => {
      client.on('request', () => sent++);
      client.on('response', (status: number, _bytes: number, ms: number) => {
        responses++;
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status === 201) latencies.push(ms);
      });
    },
  });
  const result = await instance;
  return {
    seconds: result.duration,
    created: statuses['201'] ?? 0,
    sent,
    responses,
    statuses,
    errors: result.errors,
    timeouts: result.timeouts,
    p50: result.latency.p50,
    p99: result.latency.p99,
    avg: result.latency.average,
    latencies,
  };
}

/** The API's slices as one run: counts and time added up, latencies pooled. */
function mergeLoads(slices: LoadResult[]): LoadResult {
  const latencies = slices.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const statuses: Record<string, number> = {};
  for (const r of slices) for (const [k, v] of Object.entries(r.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  const sum = (f: (r: LoadResult) => number) => slices.reduce((a, r) => a + f(r), 0);
  return {
    seconds: sum((r) => r.seconds),
    created: sum((r) => r.created),
    sent: sum((r) => r.sent),
    responses: sum((r) => r.responses),
    statuses,
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    avg: mean(latencies),
    latencies,
  };
}

/** A baseline's slices as one run. */
function mergeRaw(slices: RawResult[]): RawResult {
  const latencies = slices.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const rows = slices.reduce((a, r) => a + r.rows, 0);
  const seconds = slices.reduce((a, r) => a + r.seconds, 0);
  return {
    rows,
    seconds,
    rate: rows / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    avg: mean(latencies),
    latencies,
  };
}

/* ------------------------------------------------------------------ the statement, as the API builds it */

/** The row TicketsService.create hands to the repository for this request body from an API key. */
function ticketRow(id: string, messageId: string, email: string): NewTicketRow {
  const text = cleanText(BODY);
  const html = textToHtml(text);
  const tags: string[] = [];
  const author: ActorRef = { type: 'customer', id: null };
  return {
    id,
    subject: cleanText(SUBJECT).trim(),
    priority: 'normal',
    channel: 'api',
    requester: { email: email.trim().toLowerCase(), name: REQUESTER_NAME },
    assigneeId: null,
    teamId: null,
    tags,
    customFields: {},
    message: { id: messageId, text, html, author, externalId: null },
    idempotency: undefined,
    eventData: {
      id,
      subject: SUBJECT,
      status: 'new',
      priority: 'normal',
      channel: 'api',
      assigneeId: null,
      teamId: null,
      tags,
      message: { id: messageId, kind: 'public', authorType: author.type, body: text, html },
    },
  };
}

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
function sqlLiteral(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof Date) return quote(v.toISOString());
  // Arrays only ever appear before an explicit cast (`::text[]`, `::uuid[]`) in the statements.
  if (Array.isArray(v)) return v.length ? `ARRAY[${v.map(sqlLiteral).join(', ')}]` : `'{}'`;
  if (typeof v === 'object') return quote(JSON.stringify(v));
  return quote(String(v));
}

/** `$n` -> the n-th value as an SQL literal (one pass, so a literal is never rescanned). */
function inlineParams(sql: string, values: unknown[]): string {
  return sql.replace(/\$(\d+)\b/g, (_, n: string) => {
    const i = Number(n) - 1;
    if (i < 0 || i >= values.length) throw new Error(`the statement uses $${n} but has ${values.length} values`);
    return sqlLiteral(values[i]);
  });
}

/** A pgbench expression for a fresh UUID-shaped value: decimal digits are valid hex digits. */
function pgbenchUuid(name: string): { set: string[]; text: string } {
  const parts: Array<[string, number]> = [
    [`${name}a`, 8],
    [`${name}b`, 4],
    [`${name}c`, 4],
    [`${name}d`, 4],
    [`${name}e`, 12],
  ];
  return {
    set: parts.map(([v, digits]) => `\\set ${v} random(${10 ** (digits - 1)}, ${10 ** digits - 1})`),
    text: parts.map(([v]) => `:${v}`).join('-'),
  };
}

function pgbenchScript(tenantId: string, actor: ActorRef): string {
  const sentinel = {
    ticket: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa',
    message: 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb',
    request: 'cccccccc-cccc-4ccc-8ccc-cccccccccccc',
    email: `pgb-sentinel@${EMAIL_DOMAIN}`,
  };
  const { sql, values } = buildInsertTicket(
    tenantId,
    sentinel.request,
    ticketRow(sentinel.ticket, sentinel.message, sentinel.email),
    actor,
  );
  let text = inlineParams(sql, values);
  const ticket = pgbenchUuid('bt');
  const message = pgbenchUuid('bm');
  const request = pgbenchUuid('br');
  const swaps: Array<[string, string]> = [
    [sentinel.ticket, ticket.text],
    [sentinel.message, message.text],
    [sentinel.request, request.text],
    // The ticket's random id makes the requester unique too.
    [sentinel.email, `pgb-${ticket.text}@${EMAIL_DOMAIN}`],
  ];
  for (const [from, to] of swaps) {
    if (!text.includes(from)) throw new Error(`buildInsertTicket no longer carries ${from}; update the bench`);
    text = text.split(from).join(to);
  }
  if (/\$\d/.test(text)) throw new Error('a $n placeholder survived inlining');
  return [
    '-- generated by bench/tickets-create.ts from buildInsertTicket(); one transaction = one ticket',
    ...ticket.set,
    ...message.set,
    ...request.set,
    `${text.trim()};`,
    '',
  ].join('\n');
}

/* ------------------------------------------------------------------ the raw phases */

interface RawResult {
  rows: number;
  seconds: number;
  rate: number;
  p50: number;
  p99: number;
  avg: number;
  /** Every transaction's time, ms. */
  latencies: number[];
}

/** `limit` is `{ seconds }` for a timed run (-T) or `{ transactions }` per client (-t). */
async function runPgbench(
  script: string,
  dir: string,
  connections: number,
  limit: { seconds: number } | { transactions: number },
): Promise<RawResult> {
  const u = new URL(DB_URL);
  const file = join(dir, 'tickets-create.sql');
  writeFileSync(file, script);
  const logs = join(dir, 'log');
  const args = [
    '-n',
    '-h',
    u.hostname,
    '-p',
    u.port || '5432',
    '-U',
    decodeURIComponent(u.username || 'postgres'),
    '-c',
    String(connections),
    '-j',
    String(Math.min(2, connections)),
    ...('seconds' in limit ? ['-T', String(limit.seconds)] : ['-t', String(limit.transactions)]),
    '-f',
    file,
    '--log',
    `--log-prefix=${join(logs, 'pgbench')}`,
    DB_NAME,
  ];
  const env = { ...process.env, PGPASSWORD: decodeURIComponent(u.password ?? '') || process.env.PGPASSWORD };
  rmSync(logs, { recursive: true, force: true });
  mkdirSync(logs);
  const { stdout } = await run('pgbench', args, {
    env,
    timeoutMs: (('seconds' in limit ? limit.seconds : 0) + 60) * 1000,
  });
  const num = (re: RegExp) => {
    const m = stdout.match(re);
    if (!m) throw new Error(`could not read ${re} from pgbench:\n${stdout}`);
    return Number(m[1]);
  };
  const rows = num(/number of transactions actually processed:\s*(\d+)/);
  const failed = stdout.match(/number of failed transactions:\s*(\d+)/);
  if (failed && Number(failed[1]) > 0) throw new Error(`pgbench had ${failed[1]} failed transactions:\n${stdout}`);
  const tps = num(/tps = ([\d.]+) \(without initial connection time\)/);
  // Per-transaction logs: "client_id transaction_no time_us script_no epoch epoch_us".
  const latencies: number[] = [];
  for (const f of readdirSync(logs)) {
    for (const line of readFileSync(join(logs, f), 'utf8').split('\n')) {
      const fields = line.split(' ');
      if (fields.length >= 6) latencies.push(Number(fields[2]) / 1000);
    }
  }
  if (latencies.length !== rows) warn(`pgbench logged ${latencies.length} transactions, reported ${rows}`);
  latencies.sort((a, b) => a - b);
  return {
    rows,
    seconds: rows / tps,
    rate: tps,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    avg: mean(latencies),
    latencies,
  };
}

const PREPARED_NAME = 'bench_ticket_create';
/**
 * `connections` loops for `seconds` on a pool of their own, opened before the clock starts and closed after (the
 * API's pool and pgbench's connections must fit under PostgreSQL's max_connections beside it).
 */
async function runNodePg(tenantId: string, actor: ActorRef, connections: number, seconds: number): Promise<RawResult> {
  const pool = new Pool({ connectionString: DB_URL, max: connections, application_name: 'crewdesk-bench' });
  try {
    return await loopNodePg(pool, tenantId, actor, connections, seconds);
  } finally {
    await pool.end();
  }
}

async function loopNodePg(
  pool: Pool,
  tenantId: string,
  actor: ActorRef,
  connections: number,
  seconds: number,
): Promise<RawResult> {
  // Open every connection before the clock starts (pgbench's tps leaves connection time out too).
  const clients = await Promise.all(Array.from({ length: connections }, () => pool.connect()));
  clients.forEach((c) => c.release());
  const latencies: number[] = [];
  let rows = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  const loop = async () => {
    while (performance.now() < deadline) {
      const began = performance.now();
      const id = randomUUID();
      const { sql, values } = buildInsertTicket(
        tenantId,
        randomUUID(),
        ticketRow(id, randomUUID(), `node-${id}@${EMAIL_DOMAIN}`),
        actor,
      );
      // Prepared by name, as the API runs it (queryPrepared): parsed and planned once per connection.
      const res = await pool.query({ name: PREPARED_NAME, text: sql, values });
      if (res.rowCount !== 1) throw new Error(`the statement returned ${res.rowCount} rows`);
      latencies.push(performance.now() - began);
      rows++;
    }
  };
  await Promise.all(Array.from({ length: connections }, loop));
  const took = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    rows,
    seconds: took,
    rate: rows / took,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    avg: mean(latencies),
    latencies,
  };
}

/* ------------------------------------------------------------------ main */

async function main(): Promise<number> {
  console.log(
    `Crewdesk bench — tickets-create: POST /api/v1/tickets vs the same SQL statement (pgbench, node-pg)\n` +
      `  connections ${CONNECTIONS}, duration ${DURATION} s (warm-up ${WARMUP} s), ${cpus().length} cores, node ${process.version}, API_WORKERS ${API_WORKERS}, DATABASE_POOL_SIZE ${API_POOL} per process`,
  );
  const [load1] = loadavg();
  console.log(
    `  load average ${load1.toFixed(2)} before the run${load1 > cpus().length / 2 ? ' — other work on this machine will skew the figures' : ''}\n`,
  );
  const stale = buildReason();
  if (stale) {
    step(`${stale}: npm run build`);
    await run('npm', ['run', 'build'], { timeoutMs: 300_000 });
    done('built');
  }
  const { pgVersion } = await createDatabase(DB_NAME);
  onCleanup('redis keys', async () => {
    const removed = await deleteRedisKeys(`${REDIS_PREFIX}:*`);
    done(`removed ${removed} Redis keys under ${REDIS_PREFIX}:`);
  });
  const dir = mkdtempSync(join(tmpdir(), 'crewdesk-bench-'));
  onCleanup('temp dir', async () => rmSync(dir, { recursive: true, force: true }));
  done('created');

  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...apiEnv({ dbUrl: DB_URL, redisPrefix: REDIS_PREFIX, storageDir: join(dir, 'storage') }),
    DATABASE_POOL_SIZE: API_POOL,
    API_WORKERS,
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
  };

  step('node dist/apps/api/main.js setup (migrate + seed)');
  await run('node', [MAIN_JS, 'setup'], { env, timeoutMs: 180_000 });
  done('schema ready');

  step(`starting the API on 127.0.0.1:${port} (LOG_LEVEL=warn, REDIS_PREFIX=${REDIS_PREFIX})`);
  // The product's flags (as its start commands pass them), then BENCH_API_NODE_ARGS (e.g. --cpu-prof).
  const nodeArgs = [...API_NODE_FLAGS, ...(process.env.BENCH_API_NODE_ARGS ?? '').split(' ').filter(Boolean)];
  const server = spawn('node', [...nodeArgs, MAIN_JS, 'serve'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout.on('data', (d) => (serverLog = (serverLog + d).slice(-20_000)));
  server.stderr.on('data', (d) => (serverLog = (serverLog + d).slice(-20_000)));
  const stopServer = stopOnce(server);
  onCleanup('API server', stopServer);
  const base = `http://127.0.0.1:${port}`;
  await waitForHealth(base, server, () => serverLog);
  done('/health is up');

  const bench = new Pool({ connectionString: DB_URL, max: 2, application_name: 'crewdesk-bench-check' });
  onCleanup('check pool', () => bench.end());

  step('signing up a workspace and making an API key (ticket.create)');
  const slug = `bench-${STAMP.slice(-10)}`;
  const signup = await api<{ workspace: { id: string }; accessToken: string }>(base, '/api/v1/workspaces', {
    name: 'Bench Co',
    slug,
    admin: { email: `admin@${EMAIL_DOMAIN}`, name: 'Bench Admin', password: `bench-${randomUUID()}` },
  });
  const apiKey = await api<{ id: string; key: string }>(
    base,
    '/api/v1/api-keys',
    { name: 'bench', permissions: ['ticket.create'] },
    signup.accessToken,
  );
  const tenantId = signup.workspace.id;
  const actor: ActorRef = { type: 'api_key', id: apiKey.id };
  done(`workspace ${slug} (${tenantId}), key ${apiKey.key.slice(0, 10)}…`);

  step(`warming up the API: ${WARMUP} s at ${CONNECTIONS} connections`);
  const warm = await loadApi(base, apiKey.key, CONNECTIONS, WARMUP);
  done(`${warm.created} tickets (${fmt(warm.created / warm.seconds)}/s)`);

  step('building the same statement with buildInsertTicket() for this tenant and API key');
  const script = pgbenchScript(tenantId, actor);
  done(`pgbench script: ${script.split('\n').length} lines (ids and requester email random per transaction)`);
  step('pgbench check: one transaction');
  const check = await runPgbench(script, dir, 1, { transactions: 1 }).catch(async (err) => {
    throw new Error(`pgbench could not run the statement: ${err.message}`);
  });
  done(`ok: ${check.rows} ticket in ${fmt(check.avg)} ms`);

  step(`warming up node-pg: ${WARMUP} s`);
  const nodeWarm = await runNodePg(tenantId, actor, CONNECTIONS, WARMUP);
  done(`${nodeWarm.rows} rows (${fmt(nodeWarm.rate)}/s)`);
  await bench.query('CHECKPOINT');

  // The three sources take turns in short slices, so a slower minute of a shared machine (its CPUs' speed drifts
  // by a third here) falls on all of them alike rather than on whichever ran then.
  const slice = DURATION / ROUNDS;
  const apiSlices: LoadResult[] = [];
  const pgbSlices: RawResult[] = [];
  const nodeSlices: RawResult[] = [];
  const apiCpu: CpuReading[] = [];
  const pgbCpu: CpuReading[] = [];
  const nodeCpu: CpuReading[] = [];
  const problems: string[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    step(`round ${round}/${ROUNDS}: ${fmt(slice, 1)} s each of API (autocannon), pgbench, node-pg`);
    const apiMeter = await cpuMeter({
      api: () => processTree(server.pid!),
      postgres: () => backendPids(bench),
      load: () => [process.pid],
    });
    const load = await loadApi(base, apiKey.key, CONNECTIONS, slice);
    // The API's after-commit work that trails a burst (the 2 s fact refresh) belongs to its slice.
    await new Promise((r) => setTimeout(r, 2500));
    apiCpu.push(await apiMeter());
    apiSlices.push(load);
    await bench.query('CHECKPOINT');

    const pgbMeter = await cpuMeter({
      pgbench: () => processTree(process.pid).filter((pid) => pid !== process.pid),
      postgres: () => backendPids(bench),
    });
    const pgb = await runPgbench(script, dir, CONNECTIONS, { seconds: slice });
    pgbCpu.push(await pgbMeter());
    pgbSlices.push(pgb);
    await bench.query('CHECKPOINT');

    const nodeMeter = await cpuMeter({ node: () => [process.pid], postgres: () => backendPids(bench) });
    const node = await runNodePg(tenantId, actor, CONNECTIONS, slice);
    nodeCpu.push(await nodeMeter());
    nodeSlices.push(node);
    await bench.query('CHECKPOINT');
    done(
      `API ${fmt(load.created / load.seconds)}/s, pgbench ${fmt(pgb.rate)}/s, node-pg ${fmt(node.rate)}/s ` +
        `(API / pgbench ${(load.created / load.seconds / pgb.rate).toFixed(2)} in this round)`,
    );
  }
  const load = mergeLoads(apiSlices);
  const pgb = mergeRaw(pgbSlices);
  const node = mergeRaw(nodeSlices);
  const apiRate = load.created / load.seconds;
  const non2xx =
    load.responses - Object.entries(load.statuses).reduce((a, [s, c]) => a + (s.startsWith('2') ? c : 0), 0);
  done(
    `API ${load.created} tickets in ${fmt(load.seconds, 2)} s = ${fmt(apiRate)} tickets/s, p50 ${fmt(load.p50)} ms, p99 ${fmt(load.p99)} ms, non-2xx ${non2xx}, errors ${load.errors}`,
  );
  for (const [what, r] of [
    ['warm-up', warm],
    ['run', load],
  ] as const) {
    const bad = Object.entries(r.statuses).filter(([s]) => s !== '201');
    if (bad.length) problems.push(`API ${what}: non-201 responses ${bad.map(([s, c]) => `${s}×${c}`).join(', ')}`);
    if (r.errors || r.timeouts) problems.push(`API ${what}: ${r.errors} connection errors, ${r.timeouts} timeouts`);
  }
  if (non2xx || !load.created) {
    // Show what the API says to one such request, so a broken run explains itself.
    const res = await fetch(`${base}/api/v1/tickets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey.key}` },
      body: JSON.stringify({
        subject: SUBJECT,
        body: BODY,
        requester: { email: `ac-${++emailCounter}@${EMAIL_DOMAIN}`, name: REQUESTER_NAME },
      }),
    });
    const sample = `${res.status} ${(await res.text()).slice(0, 500)}`;
    if (res.status === 201) extraApiRows++;
    warn(`${non2xx} non-2xx responses; one more request now answers: ${sample}`);
  }

  // Requests in flight when autocannon stopped got no answer but may still commit: wait for the rows to settle.
  const apiSent = warm.sent + load.sent;
  const api201 = warm.created + load.created + extraApiRows;
  const apiUnanswered = apiSent - warm.responses - load.responses;
  step(`letting ${apiUnanswered} request(s) cut off at the ends of the slices settle, then stopping the API`);
  const rowsBySource = async () => {
    const { rows } = await bench.query<{ src: string; n: string }>(
      `SELECT split_part(c.email, '-', 1) AS src, count(*) AS n
         FROM tickets t JOIN customers c ON c.id = t.requester_id AND c.tenant_id = t.tenant_id
        WHERE t.tenant_id = $1 GROUP BY 1`,
      [tenantId],
    );
    return Object.fromEntries(rows.map((r) => [r.src, Number(r.n)])) as Record<string, number>;
  };
  let apiRows = -1;
  for (let stable = 0, i = 0; stable < 4 && i < 60; i++) {
    const n = (await rowsBySource()).ac ?? 0;
    stable = n === apiRows ? stable + 1 : 0;
    apiRows = n;
    await new Promise((r) => setTimeout(r, 250));
  }
  await stopServer();
  done(`API stopped; ${apiRows} API tickets in the database`);

  step('verifying row counts');
  await bench.query('ANALYZE'); // fresh tables: without statistics the checks below can pick nested loops over 50k rows
  const by = await rowsBySource();
  const { rows: totals } = await bench.query(
    `SELECT (SELECT count(*) FROM tickets WHERE tenant_id = $1)::int AS tickets,
            (SELECT count(*) FROM customers WHERE tenant_id = $1)::int AS customers,
            (SELECT count(*) FROM messages WHERE tenant_id = $1)::int AS messages,
            (SELECT count(*) FROM ticket_events WHERE tenant_id = $1 AND type = 'ticket.created')::int AS events,
            (SELECT count(*) FROM audit_log WHERE tenant_id = $1 AND action = 'ticket.created')::int AS audits,
            (SELECT count(*) FROM ticket_facts WHERE tenant_id = $1)::int AS facts`,
    [tenantId],
  );
  const total = totals[0] as Record<string, number>;
  const pgbRows = check.rows + pgb.rows;
  const nodeRows = nodeWarm.rows + node.rows;
  const late = (by.ac ?? 0) - api201;
  const expected = api201 + late + pgbRows + nodeRows;
  const lines: Array<[string, number, number | string]> = [
    ['API (201 responses; warm-up + run)', by.ac ?? 0, `${api201}${late ? ` + ${late} cut off at the end` : ''}`],
    ['pgbench (check + run)', by.pgb ?? 0, pgbRows],
    ['node-pg (warm-up + run)', by.node ?? 0, nodeRows],
    ['tickets', total.tickets, expected],
    ['customers', total.customers, expected],
    ['messages', total.messages, expected],
    ['ticket.created events', total.events, expected],
    ['ticket.created audit rows', total.audits, expected],
    ['ticket facts rows', total.facts, expected],
  ];
  for (const [what, got, want] of lines)
    console.log(`    ${what.padEnd(36)} ${String(got).padStart(8)}   expected ${want}`);
  if (late < 0 || late > apiUnanswered)
    problems.push(`API rows ${by.ac ?? 0} do not match ${api201} answers (+ at most ${apiUnanswered} cut off)`);
  if ((by.pgb ?? 0) !== pgbRows) problems.push(`pgbench rows ${by.pgb ?? 0} != ${pgbRows}`);
  if ((by.node ?? 0) !== nodeRows) problems.push(`node-pg rows ${by.node ?? 0} != ${nodeRows}`);
  for (const k of ['tickets', 'customers', 'messages', 'events', 'audits', 'facts'])
    if (total[k] !== expected) problems.push(`${k}: ${total[k]} != ${expected}`);
  // Same rows: every column the three sources should agree on, with per-row values (ids, emails) as relations.
  const { rows: shapes } = await bench.query<{ src: string; shape: unknown; n: number; no_request_id: number }>(
    `SELECT split_part(c.email, '-', 1) AS src, count(*)::int AS n, jsonb_build_object(
        'ticket', jsonb_build_object('subject', t.subject, 'status', t.status, 'priority', t.priority, 'channel', t.channel,
                  'tags', t.tags, 'customFields', t.custom_fields, 'assignee', t.assignee_id, 'team', t.team_id, 'version', t.version),
        'customer', jsonb_build_object('name', c.name, 'phone', c.phone),
        'message', jsonb_build_object('kind', m.kind, 'authorType', m.author_type, 'authorIsRequester', m.author_id = t.requester_id,
                  'text', m.body_text, 'html', m.body_html, 'channel', m.channel, 'externalId', m.external_id),
        'event', jsonb_build_object('type', e.type, 'actorType', e.actor_type, 'actorId', e.actor_id, 'visibility', e.visibility,
                  'keys', (SELECT jsonb_agg(k ORDER BY k) FROM jsonb_object_keys(e.data) k), 'idIsTicket', e.data->>'id' = t.id::text,
                  'messageIsMessage', e.data->'message'->>'id' = m.id::text, 'number', (e.data->>'number')::bigint = t.number,
                  'requesterIsCustomer', e.data->'requester'->>'id' = c.id::text, 'subject', e.data->>'subject'),
        'audit', jsonb_build_object('actorType', a.actor_type, 'actorId', a.actor_id, 'entityType', a.entity_type,
                  'eventIsEvent', (a.data->>'eventId')::bigint = e.id),
        'facts', jsonb_build_object('status', f.status, 'channel', f.channel, 'customerMessages', f.customer_messages,
                  'staffReplies', f.staff_replies, 'createdAtIsTicket', f.created_at = t.created_at,
                  'lastEventIsEvent', f.last_event_id = e.id)) AS shape,
            count(*) FILTER (WHERE a.request_id IS NULL)::int AS no_request_id
       FROM tickets t
       JOIN customers c ON c.id = t.requester_id AND c.tenant_id = t.tenant_id
       JOIN messages m ON m.ticket_id = t.id AND m.tenant_id = t.tenant_id
       JOIN ticket_events e ON e.ticket_id = t.id AND e.tenant_id = t.tenant_id AND e.type = 'ticket.created'
       JOIN audit_log a ON a.entity_id = t.id AND a.tenant_id = t.tenant_id AND a.action = 'ticket.created'
       JOIN ticket_facts f ON f.ticket_id = t.id AND f.tenant_id = t.tenant_id
      WHERE t.tenant_id = $1
      GROUP BY 1, 3 ORDER BY 1`,
    [tenantId],
  );
  const distinct = new Set(shapes.map((r) => JSON.stringify(r.shape)));
  const sources = new Set(shapes.map((r) => r.src));
  if (distinct.size === 1 && sources.size === 3 && shapes.length === 3) {
    done('the rows are the same: API, pgbench and node-pg tickets agree on every checked column of the 6 tables');
  } else {
    problems.push(`the three sources wrote different rows (${shapes.length} shapes over ${sources.size} sources)`);
    for (const r of shapes) console.log(`    ${r.src} ×${r.n}: ${JSON.stringify(r.shape)}`);
  }
  // The request id is per request by design; the API's own rows show whether it reaches the audit log.
  const apiNoRequestId = shapes.filter((r) => r.src === 'ac').reduce((a, r) => a + r.no_request_id, 0);
  if (apiNoRequestId)
    warn(
      `note: ${apiNoRequestId} of the API's ticket.created audit rows have no request_id (TenantContext.requestId was unset); the baselines pass one, as buildInsertTicket expects`,
    );
  if (problems.length) warn('counts, responses or rows are off (see below)');
  else done('every 201 is one ticket, customer, message, event, audit and facts row; so is every raw transaction');

  /* --------------------------------------------------------------- report */
  const apiProcesses = API_WORKERS === 'auto' ? cpus().length : Number(API_WORKERS);
  const rowsOut: Array<[string, number, number, number, number, number]> = [
    [`API  POST /api/v1/tickets ×${apiProcesses}`, apiRate, load.p50, load.p99, load.avg, load.created],
    ['pgbench, same SQL', pgb.rate, pgb.p50, pgb.p99, pgb.avg, pgb.rows],
    ['node-pg, same SQL, prepared', node.rate, node.p50, node.p99, node.avg, node.rows],
  ];
  const maxRate = Math.max(...rowsOut.map((r) => r[1]));
  const BAR = 32;
  const header = `  ${'source'.padEnd(31)} ${'rows/s'.padStart(9)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'avg ms'.padStart(8)} ${'rows'.padStart(8)}`;
  console.log(
    `\nResults (${CONNECTIONS} concurrent, ${DURATION} s each in ${ROUNDS} turns, fresh database, PostgreSQL ${pgVersion})\n`,
  );
  console.log(header);
  console.log(`  ${'-'.repeat(header.length - 2)}`);
  for (const [name, rate, p50, p99, avg, rows] of rowsOut) {
    console.log(
      `  ${name.padEnd(31)} ${fmt(rate).padStart(9)} ${fmt(p50).padStart(8)} ${fmt(p99).padStart(8)} ${fmt(avg).padStart(8)} ${String(rows).padStart(8)}  ${bar(rate, maxRate, BAR)}`,
    );
  }
  // Where the CPU goes: ms per row of each process group (steadier than rows/s when the machine is not quiet).
  const perRow = (r: CpuReading, rows: number, client: string) =>
    `${client} ${fmt(r.ms[client === 'API' ? 'api' : client] / rows, 2)} ms + postgres ${fmt(r.ms.postgres / rows, 2)} ms` +
    (r.ms.load !== undefined ? ` (+ autocannon ${fmt(r.ms.load / rows, 2)} ms)` : '') +
    (r.otherCores > 0.25 || r.stolenCores > 0.25
      ? `  ✖ other load ${fmt(r.otherCores, 2)} cores${r.stolenCores >= 0.01 ? `, stolen ${fmt(r.stolenCores, 2)}` : ''}: rates are low`
      : '');
  console.log(`\n  CPU per row      ${perRow(mergeCpu(apiCpu), load.created, 'API')}`);
  console.log(`                   ${perRow(mergeCpu(pgbCpu), pgb.rows, 'pgbench')}`);
  console.log(`                   ${perRow(mergeCpu(nodeCpu), node.rows, 'node')}`);
  const vsPgbench = apiRate / pgb.rate;
  const vsNode = apiRate / node.rate;
  const pass = vsPgbench >= GOAL;
  console.log(
    `\n  API / pgbench = ${vsPgbench.toFixed(2)}   goal >= ${GOAL.toFixed(2)}   ${pass ? 'PASS' : 'FAIL'}` +
      `\n  API / node-pg = ${vsNode.toFixed(2)}` +
      `\n  API / pgbench by round: ${apiSlices.map((a, i) => (a.created / a.seconds / pgbSlices[i].rate).toFixed(2)).join(', ')}` +
      `\n\n  ×${apiProcesses}: API processes behind one port (API_WORKERS=${API_WORKERS}). pgbench sends the statement with its` +
      `\n  values as literals (simple protocol); node-pg and the API run it as a named prepared statement.` +
      `\n  The API also authenticates every request (the API key, read from PostgreSQL at most every 3 s), validates and` +
      `\n  serializes JSON; the baselines run only the create statement (customer upsert, ticket, message, event, audit, facts).` +
      `\n  API p50/p99 are autocannon's (HTTP round trip); pgbench's come from its per-transaction log; node-pg's are` +
      `\n  measured around pool.query(). All three share the machine's ${cpus().length} cores with PostgreSQL.`,
  );
  if (problems.length) {
    console.log(`\n  RUN INVALID:\n${problems.map((p) => `    ✖ ${p}`).join('\n')}`);
    return 1;
  }
  return pass ? 0 : 2;
}

runMain(main, (err) => {
  console.error(`\nbench/tickets-create failed: ${err?.stack ?? err}`);
  if (serverLog.trim())
    console.error(`\n--- the API's last output\n${serverLog.trim().split('\n').slice(-40).join('\n')}`);
});
