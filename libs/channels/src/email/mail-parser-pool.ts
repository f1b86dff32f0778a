import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { availableParallelism } from 'os';
import { join } from 'path';
import Piscina from 'piscina';
import { Env } from '@crewdesk/config';
import { MailParseError, ParsedEmail, ParseLimits } from './mail';
import type { ParseResult, ParseTask } from './mail-parse.worker';

/** Parses under way or waiting for a thread at most; more wait for a slot (the ingest runs far fewer at a time). */
const SLOTS = 1024;
/** How often parses are checked against their time budget. */
const WATCHDOG_MS = 50;

/** Numbered places, lowest first; when all are taken, the next taker waits for one to be given back. */
export class Slots {
  private readonly free: number[];
  private readonly waiting: ((slot: number) => void)[] = [];

  constructor(count: number) {
    this.free = Array.from({ length: count }, (_, i) => count - 1 - i);
  }

  take(): Promise<number> {
    const slot = this.free.pop();
    return slot === undefined ? new Promise((resolve) => this.waiting.push(resolve)) : Promise.resolve(slot);
  }

  give(slot: number): void {
    const next = this.waiting.shift();
    if (next) next(slot);
    else this.free.push(slot);
  }
}

/** Threads for MAIL_PARSE_THREADS: `auto` leaves a CPU to the event loop (and PostgreSQL), 1 to 4. */
export function mailParseThreads(setting: string, cpus = availableParallelism()): number {
  return setting === 'auto' ? Math.min(4, Math.max(1, cpus - 1)) : Number(setting);
}

/**
 * Parses inbound mail in worker threads. The event loop stays free for the SMTP conversations, the database and
 * the sockets while mailparser decodes, and a mail that overruns its time budget or memory is stopped for real
 * (its thread is terminated and replaced) rather than left running after a timeout was reported.
 */
@Injectable()
export class MailParserPool implements OnModuleDestroy {
  private pool?: Piscina;

  constructor(private readonly env: Env) {}

  /**
   * When each parse started (`Date.now()`, 0 while it waits for a thread), one slot per parse under way, written by
   * the parsing thread and read by the watchdog. A slot in shared memory costs nothing per mail; telling the event
   * loop over a message channel cost a channel and a wake-up of the event loop per mail.
   */
  private readonly started = new Float64Array(new SharedArrayBuffer(SLOTS * Float64Array.BYTES_PER_ELEMENT));
  private readonly slots = new Slots(SLOTS);
  private readonly underway = new Map<number, { timeoutMs: number; abort: AbortController }>();
  private watchdog?: NodeJS.Timeout;

  async parse(raw: Buffer, limits: ParseLimits): Promise<ParsedEmail> {
    const slot = await this.slots.take();
    this.started[slot] = 0;
    const abort = new AbortController();
    this.underway.set(slot, { timeoutMs: limits.timeoutMs, abort });
    this.watchdog ??= setInterval(() => this.stopOverruns(), WATCHDOG_MS).unref();
    const task: ParseTask = { raw, limits, started: this.started.buffer as SharedArrayBuffer, slot };
    try {
      const result: ParseResult = await this.threads().run(task, { signal: abort.signal });
      if (!result.ok) throw new MailParseError(result.reason);
      // Buffers cross threads as plain Uint8Arrays: make them Buffers again (same memory, no copy).
      for (const a of result.mail.attachments)
        a.content = Buffer.from(a.content.buffer, a.content.byteOffset, a.content.byteLength);
      return result.mail;
    } catch (err) {
      if (abort.signal.aborted) throw new MailParseError(`parsing took longer than ${limits.timeoutMs} ms`);
      if ((err as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY')
        throw new MailParseError('parsing needed more memory than a parse may use');
      throw err;
    } finally {
      this.underway.delete(slot);
      this.slots.give(slot);
      if (!this.underway.size) {
        clearInterval(this.watchdog);
        this.watchdog = undefined;
      }
    }
  }

  /** The budget runs from the moment a thread starts on a mail, not while it waits for one. */
  private stopOverruns(): void {
    const now = Date.now();
    for (const [slot, { timeoutMs, abort }] of this.underway) {
      const since = this.started[slot];
      if (since && now - since > timeoutMs) abort.abort();
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool?.destroy();
    this.pool = undefined;
  }

  /** Started on the first mail: processes that never parse (an API without the inline worker) spawn no thread. */
  private threads(): Piscina {
    if (this.pool) return this.pool;
    // Built, the worker is a sibling entry of the bundle; from the TypeScript sources (tests, benchmarks, ts-node)
    // the thread compiles it the same way.
    const source = __filename.endsWith('.ts');
    const threads = mailParseThreads(this.env.MAIL_PARSE_THREADS);
    this.pool = new Piscina({
      filename: join(__dirname, source ? 'mail-parse.worker.ts' : 'mail-parse.worker.js'),
      execArgv: source ? ['-r', 'ts-node/register/transpile-only'] : [],
      minThreads: 1,
      maxThreads: threads,
      idleTimeout: 60_000,
      // Strings of a mail's text and HTML live here; raw bytes and attachments are buffers outside this limit.
      resourceLimits: { maxOldGenerationSizeMb: Math.max(256, Math.ceil((8 * this.env.MAX_EMAIL_BYTES) / 2 ** 20)) },
    });
    return this.pool;
  }
}
