import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { availableParallelism } from 'os';
import { join } from 'path';
import Piscina from 'piscina';
import { Env } from '@crewdesk/config';
import { MailParseError, ParsedEmail, ParseLimits } from './mail';
import type { ParseBatch, ParseResult } from './mail-parse.worker';

/** How often parses are checked against their time budget. */
const WATCHDOG_MS = 50;
/** A thread's task takes the mails waiting at the moment, up to this many and this many raw bytes (one at least). */
const BATCH_MAILS = 16;
const BATCH_BYTES = 2 * 2 ** 20;

/** Threads for MAIL_PARSE_THREADS: `auto` leaves a CPU to the event loop (and PostgreSQL), 1 to 4. */
export function mailParseThreads(setting: string, cpus = availableParallelism()): number {
  return setting === 'auto' ? Math.min(4, Math.max(1, cpus - 1)) : Number(setting);
}

/** A mail waiting for a thread, or in a thread's task. */
interface Waiting {
  raw: Buffer;
  limits: ParseLimits;
  resolve(mail: ParsedEmail): void;
  reject(err: unknown): void;
}

/** A thread's task: its mails, when the thread started each (shared with it), and its stop. */
interface Task {
  batch: Waiting[];
  started: Float64Array;
  abort: AbortController;
}

/**
 * Parses inbound mail in worker threads. The event loop stays free for the SMTP conversations, the database and
 * the sockets while mailparser decodes, and a mail that overruns its time budget or memory is stopped for real
 * (its thread is terminated and replaced) rather than left running after a timeout was reported.
 *
 * A thread is handed the mails waiting at the moment as one task: a task costs a message each way, a wake-up of the
 * thread and one of the event loop, and the thread then waits for the event loop to give it the next; per mail, that
 * cost more CPU than the parse itself (bench/email-README.md). When a task is stopped, the mail being parsed fails
 * and the task's other mails are parsed again.
 */
@Injectable()
export class MailParserPool implements OnModuleDestroy {
  private pool?: Piscina;
  private readonly threadCount: number;
  private readonly waiting: Waiting[] = [];
  private readonly underway = new Set<Task>();
  private watchdog?: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly env: Env) {
    this.threadCount = mailParseThreads(env.MAIL_PARSE_THREADS);
  }

  parse(raw: Buffer, limits: ParseLimits): Promise<ParsedEmail> {
    return new Promise<ParsedEmail>((resolve, reject) => {
      this.waiting.push({ raw, limits, resolve, reject });
      this.dispatch();
    });
  }

  /** Gives each idle thread the mails waiting. */
  private dispatch(): void {
    if (this.closed) {
      for (const w of this.waiting.splice(0)) w.reject(new Error('the mail parser has shut down'));
      return;
    }
    const pool = this.threads();
    while (this.waiting.length && this.underway.size < this.threadCount) {
      let bytes = 0;
      let n = 0;
      while (
        n < this.waiting.length &&
        n < BATCH_MAILS &&
        (n === 0 || bytes + this.waiting[n].raw.length <= BATCH_BYTES)
      )
        bytes += this.waiting[n++].raw.length;
      void this.run(pool, this.waiting.splice(0, n));
    }
  }

  private async run(pool: Piscina, batch: Waiting[]): Promise<void> {
    // Stamps of this task alone: a stopped thread that writes one more cannot touch another task's.
    const started = new Float64Array(new SharedArrayBuffer(batch.length * Float64Array.BYTES_PER_ELEMENT));
    const task: Task = { batch, started, abort: new AbortController() };
    this.underway.add(task);
    this.watchdog ??= setInterval(() => this.stopOverruns(), WATCHDOG_MS).unref();
    const message: ParseBatch = {
      mails: batch.map(({ raw, limits }) => ({ raw, limits })),
      started: started.buffer as SharedArrayBuffer,
    };
    try {
      const results: ParseResult[] = await pool.run(message, { signal: task.abort.signal });
      results.forEach((result, i) => settle(batch[i], result));
    } catch (err) {
      // The mail the thread was on fails (when stopped for time: the one over its budget); the others, not reached
      // or with answers lost with the thread, wait again.
      const aborted = task.abort.signal.aborted;
      const now = Date.now();
      const culprit = batch.find((w, i) => started[i] > 0 && (!aborted || now - started[i] > w.limits.timeoutMs));
      if (culprit) {
        culprit.reject(stopped(err, aborted, culprit.limits));
        this.waiting.unshift(...batch.filter((w) => w !== culprit));
      } else if (aborted) this.waiting.unshift(...batch);
      else for (const w of batch) w.reject(err);
    } finally {
      this.underway.delete(task);
      if (!this.underway.size) {
        clearInterval(this.watchdog);
        this.watchdog = undefined;
      }
      this.dispatch();
    }
  }

  /** The budget runs from the moment a thread starts on a mail, not while it waits for a thread or its turn. */
  private stopOverruns(): void {
    const now = Date.now();
    for (const { batch, started, abort } of this.underway)
      if (batch.some((w, i) => started[i] > 0 && now - started[i] > w.limits.timeoutMs)) abort.abort();
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    await this.pool?.destroy();
    this.pool = undefined;
    this.dispatch();
  }

  /** Started on the first mail: processes that never parse (an API without the inline worker) spawn no thread. */
  private threads(): Piscina {
    if (this.pool) return this.pool;
    // Built, the worker is a sibling entry of the bundle; from the TypeScript sources (tests, benchmarks) the thread
    // compiles it with scripts/register.js (not ts-node, which would load node:domain into the thread).
    const source = __filename.endsWith('.ts');
    this.pool = new Piscina({
      filename: join(__dirname, source ? 'mail-parse.worker.ts' : 'mail-parse.worker.js'),
      execArgv: source ? ['-r', join(__dirname, '..', '..', '..', '..', 'scripts', 'register.js')] : [],
      minThreads: 1,
      maxThreads: this.threadCount,
      idleTimeout: 60_000,
      // Strings of a mail's text and HTML live here; raw bytes and attachments are buffers outside this limit.
      resourceLimits: { maxOldGenerationSizeMb: Math.max(256, Math.ceil((8 * this.env.MAX_EMAIL_BYTES) / 2 ** 20)) },
    });
    return this.pool;
  }
}

function settle(w: Waiting, result: ParseResult): void {
  if (!result.ok) return w.reject(new MailParseError(result.reason));
  // Buffers cross threads as plain Uint8Arrays: make them Buffers again (same memory, no copy).
  for (const a of result.mail.attachments)
    a.content = Buffer.from(a.content.buffer, a.content.byteOffset, a.content.byteLength);
  w.resolve(result.mail);
}

/** Why a thread stopped while parsing a mail, as that mail's error. */
function stopped(err: unknown, aborted: boolean, limits: ParseLimits): unknown {
  if (aborted) return new MailParseError(`parsing took longer than ${limits.timeoutMs} ms`);
  if ((err as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY')
    return new MailParseError('parsing needed more memory than a parse may use');
  return err;
}
