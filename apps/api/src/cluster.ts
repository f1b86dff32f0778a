import cluster from 'cluster';
import { availableParallelism } from 'os';

/** `API_WORKERS`: a number, or `auto` for one process per CPU. */
export function apiWorkerCount(setting: string): number {
  return setting === 'auto' ? availableParallelism() : Math.max(1, Number(setting) || 1);
}

/** Which API process this is: 1 for the only one, 1..n under `runCluster`. */
export function apiWorkerIndex(): number {
  return cluster.isWorker ? Number(process.env.CREWDESK_API_WORKER) || 1 : 1;
}

/**
 * The young generation of each API process (MB per semi-space; V8's default is 16). A request allocates a few
 * hundred short-lived objects; with 4 x the room, scavenges run a quarter as often and the API spends ~15 % less CPU
 * per ticket created (bench/tickets-create). It costs up to ~100 MB more RSS per process, which a machine given to
 * several API processes has; a single process (`npm start`) keeps V8's default. `--max-semi-space-size` given to the
 * primary wins.
 */
const SEMI_SPACE_MB = 64;

/**
 * V8 flags every API process runs with, each with the pattern of flags that decide the same thing (one of those
 * given to the primary wins). The start commands (`npm start`, `start:api`, the image, the compose file) pass them
 * too, since V8 takes them only on the command line. An API process holds sockets and has about one core (one per
 * core with API_WORKERS, a CPU quota in a container), and its realtime tail is set by major GCs:
 * - `--single-threaded-gc`: the old generation is marked in small steps on the event loop instead of by helper
 *   threads competing with it for that core, which stalled the loop for 50–130 ms around each major GC
 *   (bench/realtime-fanout: end-to-end p99 at half load 80–207 ms with helpers, 37–95 ms without; ADR 0016).
 * - `--heap-growing-percent=100` and `--no-memory-reducer`: the next major GC waits until the old generation has
 *   doubled since the last one, and none starts because allocation paused. V8's own limit was the live heap plus
 *   ~16–25 MB, so under half load a major GC (~80 ms of marking on the loop within ~150 ms) came every ~5 s, and
 *   the memory reducer added compacting ones (44 ms pauses) when a quiet second followed. With these, 1–2 in a
 *   run after start-up instead of 11–13; the heap may hold up to twice its live size (ADR 0017).
 */
const API_FLAGS: ReadonlyArray<readonly [flag: string, sameKind: RegExp]> = [
  ['--single-threaded-gc', /^--(no-)?(single-threaded-gc|concurrent-marking|parallel-marking)\b/],
  ['--heap-growing-percent=100', /^--heap-growing-percent\b/],
  ['--no-memory-reducer', /^--(no-)?memory-reducer\b/],
];
export const API_NODE_FLAGS = API_FLAGS.map(([flag]) => flag);

/**
 * The primary of `serve` with several API processes: forks them (they share the port through node:cluster),
 * starts one again when it dies (after 1 s, up to 30 s when it keeps dying at start), and passes SIGTERM/SIGINT on
 * so each closes gracefully; exits when all have.
 */
export function runCluster(count: number): void {
  let stopping = false;
  const delays = new Map<number, number>();
  cluster.setupPrimary({ execArgv: workerExecArgv(process.execArgv, process.env.NODE_OPTIONS) });
  const fork = (index: number) => {
    const started = Date.now();
    const worker = cluster.fork({ CREWDESK_API_WORKER: String(index) });
    worker.on('exit', (code, signal) => {
      if (stopping) return;
      const delay = Date.now() - started < 10_000 ? Math.min((delays.get(index) ?? 500) * 2, 30_000) : 1000;
      delays.set(index, delay);
      console.error(
        `API process ${index} exited (${signal ?? `code ${code}`}); starting it again in ${delay / 1000} s`,
      );
      setTimeout(() => !stopping && fork(index), delay).unref();
    });
  };
  for (let i = 1; i <= count; i++) fork(i);
  const stop = (signal: NodeJS.Signals) => {
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill(signal);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  cluster.on('exit', () => {
    if (stopping && !Object.keys(cluster.workers ?? {}).length) process.exit(0);
  });
}

/** The forked processes' flags: the primary's, the young generation and each API_NODE_FLAGS it did not decide. */
export function workerExecArgv(execArgv: string[], nodeOptions = ''): string[] {
  // V8 reads `_` and `-` in a flag's name alike.
  const given = [...execArgv, ...nodeOptions.split(/\s+/)].map((a) =>
    a.replace(/^(--[^=]*)/, (n) => n.replace(/_/g, '-')),
  );
  const out = [...execArgv];
  if (!given.some((a) => a.startsWith('--max-semi-space-size'))) out.push(`--max-semi-space-size=${SEMI_SPACE_MB}`);
  for (const [flag, sameKind] of API_FLAGS) if (!given.some((a) => sameKind.test(a))) out.push(flag);
  return out;
}
