import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { availableParallelism } from 'os';
import { join } from 'path';
import Piscina from 'piscina';
import { MessageChannel } from 'worker_threads';
import { Env } from '@crewdesk/config';
import { MailParseError, ParsedEmail, ParseLimits } from './mail';
import type { ParseResult, ParseTask } from './mail-parse.worker';

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

  async parse(raw: Buffer, limits: ParseLimits): Promise<ParsedEmail> {
    const { port1, port2 } = new MessageChannel();
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    // The budget runs from the moment a thread starts on this mail, not while it waits for one.
    port1.once('message', () => {
      if (!done) timer = setTimeout(() => abort.abort(), limits.timeoutMs);
    });
    const task: ParseTask = { raw, limits, started: port2 };
    try {
      const result: ParseResult = await this.threads().run(task, { transferList: [port2], signal: abort.signal });
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
      done = true;
      clearTimeout(timer);
      port1.close();
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
