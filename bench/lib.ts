// Helpers shared by the bench scripts.
import { ChildProcess } from 'child_process';
import { readdirSync, readFileSync } from 'fs';
import { AddressInfo, createServer } from 'net';
import { cpus } from 'os';
import { performance } from 'perf_hooks';

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
