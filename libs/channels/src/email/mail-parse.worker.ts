/**
 * Runs in a worker thread of MailParserPool: parses the raw mails of one task, in order. Its own entry point (see
 * the apps' webpack configuration), so it loads mailparser and nothing of the application.
 */
import { MailParseError, ParsedEmail, ParseLimits, parseEmail } from './mail';

export interface ParseTask {
  raw: Uint8Array;
  limits: ParseLimits;
}

export interface ParseBatch {
  mails: ParseTask[];
  /**
   * One stamp per mail, in order: `Date.now()` goes in when its parse starts (the time budget does not count the
   * wait for a thread or for the mails before it), FINISHED when its parse is over, 0 until then.
   */
  started: SharedArrayBuffer;
}

/** The stamp of a mail whose parse is over (answered or refused); 0 is a mail not started yet. */
export const FINISHED = -1;

/** A mail that cannot be parsed is an answer, not an error (errors lose their class between threads). */
export type ParseResult = { ok: true; mail: ParsedEmail } | { ok: false; reason: string };

export default async function parseBatch(task: ParseBatch): Promise<ParseResult[]> {
  const started = new Float64Array(task.started);
  const results: ParseResult[] = [];
  for (const [i, { raw, limits }] of task.mails.entries()) {
    started[i] = Date.now();
    results.push(await parseOne(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength), limits));
    started[i] = FINISHED;
  }
  return results;
}

async function parseOne(raw: Buffer, limits: ParseLimits): Promise<ParseResult> {
  try {
    return { ok: true, mail: await parseEmail(raw, limits) };
  } catch (err) {
    if (err instanceof MailParseError) return { ok: false, reason: err.message };
    throw err;
  }
}
