import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import Redis from 'ioredis';
import { Readable } from 'stream';
import { DataSource } from 'typeorm';
import { AppError, sanitizeMessageHtml } from '@crewdesk/common';
import { Env } from '@crewdesk/config';
import { Actor, queryPrepared, TenantContext } from '@crewdesk/db';
import { REDIS, RedisKeys } from '@crewdesk/queue';
import { AttachmentsService, TicketsService } from '@crewdesk/tickets';
import { ChannelsService } from './channels.service';
import { MailParseError, ParsedEmail, subjectTicketNumber } from './mail';
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
  | { status: 'processed'; ticketId: string; messageId: string; created: boolean; acknowledge: string | null }
  | { status: 'ignored' | 'refused' | 'quarantined'; reason: string };

/** What routing decided, plus the mail's Message-ID to record with the final status (one statement for both). */
type Routed = IngestOutcome & { rememberMessageId?: string | null };

/** Parse attempts before a mail that keeps failing is quarantined (its raw bytes stay for a later fix). */
export const MAX_PARSE_ATTEMPTS = 3;

/**
 * Mails this process stored and has not processed yet, so that processing them here neither reads them back
 * (PostgreSQL would send a bytea as hex, twice its size) nor claims them with a statement of its own: the mail
 * was stored a moment ago by this process, which is processing it now. Bounded by bytes, oldest first; a mail
 * processed elsewhere, retried, or after a restart is claimed and read from the database as before.
 */
export class RecentRaw {
  private readonly entries = new Map<string, InboundMail>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  put(id: string, mail: InboundMail): void {
    if (mail.raw.length > this.maxBytes) return;
    this.entries.set(id, mail);
    this.bytes += mail.raw.length;
    for (const [oldId, old] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldId);
      this.bytes -= old.raw.length;
    }
  }

  take(id: string): InboundMail | undefined {
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
    const [row] = await queryPrepared(
      this.db,
      `INSERT INTO inbound_emails (tenant_id, channel_id, source, envelope_from, envelope_to, raw, size) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [mail.tenantId, mail.channelId, mail.source, mail.envelopeFrom, mail.envelopeTo, mail.raw, mail.raw.length],
    );
    this.recent.put(row.id, mail);
    return row.id;
  }

  /** Ids of stored mails still waiting (the reconciler's and the worker's start-up catch-up). */
  async pending(olderThanSeconds: number, limit = 500): Promise<string[]> {
    const rows = await this.db.query(
      `SELECT id FROM inbound_emails WHERE status = 'received' AND received_at < now() - make_interval(secs => $1) ORDER BY received_at LIMIT $2`,
      [olderThanSeconds, limit],
    );
    return rows.map((r: Row) => r.id);
  }

  /** Processes one stored mail; idempotent (a processed mail is left alone). */
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
        attempts: 1,
      };
    } else {
      [row] = await queryPrepared(
        this.db,
        `UPDATE inbound_emails SET attempts = attempts + 1 WHERE id = $1 AND status = 'received'
         RETURNING id, tenant_id, channel_id, envelope_from, envelope_to, raw, attempts`,
        [id],
      );
      if (!row) return null;
    }
    const actor: Actor = {
      kind: 'system',
      id: null,
      tenantId: row.tenant_id,
      permissions: new Set(['*']),
      name: 'Email',
    };
    let outcome: Routed;
    try {
      const parsed = await this.parser.parse(row.raw, {
        timeoutMs: 10_000,
        maxAttachments: 50,
        maxAttachmentBytes: this.env.MAX_ATTACHMENT_BYTES,
      });
      outcome = await this.ctx.run(actor, () => this.route(row, parsed));
    } catch (err) {
      if (err instanceof MailParseError || row.attempts >= MAX_PARSE_ATTEMPTS) {
        outcome = { status: 'quarantined', reason: (err as Error).message };
        this.logger.warn({ inboundId: id, tenantId: row.tenant_id, reason: outcome.reason }, 'Mail quarantined');
      } else {
        throw err; // retried by the queue
      }
    }
    // The final status and the Message-ID (for threading and duplicates) in one statement, so also atomically.
    const { rememberMessageId, ...result } = outcome;
    await queryPrepared(
      this.db,
      `WITH u AS (
         UPDATE inbound_emails SET status = $2, outcome = $3, ticket_id = $4, message_row_id = $5, processed_at = now(),
                attempts = attempts + $7::int
         WHERE id = $1 AND status = 'received' RETURNING tenant_id)
       INSERT INTO email_message_ids (tenant_id, message_id, ticket_id, message_row_id, direction)
       SELECT u.tenant_id, $6::text, $4, $5, 'in' FROM u WHERE $6::text IS NOT NULL AND $4::uuid IS NOT NULL
       ON CONFLICT DO NOTHING`,
      [
        id,
        result.status,
        result.status === 'processed' ? (result.created ? 'new ticket' : 'reply') : result.reason,
        result.status === 'processed' ? result.ticketId : null,
        result.status === 'processed' ? result.messageId : null,
        result.status === 'processed' ? (rememberMessageId?.slice(0, 998) ?? null) : null,
        kept ? 1 : 0,
      ],
    );
    return result;
  }

  private async route(row: Row, mail: ParsedEmail): Promise<Routed> {
    const staffReply = (row.envelope_to as string[])
      .map((to) => parseReplyAddress(this.env.JWT_SECRET, to))
      .find(Boolean);
    if (staffReply) return this.staffReply(row, mail, staffReply);
    if (!mail.from) return { status: 'ignored', reason: 'no sender' };
    const own = await this.channels.ownAddresses();
    if (own.includes(mail.from.address))
      return { status: 'ignored', reason: 'sent from one of the workspace’s own addresses' };
    // One query: is this Message-ID known already (or its message stored, by an attempt cut short), and which open
    // ticket do its In-Reply-To/References name (In-Reply-To first, then the latest reference)? Each id is looked up
    // by the key, one at a time: as `message_id = ANY($3)` the cached generic plan, costed for ten ids, scanned the
    // whole table while it was small.
    const [seen] = await queryPrepared(
      this.db,
      `SELECT EXISTS (SELECT 1 FROM email_message_ids WHERE tenant_id = $1 AND message_id = $2) AS known,
              (SELECT t.id FROM unnest($3::text[]) WITH ORDINALITY AS r(message_id, n)
                 CROSS JOIN LATERAL (SELECT m.ticket_id FROM email_message_ids m
                                     WHERE m.tenant_id = $1 AND m.message_id = r.message_id LIMIT 1) m
                 JOIN tickets t ON t.id = m.ticket_id AND t.tenant_id = $1
                WHERE t.status <> 'closed' ORDER BY r.n LIMIT 1) AS ticket_id,
              (SELECT json_build_object('ticketId', m.ticket_id, 'id', m.id, 'first', m.created_at = t.created_at)
                 FROM messages m JOIN tickets t ON t.id = m.ticket_id AND t.tenant_id = $1
                WHERE m.tenant_id = $1 AND m.channel = 'email' AND m.external_id = $2) AS stored`,
      [this.ctx.tenantId, mail.messageId ?? null, [...mail.inReplyTo, ...mail.references.reverse()]],
    );
    if (mail.messageId && seen.known) return { status: 'ignored', reason: 'duplicate Message-ID' };
    if (seen.stored) {
      // Stored by an earlier attempt that died before the mail's final statement: finish that one, store nothing.
      const { ticketId, id, first } = seen.stored as { ticketId: string; id: string; first: boolean };
      return {
        status: 'processed',
        ticketId,
        messageId: id,
        created: first,
        acknowledge: null,
        rememberMessageId: mail.messageId,
      };
    }

    const text = mail.replyText || '(no text)';
    const ticketId: string | null = seen.ticket_id ?? (await this.threadByNumber(mail));
    const uploaded = await this.upload(mail);
    if (ticketId) {
      const requester = await this.customerFor(mail.from.address, mail.from.name);
      const { message, created } = await this.tickets.addMessage(ticketId, {
        body: text,
        html: undefined,
        channel: 'email',
        externalId: mail.messageId ?? undefined,
        authorCustomerId: requester,
        attachmentIds: uploaded.ids,
      });
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
    }
    // A reply keeps its text only (the HTML repeats the quoted history); a new ticket keeps the mail's HTML too.
    const html = mail.html ? rewriteCids(sanitizeMessageHtml(mail.html), uploaded.cids) : undefined;
    const { ticket, messageId } = await this.tickets.create({
      subject: (mail.subject || '(no subject)').slice(0, 500),
      body: text,
      sanitizedHtml: html, // sanitized above, before the cid: rewrite
      channel: 'email',
      requester: { email: mail.from.address, name: mail.from.name ?? undefined },
      externalId: mail.messageId ?? undefined,
      attachmentIds: uploaded.ids,
    });
    const first = { id: messageId! }; // no Idempotency-Key here: create() always creates and names the first message
    const mailbox = await this.channels.mailbox(row.channel_id);
    const acknowledge =
      mailbox?.acknowledge && !mail.automatic && (await this.ackAllowed(mail.from.address)) ? mail.from.address : null;
    return {
      status: 'processed',
      ticketId: ticket.id,
      messageId: first.id,
      created: true,
      acknowledge,
      rememberMessageId: mail.messageId,
    };
  }

  /**
   * Threading after In-Reply-To and References (matched against stored and sent Message-IDs in `route`):
   * `[#number]` in the subject, from the ticket's requester only; else none.
   */
  private async threadByNumber(mail: ParsedEmail): Promise<string | null> {
    const number = subjectTicketNumber(mail.subject);
    if (number && mail.from) {
      // Only the ticket's requester can thread by number: a guessed number never opens someone else's ticket.
      const [hit] = await queryPrepared(
        this.db,
        `SELECT t.id FROM tickets t JOIN customers c ON c.id = t.requester_id AND c.tenant_id = t.tenant_id
         WHERE t.tenant_id = $1 AND t.number = $2 AND t.status <> 'closed'
           AND (c.email = $3 OR EXISTS (SELECT 1 FROM customer_identities i WHERE i.tenant_id = t.tenant_id AND i.customer_id = c.id AND i.type = 'email' AND i.value = $3))`,
        [this.ctx.tenantId, number, mail.from.address],
      );
      if (hit) return hit.id;
    }
    return null;
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

  private async customerFor(email: string, name: string | null): Promise<string> {
    // Writes only when something changes (a new customer, or a name for one without): a known sender costs a
    // lookup, not a new row version (an upsert that "updates" to the same values still writes one).
    const [row] = await queryPrepared(
      this.db,
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
    const [again] = await this.db.query(
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
        const info = await this.attachments.upload(a.filename, Readable.from(a.content));
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

  /** At most EMAIL_ACK_LIMIT_PER_HOUR acknowledgements to one sender an hour. */
  private async ackAllowed(address: string): Promise<boolean> {
    const key = this.keys.key('rl', 'ack', this.ctx.tenantId, address, String(Math.floor(Date.now() / 3_600_000)));
    const [[, count]] = (await this.redis.multi().incr(key).expire(key, 3700).exec()) as [[unknown, number]];
    return count <= this.env.EMAIL_ACK_LIMIT_PER_HOUR;
  }

  /** A person of staff answering a notification from their mail client: a public reply, or a note with `#note`. */
  private async staffReply(row: Row, mail: ParsedEmail, to: { ticketId: string; userId: string }): Promise<Routed> {
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
        this.tickets.addMessage(to.ticketId, {
          body: text,
          internal,
          review: !internal && (await this.tickets.needsReview(await this.tickets.get({ id: to.ticketId }), staff)),
          channel: 'email',
          externalId: mail.messageId ?? undefined,
        }),
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
