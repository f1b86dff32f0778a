/**
 * bench/realtime-fanout — ticket events fanned out to a room of agent sockets, next to a bare socket.io server.
 *
 *   1. memory   one API process, RSS idle vs holding MEM_SOCKETS (10,000) authenticated /agents sockets in their
 *               rooms (one event is posted and must reach every socket)                     -> KB per socket
 *   2. fanout   SOCKETS (1,000) sockets; RATES (10, 50, 100) events/s and half load offered as open-loop HTTP
 *               writes, first to a bare socket.io 4 server (POST /emit: one same-size event each to its room),
 *               then to the API (POST /tickets/:id/messages, one `message.created` each, API-key sockets in the
 *               tenant's staff room); half load = where the bare server's core is half busy
 *                                                -> delivered/s, latency send -> receipt p50/p99 (end to end)
 *   3. overload 10 x the sustainable rate into the room while half of the client processes stop reading, RSS
 *               sampled every second, for the API (drops slow sockets) and the bare server (buffers without bound)
 *
 * Everything runs against a fresh database `crewdesk_rt_bench_<timestamp>` and Redis prefix, removed at the end
 * (also on failure or Ctrl-C). Run: `bench/realtime-fanout` (see bench/realtime-README.md for the settings).
 */
import { ChildProcess, execFileSync, fork, spawn } from 'child_process';
import { randomUUID } from 'crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'fs';
import { Agent, request } from 'http';
import { cpus, tmpdir } from 'os';
import { join } from 'path';
import { performance } from 'perf_hooks';
import { Client as PgClient } from 'pg';
import WebSocket from 'ws';
import {
  ADMIN_URL,
  apiEnv as benchApiEnv,
  cleanup,
  cleanupOnExit,
  databaseUrl,
  deleteRedisKeys,
  done,
  dropDatabase,
  fmt,
  freePort,
  MAIN_JS,
  newerSource,
  note,
  onCleanup,
  ROOT,
  run,
  setting,
  sleep,
  STAMP,
  step,
  stopOnce,
  stopProcess,
  textSetting,
  waitForHealth,
  warn,
} from './lib';
import { API_NODE_FLAGS as PRODUCT_NODE_FLAGS } from '../apps/api/src/cluster';

/* ------------------------------------------------------------------ settings */

const SOCKETS = Math.round(setting('SOCKETS', 1000));
const RATES = textSetting('RATES', '10,50,100')
  .split(',')
  .map((r) => Number(r.trim()))
  .filter((r) => r > 0);
const DURATION = setting('DURATION', 10);
const WARMUP = setting('WARMUP', 2);
const DRAIN = setting('DRAIN', 3);
/** Alternating bare/API windows at half load that judge the p99 goal (pooled per target). */
const HALF_ROUNDS = setting('HALF_ROUNDS', 3);
const MEM_SOCKETS = Math.round(setting('MEM_SOCKETS', 10_000));
const CLIENT_PROCS = Math.max(2, Math.round(setting('CLIENT_PROCS', 4)));
const OVERLOAD_DURATION = setting('OVERLOAD_DURATION', 20);
const OVERLOAD_RATE = setting('OVERLOAD_RATE', 0);
/** Pads the overload's notes to this many bytes (0: the usual ~100-byte note), to fill kernel buffers sooner. */
const OVERLOAD_BODY_BYTES = Math.round(setting('OVERLOAD_BODY_BYTES', 0));
const SLOW_MODE = textSetting('SLOW_MODE', 'stall') as 'stall' | 'cycle' | 'none';
const PHASES = new Set(textSetting('PHASES', 'memory,fanout,overload').split(','));
const CLIENT_KIND = textSetting('CLIENT', 'lean') as 'lean' | 'socket.io';
if (CLIENT_KIND !== 'lean' && CLIENT_KIND !== 'socket.io') throw new Error('CLIENT must be lean or socket.io');
/**
 * PIN=1 (default on 2+ cores) pins the server under test (API or bare) to CPU 0 and the client processes and this
 * load generator to the other CPUs, so the clients cannot starve the server they measure; PIN=0 lets the
 * scheduler place everything.
 */
const PIN = setting('PIN', 1) > 0 && cpus().length >= 2;
const SERVER_CPUS = '0';
const CLIENT_CPUS = `1-${cpus().length - 1}`;
function pin(pid: number, cpuList: string): void {
  if (!PIN) return;
  try {
    execFileSync('taskset', ['-a', '-p', '-c', cpuList, String(pid)], { stdio: 'ignore' });
  } catch {
    warn(`could not pin pid ${pid} to CPUs ${cpuList} (taskset)`);
  }
}
/** Opt-in phase `replay`: this many sockets reconnect at once, each REPLAY_BACK events behind. */
const STORM_SOCKETS = Math.round(setting('STORM_SOCKETS', 500));
const REPLAY_BACK = Math.round(setting('REPLAY_BACK', 2000));
const MAX_IN_FLIGHT = Math.round(setting('MAX_IN_FLIGHT', 64));
/**
 * Node/V8 flags of the API processes: by default those the product's start commands pass (`API_NODE_FLAGS` of
 * apps/api/src/cluster.ts); set to try others (`API_NODE_FLAGS=--concurrent-marking` for V8's usual helper threads).
 */
const API_NODE_FLAGS = textSetting('API_NODE_FLAGS', PRODUCT_NODE_FLAGS.join(' ')).split(/\s+/).filter(Boolean);
const TICKETS = 20;
const GOALS = { deliveryRatio: 0.7, p99Ratio: 1.5, kbPerSocket: 30, overloadRss: 2 };

const DB_NAME = `crewdesk_rt_bench_${STAMP}`;
const DB_URL = databaseUrl(DB_NAME);
const REDIS_PREFIX = `crewdesk-rtbench-${STAMP}`;
const EVENT = 'message.created';

/* ------------------------------------------------------------------ output helpers */

const nowMs = () => performance.timeOrigin + performance.now();
const mb = (kb: number) => `${fmt(kb / 1024)} MB`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/* ------------------------------------------------------------------ processes and cleanup */

cleanupOnExit();

/** Resident set of a process in KB (VmRSS), and its peak so far (VmHWM). */
function memory(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: field('VmRSS'), hwm: field('VmHWM') };
}
/** The median of `n` RSS samples one second apart: a settled figure rather than one moment. */
async function settledRss(pid: number, n = 5): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    if (i) await sleep(1000);
    xs.push(memory(pid).rss);
  }
  return median(xs);
}

/** CPU seconds (user + system) of every process, by pid, with its command name. */
const TICK = 100;
function processCpu(): Map<number, { comm: string; cpu: number }> {
  const out = new Map<number, { comm: string; cpu: number }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const f = stat.slice(close + 2).split(' ');
      out.set(Number(name), {
        comm: stat.slice(stat.indexOf('(') + 1, close),
        cpu: (Number(f[11]) + Number(f[12])) / TICK,
      });
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}
function machineBusy(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return (f.reduce((a, b) => a + b, 0) - f[3] - f[4]) / TICK; // all but idle and iowait
}
/**
 * Starts a CPU meter; stop() gives, in % of one core, the server process, the client processes, PostgreSQL and
 * Redis, this process (load generator), everything else on the machine (other work disturbing the run) and the total.
 */
function cpuMeter(serverPid: number, clientPids: number[]) {
  const t = nowMs();
  const p0 = processCpu();
  const m0 = machineBusy();
  return () => {
    const secs = (nowMs() - t) / 1000;
    const p1 = processCpu();
    const m1 = machineBusy();
    const by = { server: 0, clients: 0, db: 0, generator: 0 };
    for (const [pid, { comm, cpu }] of p1) {
      const used = cpu - (p0.get(pid)?.cpu ?? 0);
      if (pid === serverPid) by.server += used;
      else if (clientPids.includes(pid)) by.clients += used;
      else if (pid === process.pid) by.generator += used;
      else if (comm === 'postgres' || comm.startsWith('redis-server')) by.db += used;
    }
    const pct = (x: number) => (100 * x) / secs;
    const machine = pct(m1 - m0);
    const known = pct(by.server + by.clients + by.db + by.generator);
    return {
      server: pct(by.server),
      clients: pct(by.clients),
      db: pct(by.db),
      generator: pct(by.generator),
      other: Math.max(0, machine - known),
      machine,
    };
  };
}
type Cpu = ReturnType<ReturnType<typeof cpuMeter>>;
const cpuText = (c: Cpu, server: string) =>
  `CPU % of one core: ${server} ${fmt(c.server, 0)}, clients ${fmt(c.clients, 0)}, postgres+redis ${fmt(c.db, 0)}, ` +
  `load generator ${fmt(c.generator, 0)}, other processes ${fmt(c.other, 0)}; machine ${fmt(c.machine, 0)} of ${cpus().length * 100}`;

/**
 * Bytes waiting in the kernel's TCP queues of the connections to `port`: the server's send queues and the
 * clients' receive queues. A client that stops reading first fills these (loopback buffers are large); only
 * then does the server process itself start to buffer.
 */
function kernelQueues(port: number): { serverSendQ: number; clientRecvQ: number } {
  const out = { serverSendQ: 0, clientRecvQ: 0 };
  try {
    const text = execFileSync('ss', ['-tnH', 'state', 'established'], { encoding: 'utf8', maxBuffer: 64 << 20 });
    const suffix = `:${port}`;
    for (const line of text.split('\n')) {
      const [recvQ, sendQ, local, peer] = line.trim().split(/\s+/);
      if (local?.endsWith(suffix)) out.serverSendQ += Number(sendQ);
      else if (peer?.endsWith(suffix)) out.clientRecvQ += Number(recvQ);
    }
  } catch {
    /* no ss: leave zeros */
  }
  return out;
}

/* ------------------------------------------------------------------ forked children (IPC) */

class Child {
  private waiting = new Map<string, (msg: Record<string, unknown>) => void>();
  readonly ready: Promise<Record<string, unknown>>;
  exited = false;
  constructor(
    readonly name: string,
    readonly proc: ChildProcess,
  ) {
    proc.on('message', (msg: Record<string, unknown>) => {
      const w = this.waiting.get(msg.type as string);
      if (w) {
        this.waiting.delete(msg.type as string);
        w(msg);
      }
    });
    proc.on('exit', (code, signal) => {
      this.exited = true;
      for (const [type, w] of this.waiting) w({ type, error: `${name} exited with ${code ?? signal}` });
      this.waiting.clear();
    });
    this.ready = this.wait('ready', 60_000);
  }
  get pid(): number {
    return this.proc.pid!;
  }
  wait<T = Record<string, unknown>>(type: string, timeoutMs: number): Promise<T> {
    return new Promise((resolvePromise, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(type);
        reject(new Error(`${this.name}: no "${type}" within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.waiting.set(type, (msg) => {
        clearTimeout(timer);
        if (msg.error) reject(new Error(String(msg.error)));
        else resolvePromise(msg as T);
      });
    });
  }
  ask<T = Record<string, unknown>>(msg: Record<string, unknown>, reply: string, timeoutMs = 120_000): Promise<T> {
    const answer = this.wait<T>(reply, timeoutMs);
    this.proc.send(msg);
    return answer;
  }
  stop(): Promise<void> {
    return stopProcess(this.proc);
  }
}

function forkTs(file: string, name: string, execArgv: string[] = []): Child {
  const proc = fork(join(ROOT, 'bench', file), [], {
    cwd: ROOT,
    execArgv: ['-r', join(ROOT, 'scripts', 'register.js'), '--max-old-space-size=8192', ...execArgv],
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
  // The inspector's greetings stay out of the report; anything else a child prints on stderr is shown.
  proc.stderr!.on('data', (d: Buffer) => {
    const text = String(d)
      .split('\n')
      .filter((l) => l.trim() && !/^(Debugger (listening|attached|ending)|For help, see)/.test(l))
      .join('\n');
    if (text) process.stderr.write(`${name}: ${text}\n`);
  });
  const child = new Child(name, proc);
  onCleanup(name, () => child.stop());
  return child;
}

/* ------------------------------------------------------------------ latency histograms (0.1 ms buckets) */

type Sparse = Array<[number, number]>;
class Merged {
  private counts = new Map<number, number>();
  count = 0;
  max = 0;
  add(sparse: Sparse, max: number): void {
    for (const [b, c] of sparse) {
      this.counts.set(b, (this.counts.get(b) ?? 0) + c);
      this.count += c;
    }
    if (max > this.max) this.max = max;
  }
  merge(other: Merged): void {
    this.add([...other.counts], other.max);
  }
  percentile(p: number): number {
    if (!this.count) return NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (const b of [...this.counts.keys()].sort((a, c) => a - c)) {
      seen += this.counts.get(b)!;
      if (seen >= rank) return (b + 1) * 0.1; // the bucket's upper edge: never flatters
    }
    return this.max;
  }
}

/** Socket counts a client process keeps since its start. */
interface SocketCounts {
  received: number;
  windowMs: number;
  connected: number;
  disconnects: number;
  reconnects: number;
  connectErrors: number;
  replays: number;
  replayedEvents: number;
  replayBytes: number;
}

interface Mark extends SocketCounts {
  commit: Merged;
  send: Merged;
  perChild: Array<{ received: number; connected: number; disconnects: number; paused: boolean }>;
}

interface ChildMark extends SocketCounts {
  commit: Sparse;
  commitMax: number;
  send: Sparse;
  sendMax: number;
  paused: boolean;
}

/** The client processes, each holding a share of the sockets. */
class Clients {
  private seq = 0;
  constructor(readonly procs: Child[]) {}

  async connect(opts: {
    url: string;
    token?: string;
    total: number;
    readyEvent: 'connect' | 'replay';
    lastEventId?: string;
    concurrency?: number;
    timeoutMs?: number;
  }) {
    const share = (i: number) =>
      Math.floor(opts.total / this.procs.length) + (i < opts.total % this.procs.length ? 1 : 0);
    const started = nowMs();
    const results = await Promise.all(
      this.procs.map((p, i) =>
        p.ask<{ ok: number; failed: number; lastError: string }>(
          {
            cmd: 'connect',
            kind: CLIENT_KIND,
            url: opts.url,
            namespace: '/agents',
            token: opts.token,
            count: share(i),
            concurrency: opts.concurrency ?? 50,
            lastEventId: opts.lastEventId,
            event: EVENT,
            readyEvent: opts.readyEvent,
            timeoutMs: opts.timeoutMs ?? 20_000,
          },
          'connected',
          600_000,
        ),
      ),
    );
    const ok = results.reduce((a, r) => a + r.ok, 0);
    if (ok < 0.95 * opts.total)
      throw new Error(
        `only ${ok} of ${opts.total} sockets connected to ${opts.url}/agents; last error: ` +
          (results.map((r) => r.lastError).find(Boolean) ?? 'none'),
      );
    return { ok, failed: results.reduce((a, r) => a + r.failed, 0), seconds: (nowMs() - started) / 1000 };
  }

  async mark(): Promise<Mark> {
    const id = ++this.seq;
    const marks = await Promise.all(this.procs.map((p) => p.ask<ChildMark>({ cmd: 'mark', id }, 'mark')));
    const commit = new Merged();
    const send = new Merged();
    for (const m of marks) {
      commit.add(m.commit, m.commitMax);
      send.add(m.send, m.sendMax);
    }
    const sum = (k: keyof ChildMark) => marks.reduce((a, m) => a + (m[k] as number), 0);
    return {
      received: sum('received'),
      windowMs: marks.reduce((a, m) => a + m.windowMs, 0) / marks.length,
      commit,
      send,
      connected: sum('connected'),
      disconnects: sum('disconnects'),
      reconnects: sum('reconnects'),
      connectErrors: sum('connectErrors'),
      replays: sum('replays'),
      replayedEvents: sum('replayedEvents'),
      replayBytes: sum('replayBytes'),
      perChild: marks.map((m) => ({
        received: m.received,
        connected: m.connected,
        disconnects: m.disconnects,
        paused: m.paused,
      })),
    };
  }

  pause(which: Child[]) {
    return Promise.all(which.map((p) => p.ask({ cmd: 'pause' }, 'paused')));
  }
  resume(which: Child[]) {
    return Promise.all(which.map((p) => p.ask({ cmd: 'resume' }, 'resumed')));
  }
  trim(total: number) {
    const keep = Math.ceil(total / this.procs.length);
    return Promise.all(this.procs.map((p) => p.ask({ cmd: 'trim', keep }, 'trimmed')));
  }
  close() {
    return Promise.all(this.procs.map((p) => p.ask({ cmd: 'close' }, 'closed')));
  }
}

/* ------------------------------------------------------------------ HTTP: setup calls and the load generator */

const agent = new Agent({ keepAlive: true, maxSockets: MAX_IN_FLIGHT * 2 });

function post(base: string, path: string, body: unknown, token?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolvePromise, reject) => {
    const data = Buffer.from(JSON.stringify(body));
    const req = request(
      `${base}${path}`,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': data.length,
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        timeout: 60_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(data);
  });
}

async function api<T>(base: string, path: string, body: unknown, token?: string): Promise<T> {
  const res = await post(base, path, body, token);
  if (res.status !== 201 && res.status !== 200) throw new Error(`POST ${path} answered ${res.status}: ${res.text}`);
  return JSON.parse(res.text) as T;
}

/** The note each write adds; the stamp is the send time (epoch ms, 3 decimals), read back by the clients. */
const FILLER = ' The parcel was handed to the courier on Monday and should arrive within three working days.';
function noteBody(i: number, bytes = 0): string {
  const text = `rt-bench ${nowMs().toFixed(3)} internal note from the realtime load generator, write #${String(i).padStart(8, '0')}`;
  return bytes > text.length ? (text + FILLER.repeat(Math.ceil(bytes / FILLER.length))).slice(0, bytes) : text;
}

interface LoadResult {
  offered: number;
  issued: number;
  ok: number;
  failed: number;
  statuses: Record<string, number>;
  httpP50: number;
  httpP99: number;
  /** completion times of the 201s, for per-second and per-window counts */
  okAt: number[];
}

let writeSeq = 0;
/**
 * Open-loop writes: request k is due at start + k / rate; at most MAX_IN_FLIGHT at once, the rest wait their
 * turn (so a slow API sees its backlog, as it would from real clients). Issues nothing after `seconds`.
 */
function offer(
  base: string,
  key: string | undefined,
  pathOf: (i: number) => string,
  rate: number,
  seconds: number,
  bodyBytes = 0,
): Promise<LoadResult> {
  return new Promise((resolvePromise) => {
    const start = nowMs();
    const offered = Math.round(rate * seconds);
    const r: LoadResult = { offered, issued: 0, ok: 0, failed: 0, statuses: {}, httpP50: NaN, httpP99: NaN, okAt: [] };
    const lat: number[] = [];
    let inFlight = 0;
    let stopped = false;
    const finish = () => {
      if (!stopped || inFlight) return;
      lat.sort((a, b) => a - b);
      r.httpP50 = lat[Math.floor(lat.length * 0.5)];
      r.httpP99 = lat[Math.min(lat.length - 1, Math.ceil(lat.length * 0.99) - 1)];
      resolvePromise(r);
    };
    const fire = () => {
      const i = ++writeSeq;
      const sent = nowMs();
      inFlight++;
      r.issued++;
      post(base, pathOf(i), { body: noteBody(i, bodyBytes), internal: true }, key)
        .then((res) => {
          r.statuses[res.status] = (r.statuses[res.status] ?? 0) + 1;
          if (res.status === 201) {
            r.ok++;
            r.okAt.push(nowMs());
            lat.push(nowMs() - sent);
          } else r.failed++;
        })
        .catch((err) => {
          r.failed++;
          r.statuses[err.message] = (r.statuses[err.message] ?? 0) + 1;
        })
        .finally(() => {
          inFlight--;
          if (!stopped) setImmediate(tick);
          finish();
        });
    };
    const tick = () => {
      if (stopped) return;
      const t = nowMs() - start;
      if (t >= seconds * 1000) {
        stopped = true;
        return finish();
      }
      const due = Math.min(offered, Math.floor((t / 1000) * rate) + 1);
      while (r.issued < due && inFlight < MAX_IN_FLIGHT) fire();
      if (!timer) timer = setTimeout(onTimer, Math.max(1, start + (r.issued * 1000) / rate - nowMs()));
    };
    let timer: NodeJS.Timeout | undefined;
    const onTimer = () => {
      timer = undefined;
      tick();
    };
    tick();
  });
}

/** `offer`, saying what failed or was not taken in time; resolves with what a driver reports. */
async function offerReported(
  who: string,
  base: string,
  key: string | undefined,
  pathOf: (i: number) => string,
  rate: number,
  seconds: number,
  bodyBytes: number,
): Promise<{ emitted: number; httpP99: number; failed: number }> {
  const r = await offer(base, key, pathOf, rate, seconds, bodyBytes);
  if (r.failed) warn(`${r.failed} writes to the ${who} failed: ${JSON.stringify(r.statuses)}`);
  if (r.issued < r.offered) note(`the ${who} took ${r.issued} of ${r.offered} offered writes in time (backlog)`);
  return { emitted: r.ok, httpP99: r.httpP99, failed: r.failed };
}

/**
 * Why dist/ must be built first, or null. By default only when it is missing or predates the realtime gateway:
 * other work may be editing the sources meanwhile. BENCH_BUILD=auto also rebuilds when a source is newer,
 * BENCH_BUILD=always always does.
 */
function buildReason(): string | null {
  const mode = process.env.BENCH_BUILD ?? 'missing';
  if (mode === 'always') return 'BENCH_BUILD=always';
  if (!existsSync(MAIN_JS)) return 'dist/apps/api/main.js is missing';
  if (!readFileSync(MAIN_JS, 'utf8').includes('AgentsGateway')) return 'dist/apps/api/main.js has no realtime gateway';
  if (mode !== 'auto') return null;
  return newerSource(['apps/api/src', 'libs', 'migrations']);
}

/* ------------------------------------------------------------------ V8 inspector (diagnostics only) */

interface Heap {
  rss: number;
  heapUsed: number;
  external: number;
}
/**
 * Forces a full GC in a process started with --inspect and reads its memory (KB): how much of an RSS figure is
 * live data rather than garbage V8 has not collected yet. Used after the plain RSS figures are taken.
 */
async function gcAndMeasure(inspectPort: number, pid: number): Promise<Heap> {
  const [target] = (await (await fetch(`http://127.0.0.1:${inspectPort}/json/list`)).json()) as Array<{
    webSocketDebuggerUrl: string;
  }>;
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((r, j) => ws.once('open', r).once('error', j));
  let id = 0;
  const pending = new Map<number, (v: { result?: { result?: { value?: string } } }) => void>();
  ws.on('message', (m) => {
    const msg = JSON.parse(String(m));
    pending.get(msg.id)?.(msg);
    pending.delete(msg.id);
  });
  const call = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<{ result?: { result?: { value?: string } } }>((r) => {
      pending.set(++id, r);
      ws.send(JSON.stringify({ id, method, params }));
    });
  try {
    await call('HeapProfiler.collectGarbage');
    await call('HeapProfiler.collectGarbage');
    await sleep(500);
    const res = await call('Runtime.evaluate', {
      expression: 'JSON.stringify(process.memoryUsage())',
      returnByValue: true,
    });
    const mu = JSON.parse(res.result?.result?.value ?? '{}') as { heapUsed: number; external: number };
    return { rss: memory(pid).rss, heapUsed: mu.heapUsed / 1024, external: mu.external / 1024 };
  } finally {
    ws.close();
  }
}

/* ------------------------------------------------------------------ the API process */

interface Api {
  child: ChildProcess;
  pid: number;
  base: string;
  log: () => string;
  stop: () => Promise<void>;
}

let apiEnv: NodeJS.ProcessEnv;
let apiCount = 0;

async function startApi(inspectPort?: number): Promise<Api> {
  const port = await freePort();
  const n = ++apiCount;
  const env = { ...apiEnv, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` };
  const args = [...API_NODE_FLAGS, ...(inspectPort ? [`--inspect=127.0.0.1:${inspectPort}`] : []), MAIN_JS, 'serve'];
  const child = spawn('node', args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  pin(child.pid!, SERVER_CPUS);
  let log = '';
  child.stdout!.on('data', (d) => (log = (log + d).slice(-50_000)));
  child.stderr!.on('data', (d) => (log = (log + d).slice(-50_000)));
  const stop = stopOnce(child);
  onCleanup(`API process #${n}`, stop);
  const base = `http://127.0.0.1:${port}`;
  await waitForHealth(base, child, () => log);
  return { child, pid: child.pid!, base, log: () => log, stop };
}

/** Warnings and errors the API logged (LOG_LEVEL=warn), grouped by message. */
function apiWarnings(a: Api): string[] {
  const counts = new Map<string, number>();
  for (const line of a.log().split('\n')) {
    const text = line.trim();
    // The start-up banner and the inspector's greetings are not warnings.
    if (!text || /^(✔ Crewdesk is up|Debugger (listening|attached|ending)|For help, see)/.test(text)) continue;
    let msg = text.slice(0, 160);
    try {
      const j = JSON.parse(text);
      msg = `${j.level >= 50 ? 'error' : 'warn'}: ${j.msg}`;
    } catch {
      /* not JSON */
    }
    counts.set(msg, (counts.get(msg) ?? 0) + 1);
  }
  return [...counts].map(([m, c]) => `${c} x ${m}`);
}

/* ------------------------------------------------------------------ the phases */

interface RateResult {
  target: 'API' | 'bare';
  rate: number;
  emitted: number;
  emittedPerS: number;
  deliveredPerS: number;
  expectedPerS: number;
  completeness: number;
  p50: number;
  p99: number;
  max: number;
  sendP50: number;
  sendP99: number;
  httpP99: number;
  disconnects: number;
  cpu: Cpu;
  /** Latencies from the send stamp, for pooling windows. */
  sendHist: Merged;
}

interface Driver {
  target: 'API' | 'bare';
  pid: number;
  /** Offers `rate` events/s for `seconds`; resolves with how many were committed/emitted. */
  offer(rate: number, seconds: number): Promise<{ emitted: number; httpP99: number; failed: number }>;
}

async function measureRate(d: Driver, clients: Clients, rate: number, sockets: number): Promise<RateResult> {
  const before = await clients.mark();
  const running = d.offer(rate, WARMUP + DURATION);
  await sleep(WARMUP * 1000);
  const warm = await clients.mark();
  const meter = cpuMeter(
    d.pid,
    clients.procs.map((p) => p.pid),
  );
  await sleep(DURATION * 1000);
  const win = await clients.mark();
  const cpu = meter();
  const result = await running;
  await sleep(DRAIN * 1000);
  const drain = await clients.mark();
  const all = warm.received + win.received + drain.received;
  return {
    target: d.target,
    rate,
    emitted: result.emitted,
    emittedPerS: result.emitted / (WARMUP + DURATION),
    deliveredPerS: win.received / (win.windowMs / 1000),
    expectedPerS: rate * sockets,
    completeness: result.emitted ? all / (result.emitted * sockets) : NaN,
    p50: win.commit.percentile(50),
    p99: win.commit.percentile(99),
    max: win.commit.max,
    sendP50: win.send.percentile(50),
    sendP99: win.send.percentile(99),
    httpP99: result.httpP99,
    disconnects: drain.disconnects - before.disconnects,
    cpu,
    sendHist: win.send,
  };
}

function printRate(r: RateResult): void {
  note(
    `${r.target.padEnd(4)} ${String(r.rate).padStart(4)}/s offered: ${fmt(r.emittedPerS)} events/s, ` +
      `${fmt(r.deliveredPerS, 0)} deliveries/s (${fmt((100 * r.deliveredPerS) / r.expectedPerS, 0)}% of offered), ` +
      `${fmt(100 * r.completeness, 1)}% delivered after drain, p50 ${fmt(r.p50)} ms, p99 ${fmt(r.p99)} ms` +
      ` (from send: p50 ${fmt(r.sendP50)} / p99 ${fmt(r.sendP99)} ms; the writes' HTTP p99 ${fmt(r.httpP99)} ms)` +
      (r.disconnects ? `, ${r.disconnects} disconnects` : ''),
  );
  note(`     ${cpuText(r.cpu, r.target === 'API' ? 'API' : 'server')}`);
}

interface OverloadResult {
  target: 'API' | 'bare';
  rate: number;
  emittedPerS: number;
  idleRss: number;
  socketsRss: number;
  samples: number[];
  maxRss: number;
  hwm: number;
  afterRss: number;
  recoveryMaxRss: number;
  fastReceivedPerS: number;
  slowReceived: number;
  disconnects: number;
  reconnects: number;
  replayedEvents: number;
  connectedAtEnd: number;
  cpu: Cpu;
  kernel: { serverSendQ: number; clientRecvQ: number };
  /** After the recovery, a forced full GC (diagnostic): what of the growth was live data. */
  gc?: Heap;
}

async function overload(
  d: Driver,
  clients: Clients,
  pid: number,
  port: number,
  rate: number,
  idleRss: number,
  socketsRss: number,
): Promise<OverloadResult> {
  const slow = SLOW_MODE === 'none' ? [] : clients.procs.slice(0, Math.floor(clients.procs.length / 2));
  const slowIdx = new Set(slow.map((_, i) => i));
  const before = await clients.mark();
  const paused = await clients.pause(slow);
  note(
    `${paused.reduce((a, p) => a + Number(p.sockets), 0)} sockets in ${slow.length} of ${clients.procs.length} ` +
      `client processes stopped reading (${{ cycle: 'for 4 s of every 6 s', stall: 'for the whole run', none: 'SLOW_MODE=none' }[SLOW_MODE]})`,
  );
  const samples: number[] = [];
  const started = nowMs();
  const meter = cpuMeter(
    pid,
    clients.procs.map((p) => p.pid),
  );
  let cycleOn = true;
  let kernel = { serverSendQ: 0, clientRecvQ: 0 };
  const sampler = setInterval(() => {
    const s = Math.round((nowMs() - started) / 1000);
    const m = memory(pid).rss;
    samples.push(m);
    const k = kernelQueues(port);
    if (k.serverSendQ + k.clientRecvQ > kernel.serverSendQ + kernel.clientRecvQ) kernel = k;
    note(
      `  t=${String(s).padStart(2)}s  RSS ${mb(m).padStart(9)}  ${bar(m, idleRss * 4, 40).padEnd(40)}  ` +
        `kernel TCP queues: server send ${mb(k.serverSendQ / 1024)}, clients' receive ${mb(k.clientRecvQ / 1024)}`,
    );
    if (SLOW_MODE === 'cycle' && s % 6 === 4 && cycleOn) {
      cycleOn = false;
      void clients.resume(slow).catch(() => undefined);
    } else if (SLOW_MODE === 'cycle' && s % 6 === 0 && !cycleOn) {
      cycleOn = true;
      void clients.pause(slow).catch(() => undefined);
    }
  }, 1000);
  const result = await d.offer(rate, OVERLOAD_DURATION);
  clearInterval(sampler);
  const cpu = meter();
  const during = await clients.mark();
  const hwm = memory(pid).hwm;
  // Recovery: the slow clients read again, find they were dropped (API), reconnect and replay.
  await clients.resume(slow);
  const recovery: number[] = [];
  for (let i = 0; i < 8; i++) {
    await sleep(1000);
    recovery.push(memory(pid).rss);
  }
  const after = await clients.mark();
  const fastReceived = during.perChild.filter((_, i) => !slowIdx.has(i)).reduce((a, c) => a + c.received, 0);
  const slowReceived = during.perChild.filter((_, i) => slowIdx.has(i)).reduce((a, c) => a + c.received, 0);
  return {
    target: d.target,
    rate,
    emittedPerS: result.emitted / OVERLOAD_DURATION,
    idleRss,
    socketsRss,
    samples,
    maxRss: Math.max(...samples),
    hwm,
    afterRss: recovery[recovery.length - 1],
    recoveryMaxRss: Math.max(...recovery),
    fastReceivedPerS: fastReceived / (during.windowMs / 1000),
    slowReceived,
    disconnects: after.disconnects - before.disconnects,
    reconnects: after.reconnects - before.reconnects,
    replayedEvents: after.replayedEvents - before.replayedEvents,
    connectedAtEnd: after.connected,
    cpu,
    kernel,
  };
}

interface HalfLoad {
  rate: number;
  /** The bare server's CPU per event (ms) at the rate it was taken from, when there was one. */
  cpuMs?: number;
  from?: number;
}
/**
 * "Half load" is the rate at which the bare server keeps its core half busy on this machine: its CPU per event at
 * the busiest rate of the sweep it kept up with without saturating (>= 95 % of the offered deliveries, core < 90 %
 * busy), and half a core's worth of that. A saturated server sends several events per socket in one write, so its
 * throughput there overstates what it sustains event by event. Without such a rate, the rate of the sweep nearest
 * half the highest.
 */
function halfLoadOf(results: RateResult[]): HalfLoad {
  const bare = results.filter((r) => r.target === 'bare');
  const fit = bare
    .filter((r) => r.deliveredPerS >= 0.95 * r.expectedPerS && r.cpu.server < 90 && r.cpu.server >= 10)
    .sort((x, y) => y.cpu.server - x.cpu.server)[0];
  if (fit) {
    const cpuMs = (10 * fit.cpu.server) / fit.emittedPerS;
    return { rate: Math.max(1, Math.round(500 / cpuMs)), cpuMs, from: fit.rate };
  }
  const top = Math.max(...bare.map((r) => r.rate));
  return { rate: bare.map((r) => r.rate).reduce((a, r) => (Math.abs(r - top / 2) < Math.abs(a - top / 2) ? r : a)) };
}

function bar(value: number, max: number, width = 40): string {
  if (!Number.isFinite(value) || max <= 0) return '';
  const cells = Math.max(0, Math.min(width, (value / max) * width));
  const full = Math.floor(cells);
  return '█'.repeat(full) + (cells - full >= 0.5 ? '▌' : '');
}

interface MemResult {
  idle: number;
  withSockets: number;
  sockets: number;
  kb: number;
  connectS: number;
  reached: number;
  /** After forced full GCs: KB per socket of RSS and of live JS heap. */
  gc: { rssKb: number; heapKb: number };
}
const gcDelta = (withSockets: Heap, without: Heap, sockets: number) => ({
  rssKb: (withSockets.rss - without.rss) / sockets,
  heapKb: (withSockets.heapUsed - without.heapUsed) / sockets,
});

/* ------------------------------------------------------------------ main */

async function main(): Promise<void> {
  console.log(
    `bench/realtime-fanout — ${SOCKETS} sockets, rates ${RATES.join('/')} events/s, ${DURATION} s each ` +
      `(+${WARMUP} s warm-up, ${DRAIN} s drain), ${MEM_SOCKETS} sockets for memory, overload ${OVERLOAD_DURATION} s ` +
      `(${SLOW_MODE}), ${CLIENT_PROCS} client processes (${CLIENT_KIND} clients); ${cpus().length} cores, Node ${process.version}`,
  );
  // Other work on the machine skews every figure here: say so up front.
  {
    const p0 = processCpu();
    const m0 = machineBusy();
    await sleep(2000);
    const p1 = processCpu();
    const busy = (100 * (machineBusy() - m0)) / 2;
    const top = [...p1]
      .map(([pid, { comm, cpu }]) => ({ pid, comm, pct: (100 * (cpu - (p0.get(pid)?.cpu ?? cpu))) / 2 }))
      .filter((x) => x.pid !== process.pid && x.pct >= 5)
      .sort((a, b) => b.pct - a.pct)
      .slice(0, 4);
    const list = top.map((x) => `${x.comm} ${fmt(x.pct, 0)}%`).join(', ');
    if (busy > 15)
      warn(
        `the machine is already busy before the run: ${fmt(busy, 0)}% of one core (${list || 'short-lived processes'})`,
      );
    else note(`machine idle before the run (${fmt(busy, 0)}% of one core busy)`);
  }
  const why = buildReason();
  if (why) {
    step(`building the API (nest build api): ${why}`);
    await run('npx', ['--no-install', 'nest', 'build', 'api'], { timeoutMs: 300_000 });
    done('built');
  } else {
    const age = (Date.now() - statSync(MAIN_JS).mtimeMs) / 60_000;
    const stale = newerSource(['apps/api/src', 'libs', 'migrations']);
    if (stale)
      warn(`${stale}: this run measures the build of ${fmt(age, 0)} min ago (BENCH_BUILD=auto or always rebuilds)`);
    else note(`using dist/apps/api/main.js built ${fmt(age, 0)} min ago, newer than its sources`);
  }
  const fdLimit = Number((await run('bash', ['-c', 'ulimit -n'], { timeoutMs: 5000 })).stdout.trim());
  const fdNeeded = Math.max(MEM_SOCKETS, SOCKETS) + 500;
  if (fdLimit < fdNeeded)
    throw new Error(`ulimit -n is ${fdLimit}; the API process needs ~${fdNeeded} (run through bench/realtime-fanout)`);

  /* ---------- database, Redis prefix, environment */
  step(`creating database ${DB_NAME} (Redis prefix ${REDIS_PREFIX})`);
  const admin = new PgClient({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.end();
  onCleanup('database', async () => {
    const c = new PgClient({ connectionString: ADMIN_URL });
    await c.connect();
    try {
      await dropDatabase(c, DB_NAME);
      done(`dropped database ${DB_NAME}`);
    } finally {
      await c.end();
    }
  });
  onCleanup('Redis keys', async () => {
    const removed = await deleteRedisKeys(`${REDIS_PREFIX}*`);
    done(`removed ${removed} Redis keys under ${REDIS_PREFIX}`);
  });
  const dir = mkdtempSync(join(tmpdir(), 'crewdesk-rtbench-'));
  onCleanup('temp dir', async () => rmSync(dir, { recursive: true, force: true }));
  apiEnv = benchApiEnv({ dbUrl: DB_URL, redisPrefix: REDIS_PREFIX, storageDir: join(dir, 'storage') });

  step('node dist/apps/api/main.js setup (create, migrate, seed)');
  await run('node', [MAIN_JS, 'setup'], { env: apiEnv, timeoutMs: 180_000 });
  done('schema ready');

  /* ---------- client processes */
  step(`forking ${CLIENT_PROCS} client processes`);
  const procs = Array.from({ length: CLIENT_PROCS }, (_, i) =>
    forkTs('realtime-clients.ts', `client process ${i + 1}`),
  );
  await Promise.all(procs.map((p) => p.ready));
  for (const p of procs) pin(p.pid, CLIENT_CPUS);
  pin(process.pid, CLIENT_CPUS);
  const clients = new Clients(procs);
  done(
    `pids ${procs.map((p) => p.pid).join(', ')}` +
      (PIN
        ? `; servers pinned to CPU ${SERVER_CPUS}, clients and load generator to CPU ${CLIENT_CPUS} (PIN=0: unpinned)`
        : ''),
  );

  /* ---------- API #1: workspace, key, tickets; memory per socket */
  step(
    `starting API process #1 (RUN_WORKER=off, LOG_LEVEL=warn${API_NODE_FLAGS.length ? `, node ${API_NODE_FLAGS.join(' ')}` : ''})`,
  );
  let apiProc = await startApi();
  done(`pid ${apiProc.pid} on ${apiProc.base}`);
  step('signing up a workspace, making an API key (ticket.view_all, ticket.note, …) and tickets');
  const signup = await api<{ workspace: { id: string }; accessToken: string }>(apiProc.base, '/api/v1/workspaces', {
    name: 'Realtime Bench Co',
    slug: `rtbench-${STAMP.slice(-10)}`,
    admin: { email: 'admin@rtbench.example', name: 'Bench Admin', password: `pw-${randomUUID()}` },
  });
  const { key } = await api<{ key: string }>(
    apiProc.base,
    '/api/v1/api-keys',
    { name: 'realtime bench', permissions: ['ticket.create', 'ticket.view_all', 'ticket.note', 'ticket.reply'] },
    signup.accessToken,
  );
  const tickets: string[] = [];
  for (let i = 0; i < TICKETS; i++) {
    const t = await api<{ id: string }>(
      apiProc.base,
      '/api/v1/tickets',
      {
        subject: `Realtime bench ticket ${i + 1}`,
        body: 'Notes are added here.',
        requester: { email: `rt${i}@rtbench.example` },
      },
      key,
    );
    tickets.push(t.id);
  }
  done(`workspace ${signup.workspace.id}, ${tickets.length} tickets`);

  const notePath = (i: number) => `/api/v1/tickets/${tickets[i % tickets.length]}/messages`;
  const apiDriver = (bodyBytes = 0): Driver => ({
    target: 'API',
    pid: apiProc.pid,
    offer: (rate, seconds) => offerReported('API', apiProc.base, key, notePath, rate, seconds, bodyBytes),
  });
  const warmUp = async () => {
    const r = await offer(apiProc.base, key, notePath, 50, 2);
    if (r.failed) throw new Error(`warm-up writes failed: ${JSON.stringify(r.statuses)}`);
  };

  let memResult: MemResult | undefined;
  let bareMem: MemResult | undefined;
  if (PHASES.has('memory') && MEM_SOCKETS > 0) {
    // API #1 runs with --inspect, only to force a GC for the diagnostic figures after the plain RSS ones.
    await apiProc.stop();
    const inspectPort = await freePort();
    step(`memory: API #1 restarted with --inspect (diagnostics only); idle RSS after 100 writes, median of 5 samples`);
    apiProc = await startApi(inspectPort);
    await warmUp();
    await sleep(2000);
    const idle = await settledRss(apiProc.pid);
    done(`pid ${apiProc.pid}: idle RSS ${mb(idle)}`);
    step(`memory: connecting ${MEM_SOCKETS.toLocaleString('en-US')} API-key sockets to /agents`);
    const c = await clients.connect({ url: apiProc.base, token: key, total: MEM_SOCKETS, readyEvent: 'replay' });
    done(`${c.ok} connected and replayed, ${c.failed} failed, in ${fmt(c.seconds)} s (${fmt(c.ok / c.seconds, 0)}/s)`);
    await sleep(3000);
    await clients.mark();
    await offer(apiProc.base, key, notePath, 1, 1);
    await sleep(3000);
    const reach = await clients.mark();
    done(`one event posted: ${reach.received.toLocaleString('en-US')} of ${reach.connected} sockets received it`);
    const withSockets = await settledRss(apiProc.pid);
    const kb = (withSockets - idle) / c.ok;
    done(`RSS with ${c.ok} sockets ${mb(withSockets)}: ${fmt(kb)} KB per socket`);
    const gcWith = await gcAndMeasure(inspectPort, apiProc.pid);
    await clients.close();
    await sleep(3000);
    const gcWithout = await gcAndMeasure(inspectPort, apiProc.pid);
    memResult = {
      idle,
      withSockets,
      sockets: c.ok,
      kb,
      connectS: c.seconds,
      reached: reach.received,
      gc: gcDelta(gcWith, gcWithout, c.ok),
    };
    note(
      `diagnostic, after a forced full GC: RSS ${mb(gcWith.rss)} with the sockets, ${mb(gcWithout.rss)} once they closed ` +
        `-> ${fmt(memResult.gc.rssKb)} KB per socket; JS heap ${fmt(memResult.gc.heapKb)} KB per socket`,
    );
    await apiProc.stop();
  } else {
    await apiProc.stop();
  }

  /* ---------- API #2: fan-out sweep */
  const results: RateResult[] = [];
  let bare: Child | undefined;
  let barePort = 0;
  let template: Record<string, unknown> | undefined;
  const bareInspect = await freePort();
  const startBare = async (label: string, inspect = false) => {
    bare = forkTs('realtime-bare-server.ts', label, inspect ? [`--inspect=127.0.0.1:${bareInspect}`] : []);
    await bare.ready;
    pin(bare.pid, SERVER_CPUS);
    barePort = Number((await bare.ask({ cmd: 'listen' }, 'listening')).port);
    return bare;
  };
  /** The bare server, offered the same HTTP writes (`POST /emit`) by the same load generator as the API. */
  const bareDriver = async (b: Child, tpl = template, bodyBytes = 0): Promise<Driver> => {
    await b.ask({ cmd: 'template', event: EVENT, template: tpl }, 'template');
    return {
      target: 'bare',
      pid: b.pid,
      offer: (rate, seconds) =>
        offerReported(
          'bare server',
          `http://127.0.0.1:${barePort}`,
          undefined,
          () => '/emit',
          rate,
          seconds,
          bodyBytes,
        ),
    };
  };

  let halfLoad: HalfLoad | undefined;
  const halfRounds: RateResult[] = [];
  if (PHASES.has('fanout') || PHASES.has('overload')) {
    // One real event, captured as the bare server's template (same shape and size).
    step('starting API process #2: one real event as the template of the bare server');
    apiProc = await startApi();
    await warmUp();
    template = await captureTemplate(apiProc.base, key, tickets[0]);
    note(`event payload: ${JSON.stringify(template).length} bytes of JSON`);
    await apiProc.stop();
  }
  if (PHASES.has('fanout')) {
    // The bare server first: its capacity on this machine decides which rate is half load.
    step('starting the bare socket.io server');
    const b = await startBare('bare socket.io server #1', PHASES.has('memory') && MEM_SOCKETS > 0);
    const bareUrl = `http://127.0.0.1:${barePort}`;
    done(`pid ${b.pid} on ${bareUrl}`);
    if (PHASES.has('memory') && MEM_SOCKETS > 0) {
      await sleep(1000);
      const idle = await settledRss(b.pid);
      const m = await clients.connect({ url: bareUrl, total: MEM_SOCKETS, readyEvent: 'replay' });
      await sleep(6000);
      const withSockets = await settledRss(b.pid);
      const gcWith = await gcAndMeasure(bareInspect, b.pid);
      await clients.trim(SOCKETS);
      await sleep(3000);
      const gcFewer = await gcAndMeasure(bareInspect, b.pid);
      const left = Number((await b.ask({ cmd: 'sockets' }, 'sockets')).sockets);
      bareMem = {
        idle,
        withSockets,
        sockets: m.ok,
        kb: (withSockets - idle) / m.ok,
        connectS: m.seconds,
        reached: m.ok,
        gc: gcDelta(gcWith, gcFewer, m.ok - left),
      };
      done(
        `bare memory: idle ${mb(idle)}, with ${m.ok} sockets ${mb(withSockets)}: ${fmt(bareMem.kb)} KB per socket ` +
          `(after a forced GC: ${fmt(bareMem.gc.rssKb)} KB RSS, ${fmt(bareMem.gc.heapKb)} KB JS heap per socket)`,
      );
    } else {
      await clients.connect({ url: bareUrl, total: SOCKETS, readyEvent: 'replay' });
    }
    const bareSockets = Number((await b.ask({ cmd: 'sockets' }, 'sockets')).sockets);
    done(`${bareSockets} sockets in the bare server's room`);
    // Not measured: the first seconds after the sockets connected (their garbage collected, code optimized) made
    // the first rate's figures, the CPU per event that half load is taken from among them, look worse.
    await (await bareDriver(b)).offer(RATES[0], WARMUP + 2);
    for (const rate of RATES) {
      step(`bare: ${rate} events/s into a room of ${bareSockets} sockets`);
      const r = await measureRate(await bareDriver(b), clients, rate, bareSockets);
      results.push(r);
      printRate(r);
    }
    halfLoad = halfLoadOf(results);
    if (!RATES.includes(halfLoad.rate)) {
      step(
        `bare: ${halfLoad.rate} events/s, half load (${fmt(halfLoad.cpuMs!, 1)} ms CPU per event at ${halfLoad.from}/s)`,
      );
      const r = await measureRate(await bareDriver(b), clients, halfLoad.rate, bareSockets);
      results.push(r);
      printRate(r);
    }
    await clients.close();

    step('starting API process #3 for the fan-out sweep');
    apiProc = await startApi();
    done(`pid ${apiProc.pid}`);
    await warmUp();
    const c = await clients.connect({ url: apiProc.base, token: key, total: SOCKETS, readyEvent: 'replay' });
    done(`${c.ok} sockets connected and replayed in ${fmt(c.seconds)} s${c.failed ? `, ${c.failed} failed` : ''}`);
    await apiDriver().offer(RATES[0], WARMUP + 2); // not measured, as for the bare server
    for (const rate of [...new Set([...RATES, halfLoad.rate])].sort((x, y) => x - y)) {
      step(`API: ${rate} events/s into a room of ${c.ok} sockets`);
      const r = await measureRate(apiDriver(), clients, rate, c.ok);
      results.push(r);
      printRate(r);
    }
    await clients.close();

    // The p99 goal compares two servers measured a minute apart in the sweep, on a machine whose speed drifts and
    // whose tail at a few hundred events is set by a handful of hiccups. So half load is measured again in
    // alternating windows, bare then API, and each target's latencies are pooled over the windows. Both servers
    // keep their sockets throughout (the idle one's cost nothing), so no window follows a reconnection's garbage.
    step(`half load in ${HALF_ROUNDS} alternating rounds: ${SOCKETS} sockets on each server`);
    const bareConn = await clients.connect({ url: bareUrl, total: SOCKETS, readyEvent: 'replay' });
    const apiConn = await clients.connect({ url: apiProc.base, token: key, total: SOCKETS, readyEvent: 'replay' });
    done(`${bareConn.ok} + ${apiConn.ok} sockets`);
    const drivers = { bare: await bareDriver(b), API: apiDriver() };
    for (const d of Object.values(drivers)) await d.offer(halfLoad.rate, WARMUP + 2);
    for (let round = 1; round <= HALF_ROUNDS; round++) {
      for (const target of ['bare', 'API'] as const) {
        step(`half load, round ${round} of ${HALF_ROUNDS}: ${target}, ${halfLoad.rate} events/s`);
        const r = await measureRate(
          drivers[target],
          clients,
          halfLoad.rate,
          target === 'bare' ? bareConn.ok : apiConn.ok,
        );
        halfRounds.push(r);
        printRate(r);
      }
    }
    await clients.close();
    await b.stop();
    const warnings = apiWarnings(apiProc);
    if (warnings.length) note(`API #3 logged: ${warnings.slice(0, 5).join('; ')}`);
    await apiProc.stop();
  }

  /* ---------- overload: API #4 and bare #2, both fresh */
  const overloads: OverloadResult[] = [];
  let sustainable = NaN;
  let overloadRate = OVERLOAD_RATE;
  if (PHASES.has('overload')) {
    const apiRates = results.filter((r) => r.target === 'API');
    const ok = apiRates.filter((r) => r.deliveredPerS >= 0.95 * r.expectedPerS && r.completeness >= 0.99);
    sustainable = ok.length
      ? Math.max(...ok.map((r) => r.rate))
      : apiRates.length
        ? Math.max(...apiRates.map((r) => r.deliveredPerS / SOCKETS))
        : 100;
    if (!overloadRate) overloadRate = Math.round(10 * sustainable);
    step(`overload: ${overloadRate} events/s offered (10 x the sustainable ${fmt(sustainable, 0)}/s) — API process #4`);
    const ovInspect = await freePort();
    apiProc = await startApi(ovInspect);
    await warmUp();
    await sleep(2000);
    const idle = await settledRss(apiProc.pid, 3);
    const c = await clients.connect({ url: apiProc.base, token: key, total: SOCKETS, readyEvent: 'replay' });
    await sleep(2000);
    const socketsRss = await settledRss(apiProc.pid, 3);
    done(`pid ${apiProc.pid}: idle RSS ${mb(idle)}, ${mb(socketsRss)} with ${c.ok} sockets`);
    const bigTemplate = OVERLOAD_BODY_BYTES
      ? await captureTemplate(apiProc.base, key, tickets[0], OVERLOAD_BODY_BYTES)
      : template;
    if (OVERLOAD_BODY_BYTES)
      note(`overload notes of ${OVERLOAD_BODY_BYTES} bytes: events of ${JSON.stringify(bigTemplate).length} bytes`);
    const o = await overload(
      apiDriver(OVERLOAD_BODY_BYTES),
      clients,
      apiProc.pid,
      Number(new URL(apiProc.base).port),
      overloadRate,
      idle,
      socketsRss,
    );
    o.gc = await gcAndMeasure(ovInspect, apiProc.pid).catch(() => undefined);
    overloads.push(o);
    printOverload(o);
    const warnings = apiWarnings(apiProc);
    if (warnings.length) note(`API #4 logged: ${warnings.slice(0, 5).join('; ')}`);
    await clients.close();
    await apiProc.stop();

    step(`overload: ${overloadRate} events/s offered — bare socket.io server #2`);
    const b = await startBare('bare socket.io server #2', true);
    await sleep(1000);
    const bIdle = await settledRss(b.pid, 3);
    const bc = await clients.connect({ url: `http://127.0.0.1:${barePort}`, total: SOCKETS, readyEvent: 'replay' });
    await sleep(2000);
    const bSockets = await settledRss(b.pid, 3);
    done(`pid ${b.pid}: idle RSS ${mb(bIdle)}, ${mb(bSockets)} with ${bc.ok} sockets`);
    const bo = await overload(
      await bareDriver(b, bigTemplate, OVERLOAD_BODY_BYTES),
      clients,
      b.pid,
      barePort,
      overloadRate,
      bIdle,
      bSockets,
    );
    bo.gc = await gcAndMeasure(bareInspect, b.pid).catch(() => undefined);
    overloads.push(bo);
    printOverload(bo);
    await clients.close();
    await b.stop();
  }

  let storm: StormResult | undefined;
  if (PHASES.has('replay')) {
    step(
      `replay storm: ${STORM_SOCKETS} sockets reconnect at once, each ${REPLAY_BACK} events behind — API process #5 (--inspect)`,
    );
    const inspectPort = await freePort();
    apiProc = await startApi(inspectPort);
    await warmUp();
    const cursorEvent = await captureTemplate(apiProc.base, key, tickets[0]);
    let posted = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (posted < REPLAY_BACK) {
          const i = ++posted;
          await api(
            apiProc.base,
            `/api/v1/tickets/${tickets[i % tickets.length]}/messages`,
            {
              body: noteBody(i),
              internal: true,
            },
            key,
          );
        }
      }),
    );
    done(`${posted} events committed after event ${String(cursorEvent.id)}`);
    await sleep(2000);
    const idle = await settledRss(apiProc.pid, 3);
    const samples: number[] = [];
    const sampler = setInterval(() => samples.push(memory(apiProc.pid).rss), 200);
    const before = await clients.mark();
    const c = await clients.connect({
      url: apiProc.base,
      token: key,
      total: STORM_SOCKETS,
      readyEvent: 'replay',
      lastEventId: String(cursorEvent.id),
      concurrency: Math.ceil(STORM_SOCKETS / CLIENT_PROCS),
      timeoutMs: 180_000,
    });
    await sleep(2000);
    clearInterval(sampler);
    const after = await clients.mark();
    const gc = await gcAndMeasure(inspectPort, apiProc.pid).catch(() => undefined);
    storm = {
      sockets: c.ok,
      seconds: c.seconds,
      idle,
      peak: Math.max(...samples),
      hwm: memory(apiProc.pid).hwm,
      events: after.replayedEvents - before.replayedEvents,
      bytes: after.replayBytes - before.replayBytes,
      gc,
    };
    done(
      `${c.ok} sockets replayed ${storm.events.toLocaleString('en-US')} events (${mb(storm.bytes / 1024)}) in ${fmt(c.seconds)} s; ` +
        `RSS idle ${mb(idle)}, peak ${mb(storm.peak)} = ${fmt(storm.peak / idle, 2)} x idle`,
    );
    await clients.close();
    await apiProc.stop();
  }

  report(results, halfLoad, halfRounds, memResult, bareMem, overloads, sustainable, overloadRate, storm);
}

interface StormResult {
  sockets: number;
  seconds: number;
  idle: number;
  peak: number;
  hwm: number;
  events: number;
  bytes: number;
  gc?: Heap;
}

function printOverload(o: OverloadResult): void {
  note(
    `${o.target}: ${fmt(o.emittedPerS)} events/s ${o.target === 'API' ? 'committed' : 'emitted'}; max RSS ${mb(o.maxRss)} ` +
      `= ${fmt(o.maxRss / o.idleRss, 2)} x idle (${mb(o.idleRss)}), peak VmHWM ${mb(o.hwm)}; ` +
      `fast clients ${fmt(o.fastReceivedPerS, 0)} deliveries/s; ${o.disconnects} disconnects, ${o.reconnects} reconnects, ` +
      `${o.replayedEvents.toLocaleString('en-US')} events replayed; after recovery RSS ${mb(o.afterRss)} ` +
      `(max ${mb(o.recoveryMaxRss)}), ${o.connectedAtEnd} sockets connected; peak kernel TCP queues ` +
      `${mb((o.kernel.serverSendQ + o.kernel.clientRecvQ) / 1024)}; ${cpuText(o.cpu, o.target === 'API' ? 'API' : 'server')}` +
      (o.gc ? `; diagnostic, after a forced GC: RSS ${mb(o.gc.rss)}, JS heap ${mb(o.gc.heapUsed)}` : ''),
  );
}

async function captureTemplate(
  base: string,
  key: string,
  ticket: string,
  bodyBytes = 0,
): Promise<Record<string, unknown>> {
  // Read one event back through a socket of our own, the same way the clients see it.
  const { io } = await import('socket.io-client');
  const socket = io(`${base}/agents`, { transports: ['websocket'], forceNew: true, auth: { token: key } });
  try {
    let timer: NodeJS.Timeout | undefined;
    const timeout = (what: string) =>
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`template capture: no ${what} within 15 s`)), 15_000);
      });
    await Promise.race([new Promise<void>((r) => socket.once('replay', () => r())), timeout('replay')]);
    clearTimeout(timer);
    const got = new Promise<Record<string, unknown>>((r) => socket.once(EVENT, r));
    await api(base, `/api/v1/tickets/${ticket}/messages`, { body: noteBody(0, bodyBytes), internal: true }, key);
    const event = await Promise.race([got, timeout(EVENT)]);
    clearTimeout(timer);
    return event;
  } finally {
    socket.close();
  }
}

/* ------------------------------------------------------------------ the report */

function report(
  results: RateResult[],
  halfLoad: HalfLoad | undefined,
  halfRounds: RateResult[],
  mem: MemResult | undefined,
  bareMem: MemResult | undefined,
  overloads: OverloadResult[],
  sustainable: number,
  overloadRate: number,
  storm?: StormResult,
): void {
  const verdicts: Array<[boolean, string]> = [];
  console.log(
    '\n══════════════════════════════════════════ realtime fan-out ══════════════════════════════════════════',
  );
  if (results.length) {
    // API rows first, each target by rate (the bare server is measured first, and half load may come last).
    results = [...results].sort((x, y) => (x.target === y.target ? x.rate - y.rate : x.target === 'API' ? -1 : 1));
    console.log(
      `\n${SOCKETS} sockets in one room; latency = event createdAt (API: commit; bare: request handled) -> receipt, and from the writer's send stamp, in the clients\n`,
    );
    console.log(
      '  offered  target   events/s  deliveries/s  of offered  delivered  p50 ms   p99 ms   max ms │ CPU srv/cli/pg/other │ from send p50/p99 ms',
    );
    for (const r of results) {
      console.log(
        `  ${String(r.rate).padStart(5)}/s  ${r.target.padEnd(6)} ${fmt(r.emittedPerS).padStart(9)} ${fmt(r.deliveredPerS, 0).padStart(13)}` +
          ` ${(fmt((100 * r.deliveredPerS) / r.expectedPerS, 0) + '%').padStart(11)} ${(fmt(100 * r.completeness, 1) + '%').padStart(10)}` +
          ` ${fmt(r.p50).padStart(7)} ${fmt(r.p99).padStart(8)} ${fmt(r.max, 0).padStart(8)} │ ` +
          `${[r.cpu.server, r.cpu.clients, r.cpu.db, r.cpu.other].map((x) => fmt(x, 0).padStart(3)).join(' ')} %`.padEnd(
            20,
          ) +
          ' │ ' +
          `${fmt(r.sendP50)} / ${fmt(r.sendP99)}`,
      );
    }
    const maxDel = Math.max(...results.map((r) => r.deliveredPerS));
    const maxP99 = Math.max(...results.map((r) => r.sendP99));
    console.log(
      '  (CPU: % of one core for the server under test, the client processes, PostgreSQL+Redis, and other processes\n' +
        '   on the machine that are not part of this run; "of offered" = deliveries/s / (offered rate x sockets))',
    );
    console.log('\n  deliveries/s');
    for (const r of results)
      console.log(
        `  ${String(r.rate).padStart(5)}/s ${r.target.padEnd(5)} ${bar(r.deliveredPerS, maxDel, 50)} ${fmt(r.deliveredPerS, 0)}`,
      );
    console.log('\n  p99 latency end to end, from send (ms)');
    for (const r of results)
      console.log(
        `  ${String(r.rate).padStart(5)}/s ${r.target.padEnd(5)} ${bar(r.sendP99, maxP99, 50)} ${fmt(r.sendP99)}`,
      );

    console.log('\n  API / bare');
    const half = halfLoad?.rate;
    if (halfLoad)
      console.log(
        halfLoad.cpuMs
          ? `  half load: ${half}/s, where the bare server's core is half busy (${fmt(halfLoad.cpuMs, 1)} ms CPU per event at ${halfLoad.from}/s)`
          : `  half load: ${half}/s, the rate nearest half the highest (no unsaturated bare rate to measure its CPU at)`,
      );
    for (const rate of [...new Set(results.map((r) => r.rate))]) {
      const a = results.find((r) => r.target === 'API' && r.rate === rate);
      const b = results.find((r) => r.target === 'bare' && r.rate === rate);
      if (!a || !b) continue;
      const dr = a.deliveredPerS / b.deliveredPerS;
      // End to end: from the writer's send stamp to receipt (the commit/handling stamp leaves out a server's backlog).
      const pr = a.sendP99 / b.sendP99;
      console.log(
        `  ${String(rate).padStart(5)}/s  deliveries ${fmt(dr, 2)} x bare   p99 end to end ${fmt(pr, 2)} x bare ` +
          `(${fmt(a.sendP99)} vs ${fmt(b.sendP99)} ms; from commit/handling ${fmt(a.p99 / b.p99, 2)} x)`,
      );
      verdicts.push([
        dr >= GOALS.deliveryRatio,
        `deliveries/s at ${rate}/s: ${fmt(dr, 2)} x bare (goal >= ${GOALS.deliveryRatio})`,
      ]);
      if (rate === half && !halfRounds.length)
        verdicts.push([
          pr <= GOALS.p99Ratio,
          `p99 end to end at ${rate}/s (half load): ${fmt(pr, 2)} x bare (goal <= ${GOALS.p99Ratio})`,
        ]);
    }
    if (halfRounds.length) {
      const pooled = (target: 'API' | 'bare') => {
        const m = new Merged();
        for (const r of halfRounds) if (r.target === target) m.merge(r.sendHist);
        return m;
      };
      const [a, b] = [pooled('API'), pooled('bare')];
      const pr = a.percentile(99) / b.percentile(99);
      console.log(
        `\n  half load ${half}/s in ${halfRounds.length / 2} alternating rounds (bare, then API; ${DURATION} s each), end to end from send:`,
      );
      for (let i = 0; i + 1 < halfRounds.length; i += 2) {
        const [rb, ra] = [halfRounds[i], halfRounds[i + 1]];
        console.log(
          `  round ${i / 2 + 1}: API p50 ${fmt(ra.sendP50)} / p99 ${fmt(ra.sendP99)} ms, bare p50 ${fmt(rb.sendP50)} / p99 ${fmt(rb.sendP99)} ms` +
            ` -> p99 ${fmt(ra.sendP99 / rb.sendP99, 2)} x; CPU API ${fmt(ra.cpu.server, 0)} %, bare ${fmt(rb.cpu.server, 0)} %`,
        );
      }
      console.log(
        `  pooled: API p50 ${fmt(a.percentile(50))} / p99 ${fmt(a.percentile(99))} ms, bare p50 ${fmt(b.percentile(50))} / p99 ${fmt(b.percentile(99))} ms -> p99 ${fmt(pr, 2)} x bare`,
      );
      verdicts.push([
        pr <= GOALS.p99Ratio,
        `p99 end to end at ${half}/s (half load, ${halfRounds.length / 2} alternating rounds pooled): ${fmt(pr, 2)} x bare (goal <= ${GOALS.p99Ratio})`,
      ]);
    }
  }
  if (mem) {
    console.log(`\n  memory per socket (RSS, /proc/<pid>/status VmRSS)`);
    console.log(
      `  API   idle ${mb(mem.idle)}, with ${mem.sockets.toLocaleString('en-US')} sockets ${mb(mem.withSockets)} -> ${fmt(mem.kb)} KB per socket` +
        ` (connected in ${fmt(mem.connectS)} s; ${mem.reached.toLocaleString('en-US')} received the test event)`,
    );
    if (bareMem)
      console.log(
        `  bare  idle ${mb(bareMem.idle)}, with ${bareMem.sockets.toLocaleString('en-US')} sockets ${mb(bareMem.withSockets)} -> ${fmt(bareMem.kb)} KB per socket`,
      );
    console.log('  diagnostic, after forced full GCs (V8 inspector): KB per socket of RSS and of live JS heap');
    console.log(`  API   ${fmt(mem.gc.rssKb)} KB RSS, ${fmt(mem.gc.heapKb)} KB JS heap`);
    if (bareMem) console.log(`  bare  ${fmt(bareMem.gc.rssKb)} KB RSS, ${fmt(bareMem.gc.heapKb)} KB JS heap`);
    verdicts.push([
      mem.kb <= GOALS.kbPerSocket && mem.reached >= mem.sockets,
      `memory per socket: ${fmt(mem.kb)} KB with ${mem.sockets.toLocaleString('en-US')} sockets (goal <= ${GOALS.kbPerSocket} KB)`,
    ]);
  }
  if (overloads.length) {
    console.log(
      `\n  overload: ${overloadRate} events/s offered (10 x sustainable ${fmt(sustainable, 0)}/s), ${OVERLOAD_DURATION} s, ` +
        `half the client processes not reading (${SLOW_MODE})`,
    );
    for (const o of overloads) {
      console.log(
        `  ${o.target.padEnd(5)} ${fmt(o.emittedPerS).padStart(7)} events/s  idle ${mb(o.idleRss)}  with sockets ${mb(o.socketsRss)}  ` +
          `max ${mb(o.maxRss)} = ${fmt(o.maxRss / o.idleRss, 2)} x idle  (VmHWM ${mb(o.hwm)}; after recovery ${mb(o.afterRss)}, ` +
          `recovery max ${mb(o.recoveryMaxRss)})  ${o.disconnects} disconnects / ${o.reconnects} reconnects`,
      );
      console.log(
        `        slow sockets' backlog in the kernel at its peak: ${mb((o.kernel.serverSendQ + o.kernel.clientRecvQ) / 1024)}` +
          (o.gc ? `; after recovery and a forced GC: RSS ${mb(o.gc.rss)}, live JS heap ${mb(o.gc.heapUsed)}` : ''),
      );
      const scale = Math.max(...overloads.flatMap((x) => x.samples));
      console.log(`  ${o.target} RSS per second:`);
      o.samples.forEach((s, i) => console.log(`    ${String(i + 1).padStart(3)}s ${bar(s, scale, 50)} ${mb(s)}`));
    }
    const a = overloads.find((o) => o.target === 'API');
    if (a)
      verdicts.push([
        a.maxRss <= GOALS.overloadRss * a.idleRss,
        `overload: API max RSS ${mb(a.maxRss)} = ${fmt(a.maxRss / a.idleRss, 2)} x idle (goal <= ${GOALS.overloadRss} x)`,
      ]);
  }
  if (storm) {
    console.log(
      `\n  replay storm: ${storm.sockets} sockets reconnected at once, each ${REPLAY_BACK} events behind (opt-in phase)`,
    );
    console.log(
      `  API   ${storm.events.toLocaleString('en-US')} events replayed = ${mb(storm.bytes / 1024)} in ${fmt(storm.seconds)} s; ` +
        `RSS idle ${mb(storm.idle)}, peak ${mb(storm.peak)} = ${fmt(storm.peak / storm.idle, 2)} x idle (VmHWM ${mb(storm.hwm)})` +
        (storm.gc
          ? `; afterwards, after a forced GC: RSS ${mb(storm.gc.rss)}, live JS heap ${mb(storm.gc.heapUsed)}`
          : ''),
    );
  }
  console.log('');
  for (const [ok, text] of verdicts) console.log(`  ${ok ? 'PASS' : 'FAIL'}  ${text}`);
  console.log('');
}

main()
  .catch((err) => {
    warn(`failed: ${err?.stack ?? err}`);
    process.exitCode = 1;
  })
  .finally(async () => {
    step('cleaning up');
    await cleanup();
    agent.destroy();
    process.exit(process.exitCode ?? 0);
  });
