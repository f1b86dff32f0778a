/**
 * Runs in a worker thread of MailParserPool: parses one raw mail. Its own entry point (see the apps' webpack
 * configuration), so it loads mailparser and nothing of the application.
 */
import type { MessagePort } from 'worker_threads';
import { MailParseError, ParsedEmail, ParseLimits, parseEmail } from './mail';

export interface ParseTask {
  raw: Uint8Array;
  limits: ParseLimits;
  /** Told when the parse starts, so that the time budget does not count the wait in the queue. */
  started: MessagePort;
}

/** A mail that cannot be parsed is an answer, not an error (errors lose their class between threads). */
export type ParseResult = { ok: true; mail: ParsedEmail } | { ok: false; reason: string };

export default async function parseTask(task: ParseTask): Promise<ParseResult> {
  task.started.postMessage(true);
  task.started.close();
  const raw = Buffer.from(task.raw.buffer, task.raw.byteOffset, task.raw.byteLength);
  try {
    return { ok: true, mail: await parseEmail(raw, task.limits) };
  } catch (err) {
    if (err instanceof MailParseError) return { ok: false, reason: err.message };
    throw err;
  }
}
