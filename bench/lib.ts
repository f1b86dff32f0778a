// Helpers shared by the bench scripts.
import { ChildProcess, spawn } from 'child_process';
import { randomUUID } from 'crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import Redis from 'ioredis';
import { AddressInfo, createServer } from 'net';
import { cpus } from 'os';
import { join, resolve } from 'path';
import { performance } from 'perf_hooks';
import { Client as PgClient } from 'pg';

/** The repository's root. */
export const ROOT = resolve(__dirname, '..');

/* ------------------------------------------------------------------ settings */

/** `--name=value` (the name in any case) from the command line, else the environment variable NAME. */
function rawSetting(name: string): string | undefined {
  const flag = process.argv.slice(2).find((a) => a.toLowerCase().startsWith(`--${name.toLowerCase()}=`));
  return flag ? flag.split('=')[1] : process.env[name];
}

/**
 * A numeric setting (see rawSetting), `fallback` when unset or empty. It must be >= `min` (0 unless given), or
 * > 0 with `positive`.
 */
export function setting(name: string, fallback: number, range: { min?: number; positive?: boolean } = {}): number {
  const raw = rawSetting(name);
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (range.positive) {
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  } else {
    const min = range.min ?? 0;
    if (!Number.isFinite(value) || value < min) throw new Error(`${name} must be a number >= ${min}, got "${raw}"`);
  }
  return value;
}

/** A text setting (see rawSetting), `fallback` when unset or empty. */
export function textSetting(name: string, fallback: string): string {
  return rawSetting(name) || fallback;
}

export const ADMIN_URL = process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** The run's timestamp (yyyymmddhhmmssSSS, UTC), in the names of its database and Redis prefix. */
export const STAMP = new Date()
  .toISOString()
  .replace(/[-:T.Z]/g, '')
  .slice(0, 17);
/** ADMIN_URL with database `name` instead. */
export function databaseUrl(name: string): string {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

/* ------------------------------------------------------------------ output */

const t0 = performance.now();
/** Seconds since the start, as `  1.2s`. */
export const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(1).padStart(5)}s`;
/** Seconds since the start, as `[   1.2 s]` (sla-timers and insights lines). */
export const clock = () => `[${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s]`;
export const step = (text: string) => console.log(`[${elapsed()}] ▸ ${text}`);
export const done = (text: string) => console.log(`[${elapsed()}]   ✔ ${text}`);
export const note = (text: string) => console.log(`[${elapsed()}]     ${text}`);
export const warn = (text: string) => console.log(`[${elapsed()}]   ✖ ${text}`);
/** A number with `digits` decimals and thousands separators; `—` when it is not finite. */
export const fmt = (n: number, digits = 1) =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : '—';
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A bar of `width` cells for `max` (none for 0, at least one otherwise). */
export const bar = (value: number, max: number, width = 40) =>
  '█'.repeat(Math.max(value > 0 ? 1 : 0, Math.round((value / max) * width)));

/* ------------------------------------------------------------------ cleanup */

const cleanups: Array<{ name: string; fn: () => Promise<void> }> = [];
let cleaning: Promise<void> | null = null;
let cleanupWarn: (text: string) => void = warn;
let cleanupTimeoutMs = 30_000;
let interrupted = false;

/** Registers something to undo at the end; cleanups run in reverse order of registration. */
export function onCleanup(name: string, fn: () => Promise<void>): void {
  cleanups.unshift({ name, fn });
}

/** Runs every registered cleanup once (each with a time limit); a failure is reported and the rest still run. */
export function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const c of cleanups.splice(0)) {
      const seconds = cleanupTimeoutMs / 1000;
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          c.fn(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`timed out after ${seconds} s`)), cleanupTimeoutMs);
          }),
        ]);
      } catch (err) {
        cleanupWarn(`cleanup "${c.name}" failed: ${(err as Error).message}`);
      } finally {
        clearTimeout(timer);
      }
    }
  })();
  return cleaning;
}

/** Whether SIGINT or SIGTERM has arrived (the run is being cleaned up). */
export const wasInterrupted = () => interrupted;

/**
 * Cleans up on SIGINT/SIGTERM (then exits 130) and on an unhandled rejection (then exits 1). `warn` reports
 * (default: the ✖ line), `timeoutMs` limits each cleanup (default 30 s).
 */
export function cleanupOnExit(opts: { warn?: (text: string) => void; timeoutMs?: number } = {}): void {
  cleanupWarn = opts.warn ?? warn;
  cleanupTimeoutMs = opts.timeoutMs ?? cleanupTimeoutMs;
  process.on('unhandledRejection', (err) => {
    cleanupWarn(`unhandled rejection: ${(err as Error)?.stack ?? err}`);
    void cleanup().then(() => process.exit(1));
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      // Nest's shutdown hook (startWorker) closes the app and raises the signal once more: report it once.
      if (!interrupted) cleanupWarn(`${signal}: cleaning up`);
      interrupted = true;
      void cleanup().then(() => process.exit(130));
    });
  }
}

/**
 * Creates the database `name` (through a connection to ADMIN_URL, closed at cleanup) and registers dropping it
 * (`WITH (FORCE)`). `suffix` is appended to the "creating database" line.
 */
export async function createDatabase(
  name: string,
  log: { step: (text: string) => void; done: (text: string) => void } = { step, done },
  suffix = '',
): Promise<{ admin: PgClient; pgVersion: string }> {
  const admin = new PgClient({ connectionString: ADMIN_URL });
  await admin.connect();
  onCleanup('admin connection', () => admin.end());
  const pgVersion: string = (await admin.query('SHOW server_version')).rows[0].server_version;
  log.step(`creating database ${name} (PostgreSQL ${pgVersion})${suffix}`);
  await admin.query(`CREATE DATABASE "${name}"`);
  onCleanup('drop database', async () => {
    log.step(`dropping database ${name}`);
    await dropDatabase(admin, name);
    log.done('dropped');
  });
  return { admin, pgVersion };
}

/** Drops the database `name`, disconnecting whoever is still connected to it. */
export async function dropDatabase(admin: PgClient, name: string): Promise<void> {
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}

/** Deletes the Redis keys matching `pattern` (SCAN + UNLINK); returns how many. */
export async function deleteKeys(redis: Redis, pattern: string): Promise<number> {
  let cursor = '0';
  let removed = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 5000);
    cursor = next;
    for (let i = 0; i < keys.length; i += 500) removed += await redis.unlink(...keys.slice(i, i + 500));
  } while (cursor !== '0');
  return removed;
}

/** deleteKeys over a connection of its own to REDIS_URL. */
export async function deleteRedisKeys(pattern: string): Promise<number> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 2 });
  try {
    await redis.connect();
    return await deleteKeys(redis, pattern);
  } finally {
    redis.disconnect();
  }
}

/**
 * Runs `main`, cleans up and exits with the code it returns. When it throws: `report(err)`, clean up, exit
 * `errorCode`.
 */
export function runMain(main: () => Promise<number>, report: (err: any) => void, errorCode = 1): void {
  main()
    .then(async (code) => {
      await cleanup();
      process.exit(code);
    })
    .catch(async (err) => {
      report(err);
      await cleanup();
      process.exit(errorCode);
    });
}

/* ------------------------------------------------------------------ processes */

/** A function that stops `child` (stopProcess) the first time it is called and does nothing after. */
export function stopOnce(child: ChildProcess): () => Promise<void> {
  let stopped = false;
  return async () => {
    if (stopped) return;
    stopped = true;
    await stopProcess(child);
  };
}

/** Waits until `${base}/health` answers 200; throws with `log()` when `child` exits first or 60 s pass. */
export async function waitForHealth(base: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the API exited with ${child.exitCode}:\n${log()}`);
    const ok = await fetch(`${base}/health`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`/health did not answer 200 within 60 s:\n${log()}`);
    await sleep(250);
  }
}

/** Runs a command to completion; rejects with its output when it fails or outlives `timeoutMs`. */
export function run(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutMs: number; cwd?: string },
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd ?? ROOT, env: opts.env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolvePromise({ stdout, stderr });
      else
        reject(
          new Error(
            `${cmd} ${args.join(' ')} exited with ${code ?? signal}\n--- stdout\n${stdout.slice(-4000)}\n--- stderr\n${stderr.slice(-4000)}`,
          ),
        );
    });
  });
}

/**
 * The environment of a bench's API process (`node dist/apps/api/main.js`): production mode, a fresh JWT secret, the
 * bench's database and Redis prefix, logs at warn without pretty printing, rate limits out of the way, no worker.
 */
export function apiEnv(opts: { dbUrl: string; redisPrefix: string; storageDir: string }): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: 'production',
    JWT_SECRET: `bench-${randomUUID()}-${randomUUID()}`,
    DATABASE_URL: opts.dbUrl,
    REDIS_URL,
    REDIS_PREFIX: opts.redisPrefix,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    LOG_PRETTY: 'false',
    PUBLIC_RATE_LIMIT: '100000',
    LOGIN_RATE_LIMIT: '100000',
    RUN_WORKER: 'off',
    STORAGE_DIR: opts.storageDir,
  };
}

/** The built API (`npx nest build api`). */
export const MAIN_JS = join(ROOT, 'dist/apps/api/main.js');

/** `dist/apps/api/main.js is older than <file>` for the first .ts/.json source (not a spec) under `dirs` newer than it, else null. */
export function newerSource(dirs: string[]): string | null {
  const built = statSync(MAIN_JS).mtimeMs;
  const newer = (dir: string): string | null => {
    if (!existsSync(dir)) return null;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        const found = newer(path);
        if (found) return found;
      } else if (/\.(ts|json)$/.test(entry.name) && !/\.spec\.ts$/.test(entry.name) && statSync(path).mtimeMs > built) {
        return path;
      }
    }
    return null;
  };
  for (const dir of dirs) {
    const found = newer(join(ROOT, dir));
    if (found) return `dist/apps/api/main.js is older than ${found.slice(ROOT.length + 1)}`;
  }
  return null;
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolvePromise(port));
    });
  });
}

/** SIGTERM, then SIGKILL after 10 s; resolves once the process has exited. */
export function stopProcess(child: ChildProcess): Promise<void> {
  return new Promise((resolvePromise) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolvePromise();
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolvePromise();
    });
    child.kill('SIGTERM');
  });
}

/** CPU time (user + system) a process has used so far, in ms; 0 when it is gone. */
export function cpuMsOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS; // utime + stime
  } catch {
    return 0;
  }
}
const CLOCK_TICKS = 100;

/** A process and every descendant (an API with its cluster workers, pgbench with its threads' process). */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      // exited meanwhile
    }
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    out.push(pid);
    for (const c of children.get(pid) ?? []) walk(c);
  };
  walk(root);
  return out;
}

/** PIDs of the PostgreSQL backends connected to the current database of `db`. */
export async function backendPids(db: { query: (sql: string) => Promise<{ rows: any[] }> }): Promise<number[]> {
  const { rows } = await db.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`);
  return rows.map((r) => Number(r.pid));
}

export interface CpuReading {
  wallMs: number;
  /** CPU ms per named group of processes. */
  ms: Record<string, number>;
  /** Cores busy with anything else, and stolen by the host. */
  otherCores: number;
  stolenCores: number;
}

/**
 * Measures the CPU time that named groups of processes use while a phase runs (from /proc), and what the rest of
 * the machine used meanwhile. Each group is asked for its pids every 250 ms, so processes that start during the
 * phase count from zero (a database backend that connects) and those that exit keep their last reading (pgbench and
 * its backends end with the phase).
 */
export async function cpuMeter(
  groups: Record<string, () => number[] | Promise<number[]>>,
): Promise<() => Promise<CpuReading>> {
  const machine = () => {
    const n = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal (guest time is already in user)
    return { idle: n[3] + (n[4] ?? 0), steal: n[7] ?? 0, total: n.slice(0, 8).reduce((a, b) => a + b, 0) };
  };
  const first = new Map<string, Map<number, number>>();
  const last = new Map<string, Map<number, number>>();
  let initial = true;
  const sample = async () => {
    for (const [name, pids] of Object.entries(groups)) {
      const f = first.get(name) ?? new Map<number, number>();
      const l = last.get(name) ?? new Map<number, number>();
      first.set(name, f);
      last.set(name, l);
      for (const pid of await pids()) {
        const ms = cpuMsOf(pid);
        if (!f.has(pid)) f.set(pid, initial ? ms : 0);
        if (ms > 0) l.set(pid, ms);
      }
    }
    initial = false;
  };
  await sample();
  const m0 = machine();
  const t0 = performance.now();
  let sampling: Promise<void> = Promise.resolve();
  const timer = setInterval(() => (sampling = sampling.then(sample).catch(() => undefined)), 250);
  return async () => {
    clearInterval(timer);
    await sampling;
    await sample();
    const wallMs = performance.now() - t0;
    const m1 = machine();
    const ms: Record<string, number> = {};
    for (const name of Object.keys(groups)) {
      const f = first.get(name)!;
      let sum = 0;
      for (const [pid, t] of last.get(name)!) sum += Math.max(0, t - (f.get(pid) ?? 0));
      ms[name] = sum;
    }
    const cores = cpus().length;
    const span = m1.total - m0.total || 1;
    const busy = (1 - (m1.idle - m0.idle) / span) * cores;
    const measured = Object.values(ms).reduce((a, b) => a + b, 0) / wallMs;
    return {
      wallMs,
      ms,
      otherCores: Math.max(0, busy - measured),
      stolenCores: ((m1.steal - m0.steal) / span) * cores,
    };
  };
}

/** Several readings of the same groups as one: CPU and wall time added up, other load averaged over the time. */
export function mergeCpu(readings: CpuReading[]): CpuReading {
  const wallMs = readings.reduce((a, r) => a + r.wallMs, 0);
  const ms: Record<string, number> = {};
  for (const r of readings) for (const [k, v] of Object.entries(r.ms)) ms[k] = (ms[k] ?? 0) + v;
  const weighted = (f: (r: CpuReading) => number) => readings.reduce((a, r) => a + f(r) * r.wallMs, 0) / (wallMs || 1);
  return { wallMs, ms, otherCores: weighted((r) => r.otherCores), stolenCores: weighted((r) => r.stolenCores) };
}
