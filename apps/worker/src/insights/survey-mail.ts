import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createTransport, Transporter } from 'nodemailer';
import { DataSource } from 'typeorm';
import { UnrecoverableError } from 'bullmq';
import { ChannelsService } from '@crewdesk/channels';
import { Env } from '@crewdesk/config';
import { TenantContext } from '@crewdesk/db';
import type { SurveyDelivery } from '@crewdesk/insights';

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The survey mail's subject and bodies, in both languages (Chinese first for a zh requester). */
export function composeSurveyMail(d: SurveyDelivery): { subject: string; text: string; html: string } {
  const until = d.expiresAt.slice(0, 10);
  const zh = {
    hi: d.requesterName ? `${d.requesterName}，您好：` : '您好：',
    body: `您的工单 #${d.ticketNumber}「${d.subject}」已解决。您对本次服务满意吗？花一分钟告诉我们：`,
    note: `链接在 ${until} 前有效，期间可以修改您的回答。`,
  };
  const en = {
    hi: d.requesterName ? `Hello ${d.requesterName},` : 'Hello,',
    body: `your request #${d.ticketNumber} "${d.subject}" was solved. How did we do? Tell us in a minute:`,
    note: `The link works until ${until}; you can change your answer until then.`,
  };
  const parts = d.requesterLocale?.startsWith('zh') ? [zh, en] : [en, zh];
  const text = `${parts.map((p) => `${p.hi}\n${p.body}\n${d.link}\n${p.note}`).join('\n\n')}\n\n— ${d.workspaceName}\n`;
  const html = `${parts
    .map(
      (p) =>
        `<p>${esc(p.hi)}<br>${esc(p.body)}</p><p><a href="${esc(d.link)}">${esc(d.link)}</a></p><p style="color:#666">${esc(p.note)}</p>`,
    )
    .join('<hr>')}<p>— ${esc(d.workspaceName)}</p>`;
  return { subject: `您对本次服务满意吗？How did we do? [#${d.ticketNumber}]`, text, html };
}

/** Sends survey mails through SMTP_URL from the workspace mailbox the ticket came in by (or its first one). */
@Injectable()
export class SurveyMailer {
  private transport?: Transporter;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ctx: TenantContext,
    private readonly channels: ChannelsService,
    private readonly env: Env,
  ) {}

  async send(d: SurveyDelivery): Promise<void> {
    if (!d.requesterEmail) throw new UnrecoverableError('The requester has no email address');
    if (!this.env.SMTP_URL) throw new UnrecoverableError('No outbound relay is configured (set SMTP_URL)');
    const [first] = await this.db.query(
      `SELECT channel_id FROM inbound_emails WHERE tenant_id = $1 AND ticket_id = $2 ORDER BY received_at LIMIT 1`,
      [this.ctx.tenantId, d.ticketId],
    );
    const mailbox = await this.channels.mailbox(first?.channel_id ?? null);
    if (!mailbox) throw new UnrecoverableError('The workspace has no email channel to send from');
    const mail = composeSurveyMail(d);
    if (!this.transport) {
      // The same time limits as replies: a hanging relay must not hold a worker slot for long.
      const url = new URL(this.env.SMTP_URL);
      for (const [k, v] of Object.entries({
        connectionTimeout: '10000',
        greetingTimeout: '10000',
        socketTimeout: '30000',
      }))
        if (!url.searchParams.has(k)) url.searchParams.set(k, v);
      this.transport = createTransport(url.toString());
    }
    await this.transport.sendMail({
      from: { name: d.workspaceName, address: mailbox.address },
      to: d.requesterName ? { name: d.requesterName, address: d.requesterEmail } : d.requesterEmail,
      replyTo: mailbox.address,
      subject: mail.subject,
      messageId: `<survey-${d.surveyId}@${mailbox.address.split('@')[1] ?? 'localhost'}>`,
      text: mail.text,
      html: mail.html,
      headers: {
        // A machine mail: other machines must not answer it (RFC 3834).
        'Auto-Submitted': 'auto-generated',
        'X-Auto-Response-Suppress': 'All',
        'X-Crewdesk-Ticket': String(d.ticketNumber),
        'X-Crewdesk-Survey': d.surveyId,
      },
    });
  }
}
