/**
 * Runs in a worker thread of MailParserPool: parses one raw mail. Its own entry point (see the apps' webpack
 * configuration), so it loads mailparser and nothing of the application.
 */
import { MailParseError, ParsedEmail, ParseLimits, parseEmail } from './mail';

export interface ParseTask {
  raw: Uint8Array;
  limits: ParseLimits;
  /** `Date.now()` goes into slot `slot` when the parse starts: the time budget does not count the wait for a thread. */
  started: SharedArrayBuffer;
  slot: number;
}

/** A mail that cannot be parsed is an answer, not an error (errors lose their class between threads). */
export type ParseResult = { ok: true; mail: ParsedEmail } | { ok: false; reason: string };

export default async function parseTask(task: ParseTask): Promise<ParseResult> {
  new Float64Array(task.started)[task.slot] = Date.now();
  const raw = Buffer.from(task.raw.buffer, task.raw.byteOffset, task.raw.byteLength);
  try {
    return { ok: true, mail: await parseEmail(raw, task.limits) };
  } catch (err) {
    if (err instanceof MailParseError) return { ok: false, reason: err.message };
    throw err;
  }
}
