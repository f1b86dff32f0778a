import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createTransport, Transporter } from 'nodemailer';
import { DataSource } from 'typeorm';
import { Env } from '@crewdesk/config';
import { TenantContext } from '@crewdesk/db';
import { AckMail } from '@crewdesk/queue';
import { TicketsService } from '@crewdesk/tickets';
import { ChannelsService } from './channels.service';
import { EmailIngestService } from './email-ingest.service';
import { ackMessageId, domainOf } from './mail';
import { replyAddress } from './reply-address';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Row = Record<string, any>;

/** A failure that retrying cannot fix (no relay configured, the relay refused the recipient for good). */
export class PermanentDeliveryError extends Error {}

export type NotifyReason = 'assigned' | 'mentioned' | 'escalated';

/**
 * Outgoing mail: public replies to email tickets (threaded with our Message-ID, In-Reply-To and References),
 * acknowledgements of new tickets, and notifications to staff with a signed reply address. Automatic mail is
 * marked `Auto-Submitted` so other systems never answer it (RFC 3834).
 */
@Injectable()
export class OutboundMailService implements OnApplicationShutdown {
  private readonly logger = new Logger(OutboundMailService.name);
  private transport?: Transporter;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ctx: TenantContext,
    private readonly channels: ChannelsService,
    private readonly ingest: EmailIngestService,
    private readonly tickets: TicketsService,
    private readonly env: Env,
  ) {}

  /** Closes the pooled relay connections. */
  onApplicationShutdown(): void {
    this.transport?.close();
  }

  private relay(): Transporter {
    if (!this.env.SMTP_URL) throw new PermanentDeliveryError('No outbound relay is configured (set SMTP_URL)');
    const url = new URL(this.env.SMTP_URL);
    for (const [k, v] of Object.entries({
      connectionTimeout: '10000',
      greetingTimeout: '10000',
      socketTimeout: '30000',
      // One SMTP connection per mail cost a TCP and SMTP handshake (and TLS) each: keep a few open and reuse them,
      // as many as the outbound queue's concurrency.
      pool: 'true',
      maxConnections: '4',
    })) {
      if (!url.searchParams.has(k)) url.searchParams.set(k, v);
    }
    this.transport ??= createTransport(url.toString());
    return this.transport;
  }

  /** The ticket as its mails need it; `firstIn` also reads the Message-ID of its first inbound mail (same statement). */
  private async ticket(ticketId: string, firstIn = false): Promise<Row | null> {
    const [row] = await this.db.query(
      `SELECT t.id, t.number, t.subject, t.channel, c.email AS requester_email, c.name AS requester_name, tn.name AS workspace_name,
              (SELECT channel_id FROM inbound_emails i WHERE i.tenant_id = t.tenant_id AND i.ticket_id = t.id ORDER BY received_at LIMIT 1) AS channel_id,
              ${
                firstIn
                  ? `(SELECT message_id FROM email_message_ids m WHERE m.tenant_id = t.tenant_id AND m.ticket_id = t.id AND m.direction = 'in' ORDER BY created_at LIMIT 1)`
                  : 'NULL'
              } AS first_in
       FROM tickets t JOIN customers c ON c.id = t.requester_id JOIN tenants tn ON tn.id = t.tenant_id
       WHERE t.tenant_id = $1 AND t.id = $2`,
      [this.ctx.tenantId, ticketId],
    );
    return row ?? null;
  }

  private subject(subject: string, number: number, prefix = 'Re: '): string {
    const base = /^(re|回复|答复)\s*[:：]/i.test(subject) ? subject : `${prefix}${subject}`;
    return base.includes(`[#${number}]`) ? base : `${base} [#${number}]`;
  }

  /** Sends a queued public reply. Returns false when there is nothing to send (already sent, or not queued). */
  async deliverReply(ticketId: string, messageId: string): Promise<boolean> {
    const [message] = await this.db.query(
      `SELECT id, body_text, body_html, delivery_state, kind FROM messages WHERE tenant_id = $1 AND ticket_id = $2 AND id = $3`,
      [this.ctx.tenantId, ticketId, messageId],
    );
    if (!message || message.delivery_state !== 'queued' || message.kind !== 'public') return false;
    const t = await this.ticket(ticketId);
    if (!t?.requester_email) throw new PermanentDeliveryError('The requester has no email address');
    const mailbox = await this.channels.mailbox(t.channel_id);
    if (!mailbox) throw new PermanentDeliveryError('The workspace has no email channel to send from');
    const thread: Row[] = await this.db.query(
      `SELECT message_id, direction FROM email_message_ids WHERE tenant_id = $1 AND ticket_id = $2 ORDER BY created_at`,
      [this.ctx.tenantId, ticketId],
    );
    const lastIncoming = [...thread].reverse().find((r) => r.direction === 'in')?.message_id;
    const ourId = `<${messageId}@${domainOf(mailbox.address)}>`;
    await this.relay().sendMail({
      from: { name: t.workspace_name, address: mailbox.address },
      to: t.requester_name ? { name: t.requester_name, address: t.requester_email } : t.requester_email,
      replyTo: mailbox.address,
      subject: this.subject(t.subject, t.number),
      messageId: ourId,
      inReplyTo: lastIncoming,
      references: thread.slice(-20).map((r) => r.message_id),
      text: message.body_text,
      html: message.body_html,
      headers: { 'X-Crewdesk-Ticket': String(t.number) },
    });
    await this.ingest.rememberMessageId(ourId, ticketId, messageId, 'out');
    await this.tickets.recordDelivery(ticketId, messageId, 'sent');
    return true;
  }

  async markFailed(ticketId: string, messageId: string, reason: string): Promise<void> {
    this.logger.warn({ tenantId: this.ctx.tenantId, ticketId, messageId, reason }, 'Reply could not be delivered');
    await this.tickets.recordDelivery(ticketId, messageId, 'failed', reason);
  }

  /**
   * "We received your request": automatic, threaded, in both languages. `decided` is what the ingest decided when it
   * wrote the ticket, its Message-ID already recorded: then nothing is read or written here but the mail itself.
   */
  async acknowledge(ticketId: string, to: string, decided?: AckMail): Promise<void> {
    const mail = decided ?? (await this.ackOf(ticketId));
    if (!mail) return;
    const mailbox = await this.channels.mailbox(mail.channelId);
    if (!mailbox) return;
    await this.relay().sendMail({
      from: { name: mailbox.workspaceName, address: mailbox.address },
      to,
      replyTo: mailbox.address,
      subject: this.subject(mail.subject, mail.number),
      messageId: mail.messageId,
      inReplyTo: mail.inReplyTo ?? undefined,
      references: mail.inReplyTo ? [mail.inReplyTo] : undefined,
      text:
        `我们已收到您的请求，工单号 #${mail.number}。回复此邮件即可补充信息。\n\n` +
        `We received your request; its number is #${mail.number}. Reply to this mail to add anything.\n\n— ${mailbox.workspaceName}`,
      headers: {
        'Auto-Submitted': 'auto-replied',
        'X-Auto-Response-Suppress': 'All',
        'X-Crewdesk-Ticket': String(mail.number),
      },
    });
    if (!decided) await this.ingest.rememberMessageId(mail.messageId, ticketId, null, 'out');
  }

  /** The acknowledgement of a job queued without it (before the ingest decided it): read from the ticket. */
  private async ackOf(ticketId: string): Promise<AckMail | null> {
    const t = await this.ticket(ticketId, true);
    const mailbox = t && (await this.channels.mailbox(t.channel_id));
    if (!t || !mailbox) return null;
    const messageId = ackMessageId(ticketId, mailbox.address);
    return { channelId: mailbox.id, number: t.number, subject: t.subject, messageId, inReplyTo: t.first_in };
  }

  /** Tells a person of staff about a ticket; replying to the mail answers the customer (or notes with `#note`). */
  async notify(ticketId: string, userId: string, reason: NotifyReason, excerpt?: string): Promise<void> {
    const t = await this.ticket(ticketId);
    const [user] = await this.db.query(
      `SELECT email, name, locale, status FROM users WHERE tenant_id = $1 AND id = $2`,
      [this.ctx.tenantId, userId],
    );
    if (!t || !user || user.status !== 'active') return;
    const mailbox = await this.channels.mailbox(t.channel_id);
    if (!mailbox) return;
    const zh = user.locale === 'zh-CN';
    const why = {
      assigned: zh ? `工单 #${t.number} 已分配给您。` : `Ticket #${t.number} was assigned to you.`,
      mentioned: zh ? `有人在工单 #${t.number} 中提到了您。` : `You were mentioned on ticket #${t.number}.`,
      escalated: zh ? `工单 #${t.number} 已升级给您。` : `Ticket #${t.number} was escalated to you.`,
    }[reason];
    const how = zh
      ? '直接回复此邮件即可回复客户；以 #note 开头则添加内部备注。'
      : 'Reply to this mail to answer the customer; start with #note to add an internal note instead.';
    await this.relay().sendMail({
      from: { name: `${t.workspace_name} (Crewdesk)`, address: mailbox.address },
      to: user.email,
      replyTo: replyAddress(this.env.JWT_SECRET, domainOf(mailbox.address), ticketId, userId),
      subject: `[#${t.number}] ${t.subject}`,
      text: `${why}\n\n${excerpt ? `${excerpt}\n\n` : ''}${how}`,
      headers: {
        'Auto-Submitted': 'auto-generated',
        'X-Auto-Response-Suppress': 'All',
        'X-Crewdesk-Ticket': String(t.number),
      },
    });
  }

  /**
   * The daily digest of new tickets under the tags a person follows (product staff watching `feature-request`).
   * Returns false when the workspace has no mailbox to send from.
   */
  async digest(
    userId: string,
    tags: string[],
    tickets: Array<{ number: number; subject: string; tags: string[]; customer: string | null }>,
    consoleUrl: string,
  ): Promise<boolean> {
    const [user] = await this.db.query(
      `SELECT u.email, u.name, u.locale, u.status, tn.name AS workspace_name FROM users u JOIN tenants tn ON tn.id = u.tenant_id
       WHERE u.tenant_id = $1 AND u.id = $2`,
      [this.ctx.tenantId, userId],
    );
    const mailbox = await this.channels.mailbox(null);
    if (!user || user.status !== 'active' || !mailbox) return false;
    const zh = user.locale === 'zh-CN';
    const list = tickets
      .map((t) => `#${t.number}  ${t.subject}${t.customer ? ` (${t.customer})` : ''}  [${t.tags.join(', ')}]`)
      .join('\n');
    const newTickets = `${tickets.length} new ticket${tickets.length === 1 ? '' : 's'}`;
    const head = zh
      ? `过去一天有 ${tickets.length} 个新工单带有您关注的标签（${tags.join('、')}）：`
      : `${newTickets} in the last day ${tickets.length === 1 ? 'carries' : 'carry'} tags you follow (${tags.join(', ')}):`;
    const foot = zh ? `在控制台中查看：${consoleUrl}` : `Open them in the console: ${consoleUrl}`;
    await this.relay().sendMail({
      from: { name: `${user.workspace_name} (Crewdesk)`, address: mailbox.address },
      to: user.email,
      subject: zh ? `每日摘要：${tickets.length} 个新工单` : `Daily digest: ${newTickets}`,
      text: `${head}\n\n${list}\n\n${foot}`,
      headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
    });
    return true;
  }

  /** A relay answer that retrying cannot change. */
  static isPermanent(err: unknown): boolean {
    const code = (err as { responseCode?: number }).responseCode;
    return err instanceof PermanentDeliveryError || (typeof code === 'number' && code >= 500 && code < 600);
  }
}
