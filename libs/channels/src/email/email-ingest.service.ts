import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'crypto';
import Redis from 'ioredis';
import { DataSource, EntityManager } from 'typeorm';
import { allOrEachAlone, AppError, GroupCommit, sanitizeMessageHtml, Settled } from '@crewdesk/common';
import { Env } from '@crewdesk/config';
import { Actor, queryPrepared, startTransactionPipelined, TenantContext } from '@crewdesk/db';
import { AckMail, REDIS, RedisKeys } from '@crewdesk/queue';
import { AttachmentsService, InTransaction, Params, TicketEventRecord, TicketsService } from '@crewdesk/tickets';
import { ChannelsService } from './channels.service';
import { ackMessageId, headerMessageId, MailParseError, ParsedEmail, subjectTicketNumber } from './mail';
import { MailParserPool } from './mail-parser-pool';
import { parseReplyAddress } from './reply-address';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Row = Record<string, any>;

export interface InboundMail {
  tenantId: string;
  channelId: string;
  source: 'smtp' | 'imap' | 'webhook';
  envelopeFrom: string | null;
  envelopeTo: string[];
  raw: Buffer;
}

export type IngestOutcome =
  | { status: 'processed'; ticketId: string; messageId: string; created: boolean; acknowledge: Acknowledgement | null }
  | { status: 'ignored' | 'refused' | 'quarantined'; reason: string };

/** The acknowledgement a new ticket's sender is due: to whom, and all the mail needs (no read when it is sent). */
export interface Acknowledgement extends AckMail {
  to: string;
}

/** What routing decided, plus the mail's Message-ID to record with the final status (one statement for both). */
type Routed = IngestOutcome & { rememberMessageId?: string | null };

/** A mail on its way through `process`: its stored row, then what parsing made of it. */
interface Pending {
  id: string;
  row: Row;
  /** Taken from `RecentRaw` (not claimed): its attempt is counted by the final statement. */
  kept: boolean;
  mail?: ParsedEmail;
  /** Decided before any write (quarantined). */
  outcome?: Routed;
  /** Its attachments once stored (before its batch: files and rows need no transaction), and its HTML sanitized. */
  uploaded?: { ids: string[]; cids: Map<string, string> };
  html?: string;
  /** Sent to a signed staff reply address (decided once, when prepared). */
  staffReply?: { ticketId: string; userId: string } | null;
  /** The sender as a customer may hold them, or why the mail goes no further (decided when prepared). */
  from?: Sender | Routed;
}

/** A sender as a customer holds them. */
interface Sender {
  address: string;
  name: string | null;
}

/** What becomes of a mail once its batch committed: its outcome waits for the acknowledgements' rate limit. */
interface Written {
  outcome: Promise<IngestOutcome | null>;
}

/** What the batch's lookup found for one mail (see `lookUp`). */
interface Seen {
  known: boolean;
  thread: { ticketId: string; n: number } | null;
  stored: { ticketId: string; id: string; first: boolean } | null;
  /** The open ticket its subject's `[#number]` names, if the sender is that ticket's requester. */
  byNumber: string | null;
}

/** A mail being processed here (see `inFlight`). */
interface Underway {
  /** The order this process took mails up in. */
  seq: number;
  /** Settles once the mail's write is in line (or it ended without one). */
  inLine: Promise<void>;
  queued(): void;
  done(): void;
}

/** What the writes of one batch share while they run (see `writeTogether`). */
interface Writing {
  /** `tenant Message-ID` of each mail of the batch that writes, and the ticket it landed on once written (or null). */
  inBatch: Map<string, Promise<string | null>>;
  /** The latest write of the batch on each ticket: the next one on that ticket starts after it. */
  perTicket: Map<string, Promise<unknown>>;
  customers: Map<string, string>;
  tx: InTransaction;
}

/** Runs a write on a ticket after the batch's earlier writes on it (whatever their outcome: a failure fails all). */
function onTicket<R>(w: Writing, ticketId: string, write: () => Promise<R>): Promise<R> {
  const before = w.perTicket.get(ticketId);
  const run = before ? before.then(write, write) : write();
  w.perTicket.set(ticketId, run);
  return run;
}

/** The Message-IDs a mail answers, in threading order: In-Reply-To first, then References from the latest. */
function threadRefs(mail: ParsedEmail): string[] {
  return [...mail.inReplyTo, ...[...mail.references].reverse()];
}

/**
 * When a mail was stored, in microseconds (a string of digits): a Date keeps milliseconds, and two mails stored
 * within one millisecond must still be written in the order received.
 */
const RECEIVED_US = `(extract(epoch FROM received_at) * 1000000)::bigint::text AS received_us`;
const compareReceipt = (a?: string, b?: string) => {
  const x = BigInt(a ?? 0);
  const y = BigInt(b ?? 0);
  return x < y ? -1 : x > y ? 1 : 0;
};

const byReceipt = (a: Pending, b: Pending) =>
  compareReceipt(a.row.received_us, b.row.received_us) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

const systemActor = (tenantId: string): Actor => ({
  kind: 'system',
  id: null,
  tenantId,
  permissions: new Set(['*']),
  name: 'Email',
});

/** Parse attempts before a mail that keeps failing is quarantined (its raw bytes stay for a later fix). */
export const MAX_PARSE_ATTEMPTS = 3;

/**
 * Mails this process stored and has not processed yet, so that processing them here neither reads them back
 * (PostgreSQL would send a bytea as hex, twice its size) nor claims them with a statement of its own: the mail
 * was stored a moment ago by this process, which is processing it now. Bounded by bytes, oldest first; a mail
 * processed elsewhere, retried, or after a restart is claimed and read from the database as before.
 */
export class RecentRaw {
  private readonly entries = new Map<string, InboundMail & { receivedUs?: string }>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  put(id: string, mail: InboundMail & { receivedUs?: string }): void {
    if (mail.raw.length > this.maxBytes) return;
    this.entries.set(id, mail);
    this.bytes += mail.raw.length;
    for (const [oldId, old] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldId);
      this.bytes -= old.raw.length;
    }
  }

  take(id: string): (InboundMail & { receivedUs?: string }) | undefined {
    const mail = this.entries.get(id);
    if (mail) {
      this.entries.delete(id);
      this.bytes -= mail.raw.length;
    }
    return mail;
  }
}

/**
 * The one ingest path of mail (SMTP, IMAP and the raw-MIME webhook): the raw bytes are stored first, then parsed
 * and threaded from them. A mail that cannot be parsed is quarantined, never retried forever.
 */
@Injectable()
export class EmailIngestService {
  private readonly logger = new Logger(EmailIngestService.name);
  private readonly recent = new RecentRaw(32 * 1024 * 1024);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ctx: TenantContext,
    private readonly channels: ChannelsService,
    private readonly parser: MailParserPool,
    private readonly tickets: TicketsService,
    private readonly attachments: AttachmentsService,
    private readonly env: Env,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /** Durably stores a received mail; only after this may SMTP answer 250. */
  async store(mail: InboundMail): Promise<string> {
    const row = await this.stores.add(mail);
    this.recent.put(row.id, { ...mail, receivedUs: row.receivedUs });
    return row.id;
  }

  /**
   * Mails received at the same moment (several SMTP sessions, an IMAP fetch) are stored by one statement and one
   * commit; each caller still hears back only once its row is durable. If the statement fails, each mail is
   * stored alone, so that only the failing one's sender is told to retry.
   */
  private readonly stores = new GroupCommit<InboundMail, { id: string; receivedUs: string }>(
    allOrEachAlone((mails) => this.insertInbound(mails)),
    1,
    32,
    // One statement carries its mails' bytes (PostgreSQL takes at most 1 GB in one message): a few large mails go alone.
    { weigh: (mail) => mail.raw.length, max: 16 * 1024 * 1024 },
  );

  private async insertInbound(mails: InboundMail[]): Promise<Array<{ id: string; receivedUs: string }>> {
    const ids = mails.map(() => randomUUID());
    const p = new Params();
    const tuples = mails.map((m, i) => {
      const row = [ids[i], m.tenantId, m.channelId, m.source, m.envelopeFrom, m.envelopeTo, m.raw, m.raw.length];
      // The row's own clock, not the transaction's: mails stored together keep the order they were received in.
      return `(${row.map((v) => p.add(v)).join(', ')}, clock_timestamp())`;
    });
    const rows: Array<{ id: string; received_us: string }> = await queryPrepared(
      this.db,
      `INSERT INTO inbound_emails (id, tenant_id, channel_id, source, envelope_from, envelope_to, raw, size, received_at)
       VALUES ${tuples.join(', ')} RETURNING id, ${RECEIVED_US}`,
      p.values,
    );
    const at = new Map(rows.map((r) => [r.id, r.received_us]));
    return ids.map((id) => ({ id, receivedUs: at.get(id)! }));
  }

  /** Ids of stored mails still waiting (the reconciler's and the worker's start-up catch-up). */
  async pending(olderThanSeconds: number, limit = 500): Promise<string[]> {
    const rows = await this.db.query(
      `SELECT id FROM inbound_emails WHERE status = 'received' AND received_at < now() - make_interval(secs => $1) ORDER BY received_at LIMIT $2`,
      [olderThanSeconds, limit],
    );
    return rows.map((r: Row) => r.id);
  }

  /**
   * Processes one stored mail; idempotent (a processed mail is left alone). The mail is read and parsed here; its
   * writes join those of the mails being processed at the same moment in one transaction (`writes`).
   */
  async process(id: string): Promise<IngestOutcome | null> {
    // A mail this process just stored is processed without a claim of its own: its attempt is counted by the
    // final statement (a crash before that leaves it 'received' for the reconciler, which claims it).
    const kept = this.recent.take(id);
    let row: Row | undefined;
    if (kept) {
      row = {
        id,
        tenant_id: kept.tenantId,
        channel_id: kept.channelId,
        envelope_from: kept.envelopeFrom,
        envelope_to: kept.envelopeTo,
        raw: kept.raw,
        received_us: kept.receivedUs,
        attempts: 1,
      };
    } else {
      [row] = await queryPrepared(
        this.db,
        `UPDATE inbound_emails SET attempts = attempts + 1 WHERE id = $1 AND status = 'received'
         RETURNING id, tenant_id, channel_id, envelope_from, envelope_to, raw, ${RECEIVED_US}, attempts`,
        [id],
      );
      if (!row) return null;
    }
    const pending: Pending = { id, row, kept: !!kept };
    const entry = this.underway(row);
    try {
      try {
        pending.mail = await this.parser.parse(row.raw, {
          timeoutMs: 10_000,
          maxAttachments: 50,
          maxAttachmentBytes: this.env.MAX_ATTACHMENT_BYTES,
        });
      } catch (err) {
        pending.outcome = this.quarantine(pending, err);
      }
      if (pending.mail) await this.prepare(pending);
      await this.after(entry, pending);
      const written = this.writes.add(pending);
      entry.queued();
      const { outcome } = await written;
      return await outcome;
    } finally {
      entry.done();
    }
  }

  /**
   * The mails being processed here, by tenant and the Message-ID of their header (read before parsing). Mails are
   * parsed and prepared side by side, so one with no attachment can overtake one with many: a mail that answers or
   * repeats one taken up before it waits until that one's write is in line, so it threads onto it (or is found a
   * duplicate of it) instead of opening a ticket of its own. Unrelated mails never wait for each other.
   */
  private readonly inFlight = new Map<string, Underway[]>();
  private taken = 0;

  private underway(row: Row): Underway {
    const messageId = headerMessageId(row.raw);
    const key = messageId ? `${row.tenant_id} ${messageId}` : null;
    let queued!: () => void;
    const entry: Underway = {
      seq: ++this.taken,
      inLine: new Promise<void>((resolve) => (queued = resolve)),
      queued: () => queued(),
      done: () => {
        queued();
        const list = key ? this.inFlight.get(key) : undefined;
        if (!list) return;
        const rest = list.filter((e) => e !== entry);
        if (rest.length) this.inFlight.set(key!, rest);
        else this.inFlight.delete(key!);
      },
    };
    if (key) this.inFlight.set(key, [...(this.inFlight.get(key) ?? []), entry]);
    return entry;
  }

  /** Waits for the mails taken up before this one that it answers or repeats to be in line for their write. */
  private async after(entry: Underway, p: Pending): Promise<void> {
    const mail = p.mail;
    if (!mail) return;
    const ids = mail.messageId ? [...threadRefs(mail), mail.messageId] : threadRefs(mail);
    const earlier = ids
      .flatMap((ref) => this.inFlight.get(`${p.row.tenant_id} ${ref}`) ?? [])
      .filter((e) => e.seq < entry.seq);
    if (earlier.length) await Promise.all(earlier.map((e) => e.inLine));
  }

  /**
   * What a customer's mail needs before it is written, done while other mails' batch holds the transaction: its
   * attachments stored and its HTML sanitized. (A mail later found to be a duplicate leaves its uploads unattached,
   * for the housekeeping job to delete.)
   */
  private async prepare(p: Pending): Promise<void> {
    const mail = p.mail!;
    p.staffReply = this.staffReplyTo(p.row);
    if (p.staffReply) return;
    const from = (p.from = await this.ctx.run(systemActor(p.row.tenant_id), () => this.sender(mail)));
    if ('status' in from) return;
    if (mail.attachments.length) p.uploaded = await this.ctx.run(systemActor(p.row.tenant_id), () => this.upload(mail));
    // A reply keeps only its text: HTML is sanitized ahead for what looks like a new thread.
    if (mail.html && !threadRefs(mail).length && !subjectTicketNumber(mail.subject))
      p.html = rewriteCids(sanitizeMessageHtml(mail.html), p.uploaded?.cids ?? new Map());
  }

  /** A mail that cannot be parsed, or whose last attempt failed, is set aside with its raw bytes; else it is retried. */
  private quarantine(p: Pending, err: unknown): Routed {
    if (!(err instanceof MailParseError) && p.row.attempts < MAX_PARSE_ATTEMPTS) throw err; // retried by the queue
    const reason = (err as Error).message;
    this.logger.warn({ inboundId: p.id, tenantId: p.row.tenant_id, reason }, 'Mail quarantined');
    return { status: 'quarantined', reason };
  }

  /**
   * Mails parsed at the same moment are written in one transaction: one commit, one threading lookup and one
   * final statement for all of them. If that transaction fails, each mail is written alone, so one mail's trouble
   * (a lost race, a bad row) never holds back the others, and only its own caller sees its error.
   */
  private readonly writes = new GroupCommit<Pending, Written>(
    async (batch) => {
      // In the order the mails were received, so that a reply written with what it answers comes after it.
      const unique = new Map<string, Pending>();
      for (const p of [...batch].sort(byReceipt)) if (!unique.has(p.id)) unique.set(p.id, p);
      const settled = new Map<string, Settled<Written>>();
      try {
        const written = await this.writeTogether([...unique.values()]);
        [...unique.keys()].forEach((id, i) => settled.set(id, { ok: true, value: written[i] }));
      } catch (err) {
        if (unique.size > 1)
          this.logger.warn({ err, mails: unique.size }, 'Writing mails together failed; writing each alone');
        for (const p of unique.values()) settled.set(p.id, await this.writeAlone(p));
      }
      // The same stored mail twice in one batch (a retried job meeting its first run): the second does nothing.
      return batch.map((p) =>
        unique.get(p.id) === p ? settled.get(p.id)! : { ok: true, value: { outcome: Promise.resolve(null) } },
      );
    },
    1,
    32,
  );

  private async writeAlone(p: Pending): Promise<Settled<Written>> {
    try {
      return { ok: true, value: (await this.writeTogether([p]))[0] };
    } catch (err) {
      try {
        // Its last attempt: quarantined (its raw bytes kept); else the error goes to the caller, whose queue retries.
        return { ok: true, value: (await this.writeTogether([{ ...p, outcome: this.quarantine(p, err) }]))[0] };
      } catch (error) {
        return { ok: false, error };
      }
    }
  }

  /**
   * Writes a batch in one transaction; resolves once it committed, so that the next batch can start, with the
   * outcomes still to come (they wait for the acknowledgements' rate limit, a Redis round trip).
   */
  private async writeTogether(batch: Pending[]): Promise<Written[]> {
    const events: TicketEventRecord[] = [];
    const runner = this.db.createQueryRunner();
    const writes: Array<Promise<Routed>> = [];
    let routed: Routed[];
    try {
      await runner.connect();
      const manager = runner.manager;
      const tx: InTransaction = { manager, events };
      // The transaction's start, the threading lookup and the customers statement go out together: one round trip.
      const [, seen, customers] = await Promise.all([
        startTransactionPipelined(runner),
        this.lookUp(batch, manager),
        this.customersOf(batch, manager),
      ]);
      // Who sent each mail (decided when it was prepared), unless the lookup found it a duplicate.
      const senders = batch.map((p, i): Sender | Routed | undefined => {
        if (p.outcome || !p.mail) return undefined;
        if (!p.from || !seen[i]) return { status: 'ignored', reason: 'no sender' };
        if ('address' in p.from && p.mail.messageId && seen[i]!.known)
          return { status: 'ignored', reason: 'duplicate Message-ID' };
        return p.from;
      });
      // Each mail is decided in the order received and its write starts at once: the connection pipelines the
      // batch's statements (one round trip for all, not one each). Writes to one ticket wait for each other, so
      // its messages keep the order received; a reply to a mail of the same batch waits for that mail's write.
      const w: Writing = { inBatch: new Map(), perTicket: new Map(), customers, tx };
      for (const [i, p] of batch.entries()) {
        if (p.outcome) writes.push(Promise.resolve(p.outcome));
        else
          writes.push(
            (await this.ctx.run(systemActor(p.row.tenant_id), () => this.route(p, seen[i], senders[i]!, w))).written,
          );
      }
      // Every write settles before the transaction ends; the first failure (the others then fail with it) rolls back.
      const settled = await Promise.allSettled(writes);
      const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (failed) throw failed.reason;
      routed = settled.map((s) => (s as PromiseFulfilledResult<Routed>).value);
      // The final statement and the commit go out together too. Had the statement failed, PostgreSQL answers the
      // commit by rolling back (and had the commit gone first, the statement runs alone: a crash in between leaves
      // mails whose next attempt finds their messages stored and finishes them).
      const [finished, committed] = await Promise.allSettled([
        this.finish(batch, routed, manager),
        runner.commitTransaction(),
      ]);
      if (committed.status === 'rejected') throw committed.reason;
      if (finished.status === 'rejected') throw finished.reason;
    } catch (err) {
      await Promise.allSettled(writes); // a mail that failed before its write leaves the writes already under way
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      await runner.release();
    }
    this.tickets.publish(events);
    // The acknowledgement's rate limit counts only mails whose ticket committed (one Redis round trip per batch).
    // One refused leaves its recorded Message-ID unused: no mail carries it.
    const results = routed.map((r) => {
      const result: Routed = { ...r };
      delete result.rememberMessageId;
      return result;
    });
    const due = results.flatMap((r, i) =>
      r.status === 'processed' && r.acknowledge ? [{ r, tenantId: batch[i].row.tenant_id, to: r.acknowledge.to }] : [],
    );
    const outcomes = !due.length
      ? Promise.resolve(results)
      : this.acksAllowed(due).then(
          (allowed) => {
            due.forEach((d, i) => !allowed[i] && (d.r.acknowledge = null));
            return results;
          },
          (err: unknown) => {
            // Without Redis no acknowledgement can be counted (nor queued): none is sent, the mails stay processed.
            this.logger.warn({ err, mails: due.length }, 'Acknowledgement limit unavailable; no acknowledgement sent');
            due.forEach((d) => (d.r.acknowledge = null));
            return results;
          },
        );
    return results.map((_, i) => ({ outcome: outcomes.then((o) => o[i]) }));
  }

  /** Mails parsed and waiting for the transaction that writes them (tests use it to see a batch form). */
  get writesWaiting(): number {
    return this.writes.waiting;
  }

  /**
   * One query for the whole batch: is each mail's Message-ID known already (or its message stored, by an attempt cut
   * short), and which open ticket do its In-Reply-To/References name (In-Reply-To first, then the latest reference)?
   * Each id is looked up by the key, one at a time: as `message_id = ANY(…)` a cached generic plan, costed for ten
   * ids, scanned the whole table while it was small.
   */
  private async lookUp(batch: Pending[], manager: EntityManager): Promise<Array<Seen | undefined>> {
    const wanted = batch.map((p, i) => (p.outcome || !p.mail?.from ? null : i)).filter((i): i is number => i !== null);
    if (!wanted.length) return [];
    const refs: Array<[number, number, string]> = [];
    for (const i of wanted) threadRefs(batch[i].mail!).forEach((ref, n) => refs.push([i, n, ref.slice(0, 998)]));
    const rows: Array<{
      i: number;
      known: boolean;
      thread: Seen['thread'];
      stored: Seen['stored'];
      by_number: string | null;
    }> = await queryPrepared(
      manager,
      `SELECT x.i,
                EXISTS (SELECT 1 FROM email_message_ids k WHERE k.tenant_id = x.tenant_id AND k.message_id = x.message_id) AS known,
                (SELECT json_build_object('ticketId', t.id, 'n', r.n)
                   FROM unnest($4::int[], $5::int[], $6::text[]) AS r(i, n, message_id)
                   CROSS JOIN LATERAL (SELECT m.ticket_id FROM email_message_ids m
                                       WHERE m.tenant_id = x.tenant_id AND m.message_id = r.message_id LIMIT 1) m
                   JOIN tickets t ON t.id = m.ticket_id AND t.tenant_id = x.tenant_id
                  WHERE r.i = x.i AND t.status <> 'closed' ORDER BY r.n LIMIT 1) AS thread,
                (SELECT json_build_object('ticketId', m.ticket_id, 'id', m.id, 'first', m.created_at = t.created_at)
                   FROM messages m JOIN tickets t ON t.id = m.ticket_id AND t.tenant_id = x.tenant_id
                  WHERE m.tenant_id = x.tenant_id AND m.channel = 'email' AND m.external_id = x.message_id) AS stored,
                -- Only the ticket's requester threads by number: a guessed number never opens someone else's ticket.
                (SELECT t.id FROM tickets t JOIN customers c ON c.id = t.requester_id AND c.tenant_id = t.tenant_id
                  WHERE t.tenant_id = x.tenant_id AND t.number = x.number AND t.status <> 'closed'
                    AND (c.email = x.sender OR EXISTS (SELECT 1 FROM customer_identities ci WHERE ci.tenant_id = t.tenant_id
                           AND ci.customer_id = c.id AND ci.type = 'email' AND ci.value = x.sender))) AS by_number
           FROM unnest($1::int[], $2::uuid[], $3::text[], $7::bigint[], $8::text[]) AS x(i, tenant_id, message_id, number, sender)`,
      [
        wanted,
        wanted.map((i) => batch[i].row.tenant_id),
        wanted.map((i) => batch[i].mail!.messageId ?? null),
        refs.map((r) => r[0]),
        refs.map((r) => r[1]),
        refs.map((r) => r[2]),
        wanted.map((i) => subjectTicketNumber(batch[i].mail!.subject)),
        wanted.map((i) => batch[i].mail!.from!.address),
      ],
    );
    const seen: Array<Seen | undefined> = [];
    for (const r of rows) seen[r.i] = { known: r.known, thread: r.thread, stored: r.stored, byNumber: r.by_number };
    return seen;
  }

  /** The final status of every mail of the batch, and its Message-ID (for threading and duplicates), in one statement. */
  private async finish(batch: Pending[], routed: Routed[], manager: EntityManager): Promise<void> {
    const done = (r: Routed) => (r.status === 'processed' ? r : null);
    await queryPrepared(
      manager,
      `WITH v AS (
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::uuid[], $6::text[], $7::int[], $8::text[])
           AS v(id, status, outcome, ticket_id, message_row_id, message_id, attempt, ack_id)),
       u AS (
         UPDATE inbound_emails e SET status = v.status, outcome = v.outcome, ticket_id = v.ticket_id,
                message_row_id = v.message_row_id, processed_at = now(), attempts = e.attempts + v.attempt
         FROM v WHERE e.id = v.id AND e.status = 'received'
         RETURNING e.tenant_id, v.message_id, v.ticket_id, v.message_row_id, v.ack_id)
       INSERT INTO email_message_ids (tenant_id, message_id, ticket_id, message_row_id, direction)
       SELECT tenant_id, message_id, ticket_id, message_row_id, 'in' FROM u
        WHERE message_id IS NOT NULL AND ticket_id IS NOT NULL
       UNION ALL
       SELECT tenant_id, ack_id, ticket_id, NULL, 'out' FROM u WHERE ack_id IS NOT NULL AND ticket_id IS NOT NULL
       ON CONFLICT DO NOTHING`,
      [
        batch.map((p) => p.id),
        routed.map((r) => r.status),
        routed.map((r) => (r.status === 'processed' ? (r.created ? 'new ticket' : 'reply') : r.reason)),
        routed.map((r) => done(r)?.ticketId ?? null),
        routed.map((r) => done(r)?.messageId ?? null),
        routed.map((r) => done(r)?.rememberMessageId?.slice(0, 998) ?? null),
        batch.map((p) => (p.kept ? 1 : 0)),
        routed.map((r) => done(r)?.acknowledge?.messageId ?? null),
      ],
    );
  }

  /** The signed reply address of a person of staff this mail was sent to, if any. */
  private staffReplyTo(row: Row): { ticketId: string; userId: string } | null {
    return (row.envelope_to as string[]).map((to) => parseReplyAddress(this.env.JWT_SECRET, to)).find(Boolean) ?? null;
  }

  /** The sender as a customer may hold them, or why the mail goes no further (decided before any write). */
  private async sender(mail: ParsedEmail): Promise<Sender | Routed> {
    if (!mail.from) return { status: 'ignored', reason: 'no sender' };
    // No address is longer (RFC 5321); a customer's email holds at most this many characters.
    if (mail.from.address.length > 254) return { status: 'ignored', reason: 'sender address over 254 characters' };
    if ((await this.channels.ownAddresses()).includes(mail.from.address))
      return { status: 'ignored', reason: 'sent from one of the workspace’s own addresses' };
    return { address: mail.from.address, name: mail.from.name?.slice(0, 200) || null };
  }

  /**
   * The customers the batch's senders are, in one statement: it inserts those not met before (in address order,
   * so that two batches never wait on each other in opposite orders) and names those without a name, and writes
   * nothing for the rest, whose rows stay unlocked. It goes out with the threading lookup, so a mail the lookup then
   * finds a duplicate is counted too: its sender was met with the first copy, and nothing is written for them.
   */
  private async customersOf(batch: Pending[], manager: EntityManager): Promise<Map<string, string>> {
    const wanted = new Map<string, { tenantId: string; email: string; name: string | null }>();
    for (const p of batch) {
      const s = p.from;
      if (p.outcome || !s || !('address' in s) || p.staffReply) continue;
      const tenantId = p.row.tenant_id;
      const key = `${tenantId} ${s.address}`;
      if (!wanted.get(key)?.name) wanted.set(key, { tenantId, email: s.address, name: s.name });
    }
    const ids = new Map<string, string>();
    if (!wanted.size) return ids;
    const list = [...wanted.values()];
    const rows: Array<{ tenant_id: string; email: string; id: string }> = await queryPrepared(
      manager,
      `WITH input AS (SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[]) AS x(tenant_id, email, name)),
       ins AS (
         INSERT INTO customers (tenant_id, email, name)
         SELECT i.tenant_id, i.email, i.name FROM input i
          WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.tenant_id = i.tenant_id AND c.email = i.email)
          ORDER BY i.tenant_id, i.email
         ON CONFLICT (tenant_id, email) WHERE email IS NOT NULL DO NOTHING
         RETURNING tenant_id, email, id),
       named AS (
         UPDATE customers c SET name = i.name FROM input i
          WHERE c.tenant_id = i.tenant_id AND c.email = i.email AND c.name IS NULL AND i.name IS NOT NULL
         RETURNING c.id)
       SELECT tenant_id, email, id FROM ins
       UNION ALL
       SELECT c.tenant_id, c.email, c.id FROM customers c JOIN input i ON c.tenant_id = i.tenant_id AND c.email = i.email`,
      [list.map((c) => c.tenantId), list.map((c) => c.email), list.map((c) => c.name)],
    );
    for (const r of rows) ids.set(`${r.tenant_id} ${r.email}`, r.id);
    return ids;
  }

  /** Decides what a mail is (in the order received, before any write of its own) and starts its write. */
  private async route(
    p: Pending,
    seen: Seen | undefined,
    from: Sender | Routed,
    w: Writing,
  ): Promise<{ written: Promise<Routed> }> {
    const { row } = p;
    const mail = p.mail!;
    const done = (r: Routed) => ({ written: Promise.resolve(r) });
    const staffReply = p.staffReply;
    if (staffReply)
      return { written: onTicket(w, staffReply.ticketId, () => this.staffReply(row, mail, staffReply, w.tx)) };
    if ('status' in from) return done(from);
    const batchKey = (id: string) => `${this.ctx.tenantId} ${id}`;
    if (mail.messageId && w.inBatch.has(batchKey(mail.messageId)))
      return done({ status: 'ignored', reason: 'duplicate Message-ID' });
    if (seen!.stored) {
      // Stored by an earlier attempt that died before the mail's final statement: finish that one, store nothing.
      const { ticketId, id, first } = seen!.stored;
      if (mail.messageId) w.inBatch.set(batchKey(mail.messageId), Promise.resolve(ticketId));
      return done({
        status: 'processed',
        ticketId,
        messageId: id,
        created: first,
        acknowledge: null,
        rememberMessageId: mail.messageId,
      });
    }
    // The thread a reference names: the earliest in threading order, be it stored before or written in this batch;
    // then `[#number]` in the subject, from the ticket's requester only; else a new ticket.
    const refs = threadRefs(mail);
    const k = refs.findIndex((ref) => w.inBatch.has(batchKey(ref)));
    const parent = k >= 0 && (!seen!.thread || k < seen!.thread.n) ? w.inBatch.get(batchKey(refs[k]))! : null;
    const known: string | null = seen!.thread?.ticketId ?? seen!.byNumber;

    const text = mail.replyText || '(no text)';
    const uploaded = (p.uploaded ??= await this.upload(mail));
    // Met by the batch's customer statement; one that a concurrent batch inserted meanwhile is looked up alone.
    const requester =
      w.customers.get(batchKey(from.address)) ?? (await this.customerFor(from.address, from.name, w.tx.manager));

    const reply = async (ticketId: string): Promise<Routed> => {
      const { message, created } = await this.tickets.addMessage(
        ticketId,
        {
          body: text,
          html: undefined,
          channel: 'email',
          externalId: mail.messageId ?? undefined,
          authorCustomerId: requester,
          attachmentIds: uploaded.ids,
        },
        w.tx,
      );
      // The same mail delivered twice at once: the copy that lost the race finds its Message-ID stored already.
      if (!created) return { status: 'ignored', reason: 'duplicate Message-ID' };
      return {
        status: 'processed',
        ticketId,
        messageId: message.id,
        created: false,
        acknowledge: null,
        rememberMessageId: mail.messageId,
      };
    };
    const open = async (): Promise<Routed> => {
      // A reply keeps its text only (the HTML repeats the quoted history); a new ticket keeps the mail's HTML too.
      const html = mail.html ? (p.html ?? rewriteCids(sanitizeMessageHtml(mail.html), uploaded.cids)) : undefined;
      const { ticket, messageId } = await this.tickets.create(
        {
          subject: (mail.subject || '(no subject)').slice(0, 500),
          body: text,
          sanitizedHtml: html, // sanitized above, before the cid: rewrite
          channel: 'email',
          requester: { customerId: requester },
          externalId: mail.messageId ?? undefined,
          attachmentIds: uploaded.ids,
        },
        w.tx,
      );
      const mailbox = await this.channels.mailbox(row.channel_id);
      return {
        status: 'processed',
        ticketId: ticket.id,
        messageId: messageId!, // no Idempotency-Key here: create() always creates and names the first message
        created: true,
        // Rate-limited once the ticket committed (writeTogether); its Message-ID is recorded by `finish`.
        acknowledge:
          mailbox?.acknowledge && !mail.automatic
            ? {
                to: from.address,
                channelId: mailbox.id,
                number: ticket.number,
                subject: ticket.subject,
                messageId: ackMessageId(ticket.id, mailbox.address),
                inReplyTo: mail.messageId ?? null,
              }
            : null,
        rememberMessageId: mail.messageId,
      };
    };
    const write = (ticketId: string | null) => (ticketId ? onTicket(w, ticketId, () => reply(ticketId)) : open());
    const written = parent ? parent.then((ticketId) => write(ticketId ?? known)) : write(known);
    if (mail.messageId)
      w.inBatch.set(
        batchKey(mail.messageId),
        written.then(
          (r) => (r.status === 'processed' ? r.ticketId : null),
          () => null,
        ),
      );
    return { written };
  }

  async rememberMessageId(
    messageId: string | null,
    ticketId: string,
    messageRowId: string | null,
    direction: 'in' | 'out',
  ): Promise<void> {
    if (!messageId) return;
    await queryPrepared(
      this.db,
      `INSERT INTO email_message_ids (tenant_id, message_id, ticket_id, message_row_id, direction) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
      [this.ctx.tenantId, messageId.slice(0, 998), ticketId, messageRowId, direction],
    );
  }

  private async customerFor(email: string, name: string | null, manager: EntityManager): Promise<string> {
    // Writes only when something changes (a new customer, or a name for one without): a known sender costs a
    // lookup, not a new row version (an upsert that "updates" to the same values still writes one).
    const [row] = await queryPrepared(
      manager,
      `WITH w AS (
         INSERT INTO customers (tenant_id, email, name) VALUES ($1, $2, $3)
         ON CONFLICT (tenant_id, email) WHERE email IS NOT NULL
         DO UPDATE SET name = EXCLUDED.name WHERE customers.name IS NULL AND EXCLUDED.name IS NOT NULL
         RETURNING id)
       SELECT id FROM w UNION ALL SELECT id FROM customers WHERE tenant_id = $1 AND email = $2 LIMIT 1`,
      [this.ctx.tenantId, email, name],
    );
    if (row) return row.id;
    // Another mail of the same new sender committed it after this statement's snapshot: the plain upsert sees it.
    const [again] = await manager.query(
      `INSERT INTO customers (tenant_id, email, name) VALUES ($1, $2, $3)
       ON CONFLICT (tenant_id, email) WHERE email IS NOT NULL DO UPDATE SET name = coalesce(customers.name, EXCLUDED.name) RETURNING id`,
      [this.ctx.tenantId, email, name],
    );
    return again.id;
  }

  private async upload(mail: ParsedEmail): Promise<{ ids: string[]; cids: Map<string, string> }> {
    const ids: string[] = [];
    const cids = new Map<string, string>();
    for (const a of mail.attachments) {
      try {
        const info = await this.attachments.upload(a.filename, a.content);
        ids.push(info.id);
        if (a.cid) cids.set(a.cid, info.id);
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        this.logger.warn(
          { tenantId: this.ctx.tenantId, filename: a.filename, reason: err.message },
          'Attachment skipped',
        );
      }
    }
    return { ids, cids };
  }

  /** At most EMAIL_ACK_LIMIT_PER_HOUR acknowledgements to one sender an hour; counts and answers for each. */
  private async acksAllowed(acks: Array<{ tenantId: string; to: string }>): Promise<boolean[]> {
    const hour = String(Math.floor(Date.now() / 3_600_000));
    const multi = this.redis.multi();
    for (const a of acks) {
      const key = this.keys.key('rl', 'ack', a.tenantId, a.to, hour);
      multi.incr(key).expire(key, 3700);
    }
    const replies = (await multi.exec()) as Array<[Error | null, number]>;
    return acks.map((_, i) => replies[2 * i][1] <= this.env.EMAIL_ACK_LIMIT_PER_HOUR);
  }

  /** A person of staff answering a notification from their mail client: a public reply, or a note with `#note`. */
  private async staffReply(
    row: Row,
    mail: ParsedEmail,
    to: { ticketId: string; userId: string },
    tx: InTransaction,
  ): Promise<Routed> {
    const [user] = await this.db.query(
      `SELECT u.id, u.name, u.email, u.status,
         coalesce((SELECT array_agg(DISTINCT p) FROM user_roles ur JOIN roles r ON r.id = ur.role_id, unnest(r.permissions) p WHERE ur.user_id = u.id), '{}') AS permissions,
         coalesce((SELECT array_agg(tm.team_id) FROM team_members tm WHERE tm.user_id = u.id), '{}') AS team_ids
       FROM users u WHERE u.tenant_id = $1 AND u.id = $2`,
      [this.ctx.tenantId, to.userId],
    );
    const sender = mail.from?.address;
    const envelope = (row.envelope_from as string | null)?.toLowerCase();
    if (
      !user ||
      user.status !== 'active' ||
      !sender ||
      sender !== user.email ||
      (envelope && envelope !== user.email)
    ) {
      return {
        status: 'refused',
        reason: `reply address of ${user?.email ?? 'an unknown person'} used by ${sender ?? 'nobody'}`,
      };
    }
    if (mail.automatic) return { status: 'ignored', reason: `automatic mail (${mail.automatic})` };
    const staff: Actor = {
      kind: 'user',
      id: user.id,
      name: user.name,
      tenantId: this.ctx.tenantId,
      permissions: new Set(user.permissions),
      teamIds: user.team_ids,
    };
    let text = mail.replyText;
    const internal = /^#note\b/i.test(text);
    if (internal) text = text.replace(/^#note\b[ \t]*:?\s*/i, '');
    if (!text.trim()) return { status: 'ignored', reason: 'empty reply' };
    try {
      // An expert's public reply by mail waits for approval exactly as one from the console would.
      const { message } = await this.ctx.run(staff, async () =>
        this.tickets.addMessage(
          to.ticketId,
          {
            body: text,
            internal,
            review: !internal && (await this.tickets.needsReview(await this.tickets.get({ id: to.ticketId }), staff)),
            channel: 'email',
            externalId: mail.messageId ?? undefined,
          },
          tx,
        ),
      );
      return {
        status: 'processed',
        ticketId: to.ticketId,
        messageId: message.id,
        created: false,
        acknowledge: null,
        rememberMessageId: mail.messageId,
      };
    } catch (err) {
      if (err instanceof AppError) return { status: 'refused', reason: err.message };
      throw err;
    }
  }
}

function rewriteCids(html: string, cids: Map<string, string>): string {
  return html.replace(/src="cid:([^"]+)"/gi, (m, cid: string) =>
    cids.has(cid) ? `src="/api/v1/attachments/${cids.get(cid)}"` : m,
  );
}
