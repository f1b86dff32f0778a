import { INestApplicationContext } from '@nestjs/common';
import * as iconv from 'iconv-lite';
import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { EmailIngestService } from '@crewdesk/channels';
import { JobName, QueueName, REDIS } from '@crewdesk/queue';
import Redis from 'ioredis';
import { Client as PgClient } from 'pg';
import { AttachmentsService, TicketsRepository } from '@crewdesk/tickets';
import { TenantContext } from '@crewdesk/db';
import { randomUUID } from 'crypto';
import { createTransport } from 'nodemailer';
import request from 'supertest';
import {
  CaptureSmtp,
  eventually,
  MailStack,
  sendRaw,
  startMailStack,
  TestApp,
  WorkspaceSession,
} from '@crewdesk/testing';
import { SmtpInboundServer } from '../../apps/worker/src/email/smtp-inbound.server';

const b64 = (s: string, charset = 'utf-8') => iconv.encode(s, charset).toString('base64');
const word = (s: string, charset: string) => `=?${charset}?B?${b64(s, charset)}?=`;
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

describe('email channel', () => {
  let t: TestApp;
  let worker: INestApplicationContext;
  let relay: CaptureSmtp;
  let ws: WorkspaceSession;
  let smtpPort: number;
  let mailbox: string;
  let channelId: string;
  let stack: MailStack;

  const tickets = () => t.db.query(`SELECT * FROM tickets WHERE tenant_id = $1 ORDER BY number`, [ws.workspace.id]);
  const messagesOf = (ticketId: string) =>
    t.db.query(`SELECT * FROM messages WHERE ticket_id = $1 ORDER BY created_at, id`, [ticketId]);
  const inbound = (status?: string) =>
    t.db.query(
      `SELECT * FROM inbound_emails WHERE tenant_id = $1 ${status ? 'AND status = $2' : ''} ORDER BY received_at`,
      status ? [ws.workspace.id, status] : [ws.workspace.id],
    );
  const settled = (n: number) =>
    eventually(
      async () => ((await inbound()).filter((r: any) => r.status !== 'received').length >= n ? true : null),
      15_000,
    );

  /** Gives a workspace a mailbox (its email channel); the channel's id. */
  const addMailbox = async (session: WorkspaceSession, address: string): Promise<string> =>
    (
      await request(t.http)
        .post('/api/v1/channels')
        .set(session.admin.auth)
        .send({ type: 'email', address })
        .expect(201)
    ).body.id;

  beforeAll(async () => {
    stack = await startMailStack({ EMAIL_RETRY_ATTEMPTS: '3', EMAIL_RETRY_DELAY_MS: '100' });
    ({ t, worker, relay } = stack);
    smtpPort = worker.get(SmtpInboundServer).port!;
    ws = await WorkspaceSession.create(t);
    mailbox = `support-${ws.workspace.slug}@mail.test`;
    channelId = await addMailbox(ws, mailbox);
  });
  afterAll(() => stack?.close());

  it('turns a GBK mail with an RFC 2047 subject and an attachment into a ticket, and acknowledges it once', async () => {
    const raw = [
      `From: ${word('张三', 'GB2312')} <zhang.san@example.cn>`,
      `To: ${mailbox}`,
      `Subject: ${word('发票开错了，需要重开', 'GBK')}`,
      'Message-ID: <gbk-1@example.cn>',
      'Date: Mon, 23 Nov 2026 09:00:00 +0800',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=GB2312',
      'Content-Transfer-Encoding: base64',
      '',
      b64('你好，上个月的发票抬头写错了（镕），麻烦重新开一张。', 'gbk'),
      '--b1',
      `Content-Type: application/octet-stream; name="${word('发票.pdf', 'GBK')}"`,
      `Content-Disposition: attachment; filename="${word('发票.pdf', 'GBK')}"`,
      'Content-Transfer-Encoding: base64',
      '',
      PDF.toString('base64'),
      '--b1--',
      '',
    ].join('\r\n');
    await sendRaw(smtpPort, 'zhang.san@example.cn', [mailbox], raw);
    await settled(1);
    const [ticket] = await tickets();
    expect(ticket).toMatchObject({ subject: '发票开错了，需要重开', channel: 'email', status: 'new' });
    const [message] = await messagesOf(ticket.id);
    expect(message.body_text).toBe('你好，上个月的发票抬头写错了（镕），麻烦重新开一张。');
    const [file] = await t.db.query(`SELECT filename, content_type FROM attachments WHERE message_id = $1`, [
      message.id,
    ]);
    expect(file).toEqual({ filename: '发票.pdf', content_type: 'application/pdf' });
    const [requester] = await t.db.query(`SELECT name, email FROM customers WHERE id = $1`, [ticket.requester_id]);
    expect(requester).toEqual({ name: '张三', email: 'zhang.san@example.cn' });

    const ack = await relay.waitFor((m) => (m.to as any)?.text?.includes('zhang.san@example.cn'));
    expect(ack.subject).toContain(`[#${ticket.number}]`);
    expect(ack.headers.get('auto-submitted')).toBe('auto-replied');
    expect(ack.inReplyTo).toBe('<gbk-1@example.cn>');
  });

  it('reads an Outlook HTML mail and a plain-text mail, keeping only the new text', async () => {
    const outlook = [
      'From: "Sam Lee" <sam@corp.example>',
      `To: ${mailbox}`,
      'Subject: Export fails',
      'Message-ID: <outlook-1@corp.example>',
      'MIME-Version: 1.0',
      'Content-Type: text/html; charset="utf-8"',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      '<html><body><div class=3DWordSection1><p class=3DMsoNormal>Hello, the CSV export fails since Monday.<o:p></o:p></p>',
      '<div style=3D"border:none;border-top:solid #E1E1E1 1.0pt"><p><b>From:</b> Support<br><b>Sent:</b> Monday</p></div>',
      '<p>old quoted stuff</p><script>alert(1)</script></div></body></html>',
      '',
    ].join('\r\n');
    await sendRaw(smtpPort, 'sam@corp.example', [mailbox], outlook);
    await sendRaw(
      smtpPort,
      'kim@example.org',
      [mailbox],
      `From: kim@example.org\r\nTo: ${mailbox}\r\nSubject: Question\r\nMessage-ID: <plain-1@example.org>\r\n\r\nHow do I change my plan?\r\n`,
    );
    await settled(3);
    const all = await tickets();
    const html = all.find((x: any) => x.subject === 'Export fails');
    const [m1] = await messagesOf(html.id);
    expect(m1.body_text).toBe('Hello, the CSV export fails since Monday.');
    expect(m1.body_html).not.toContain('<script');
    const plain = all.find((x: any) => x.subject === 'Question');
    expect((await messagesOf(plain.id))[0].body_text).toBe('How do I change my plan?');
  });

  it('sends an agent reply with threading headers, and threads the customer reply by headers, by [#number], once', async () => {
    const [ticket] = await tickets();
    const reply = await request(t.http)
      .post(`/api/v1/tickets/${ticket.id}/messages`)
      .set(ws.admin.auth)
      .send({ body: '已为您重开发票。' })
      .expect(201);
    expect(reply.body.deliveryState).toBe('queued');
    const out = await relay.waitFor((m) => m.text?.includes('已为您重开发票') ?? false);
    expect(out.inReplyTo).toBe('<gbk-1@example.cn>');
    expect(out.references).toContain('<gbk-1@example.cn>');
    expect(out.subject).toBe(`Re: 发票开错了，需要重开 [#${ticket.number}]`);
    expect(out.messageId).toMatch(/@mail\.test>$/);
    expect(out.headers.get('auto-submitted')).toBeUndefined();
    await eventually(async () =>
      (await messagesOf(ticket.id)).find((m: any) => m.id === reply.body.id)?.delivery_state === 'sent' ? true : null,
    );
    const events = await request(t.http).get(`/api/v1/tickets/${ticket.id}/events`).set(ws.admin.auth).expect(200);
    expect(events.body.items.map((e: any) => e.type)).toContain('message.delivered');

    const answer = (id: string, headers: string) =>
      `From: zhang.san@example.cn\r\nTo: ${mailbox}\r\nSubject: Re: ${word('发票开错了，需要重开', 'GBK')} [#${ticket.number}]\r\nMessage-ID: <${id}@example.cn>\r\n${headers}\r\n谢谢！\r\n\r\n-----原始邮件-----\r\n发件人: support\r\n已为您重开发票。\r\n`;
    const byHeaders = answer(
      'gbk-2',
      `In-Reply-To: ${out.messageId}\r\nReferences: <gbk-1@example.cn> ${out.messageId}\r\n`,
    );
    await sendRaw(smtpPort, 'zhang.san@example.cn', [mailbox], byHeaders);
    await sendRaw(smtpPort, 'zhang.san@example.cn', [mailbox], byHeaders); // delivered twice
    await sendRaw(smtpPort, 'zhang.san@example.cn', [mailbox], answer('gbk-3', '')); // headers stripped: [#n]
    await settled(6);
    const thread = await messagesOf(ticket.id);
    expect(thread.map((m: any) => m.body_text)).toEqual([
      '你好，上个月的发票抬头写错了（镕），麻烦重新开一张。',
      '已为您重开发票。',
      '谢谢！',
      '谢谢！',
    ]);
    expect((await tickets()).length).toBe(3);
    expect((await inbound('ignored')).map((r: any) => r.outcome)).toEqual(['duplicate Message-ID']);
    // A stranger quoting the number gets a ticket of their own.
    await sendRaw(
      smtpPort,
      'mallory@evil.example',
      [mailbox],
      `From: mallory@evil.example\r\nTo: ${mailbox}\r\nSubject: Re: [#${ticket.number}]\r\nMessage-ID: <m-1@evil.example>\r\n\r\nlet me in\r\n`,
    );
    await settled(7);
    expect((await messagesOf(ticket.id)).length).toBe(4);
  });

  it('records auto-replies and bounces without acknowledging them, and two instances do not loop', async () => {
    await sendRaw(
      smtpPort,
      'ooo@example.com',
      [mailbox],
      `From: ooo@example.com\r\nTo: ${mailbox}\r\nSubject: Out of office\r\nAuto-Submitted: auto-replied\r\nMessage-ID: <ooo-1@example.com>\r\n\r\nI am away.\r\n`,
    );
    await sendRaw(
      smtpPort,
      '',
      [mailbox],
      `From: MAILER-DAEMON@mx.example.com\r\nTo: ${mailbox}\r\nSubject: Undelivered Mail Returned to Sender\r\nMessage-ID: <bounce-1@mx.example.com>\r\nContent-Type: multipart/report; report-type=delivery-status; boundary="r"\r\n\r\n--r\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n--r--\r\n`,
    );
    await settled(9);
    const recorded = (await tickets()).filter((x: any) =>
      ['Out of office', 'Undelivered Mail Returned to Sender'].includes(x.subject),
    );
    expect(recorded).toHaveLength(2);
    // No acknowledgement was ever queued for them.
    const outbound = worker.get<Queue>(getQueueToken(QueueName.EmailOutbound));
    for (const r of recorded) expect(await outbound.getJob(`ack-${r.id}`)).toBeUndefined();

    // Instance B's mailbox writes to A (a person would); A acknowledges; the acknowledgement reaches B, which stays quiet.
    const b = await WorkspaceSession.create(t);
    const bMailbox = `help-${b.workspace.slug}@mail.test`;
    await addMailbox(b, bMailbox);
    await sendRaw(
      smtpPort,
      bMailbox,
      [mailbox],
      `From: ${bMailbox}\r\nTo: ${mailbox}\r\nSubject: Hello from B\r\nMessage-ID: <loop-1@mail.test>\r\n\r\nHi A\r\n`,
    );
    const ackToB = await relay.waitFor((m) => (m.to as any)?.text?.includes(bMailbox));
    const ackRaw = relay.mails.find((m) => m.parsed === ackToB)!.raw;
    await sendRaw(smtpPort, mailbox, [bMailbox], ackRaw);
    await eventually(async () =>
      (await t.db.query(`SELECT 1 FROM inbound_emails WHERE tenant_id = $1 AND status <> 'received'`, [b.workspace.id]))
        .length
        ? true
        : null,
    );
    // B recorded A's acknowledgement as a ticket but queued nothing back: the exchange ends there.
    const [bTicket] = await t.db.query(`SELECT id FROM tickets WHERE tenant_id = $1`, [b.workspace.id]);
    expect(await outbound.getJob(`ack-${bTicket.id}`)).toBeUndefined();
    expect(relay.mails.filter((m) => (m.parsed.to as any)?.text?.includes(bMailbox))).toHaveLength(1);
    expect(relay.mails.filter((m) => (m.parsed.from as any)?.text?.includes(bMailbox))).toHaveLength(0);
    // Mail from the workspace's own address never becomes a requester.
    await sendRaw(
      smtpPort,
      mailbox,
      [mailbox],
      `From: ${mailbox}\r\nTo: ${mailbox}\r\nSubject: Echo\r\nMessage-ID: <self-1@mail.test>\r\n\r\necho\r\n`,
    );
    await eventually(async () =>
      (await inbound('ignored')).some((r: any) => r.outcome.includes('own addresses')) ? true : null,
    );
  });

  it('keeps the mails of one SMTP connection apart: a recipient never carries over to the next mail', async () => {
    const other = await WorkspaceSession.create(t);
    const otherBox = `other-${other.workspace.slug}@mail.test`;
    await addMailbox(other, otherBox);
    const pool = createTransport({
      host: '127.0.0.1',
      port: smtpPort,
      secure: false,
      ignoreTLS: true,
      pool: true,
      maxConnections: 1,
    });
    try {
      await pool.sendMail({
        envelope: { from: 'a@example.com', to: [otherBox] },
        raw: `From: a@example.com\r\nTo: ${otherBox}\r\nSubject: For the other workspace\r\nMessage-ID: <pool-1@example.com>\r\n\r\nx\r\n`,
      });
      await pool.sendMail({
        envelope: { from: 'b@example.com', to: [mailbox] },
        raw: `From: b@example.com\r\nTo: ${mailbox}\r\nSubject: For this workspace\r\nMessage-ID: <pool-2@example.com>\r\n\r\ny\r\n`,
      });
    } finally {
      pool.close();
    }
    await eventually(async () =>
      (await t.db.query(`SELECT 1 FROM tickets WHERE subject = 'For this workspace'`)).length ? true : null,
    );
    const stored = await t.db.query(
      `SELECT tenant_id, envelope_to FROM inbound_emails WHERE position(convert_to('<pool-', 'UTF8') IN raw) > 0 ORDER BY received_at`,
    );
    expect(stored.map((r: any) => [r.tenant_id, r.envelope_to])).toEqual([
      [other.workspace.id, [otherBox]],
      [ws.workspace.id, [mailbox]],
    ]);
  });

  it('acknowledges with what it decided when writing the ticket: a reply to the acknowledgement threads by headers', async () => {
    const c = await WorkspaceSession.create(t);
    const box = `ack-${c.workspace.slug}@mail.test`;
    await addMailbox(c, box);
    const of = (address: string) => (m: any) => m.to?.text?.includes(address);
    await sendRaw(
      smtpPort,
      'li.na@example.cn',
      [box],
      `From: li.na@example.cn\r\nTo: ${box}\r\nSubject: 登录失败\r\nMessage-ID: <ack-root@example.cn>\r\n\r\n无法登录。\r\n`,
    );
    const ack = await relay.waitFor(of('li.na@example.cn'));
    const [ticket] = await t.db.query(`SELECT id, number FROM tickets WHERE tenant_id = $1`, [c.workspace.id]);
    expect(ack.messageId).toBe(`<ack-${ticket.id}@mail.test>`);
    expect(ack.subject).toBe(`Re: 登录失败 [#${ticket.number}]`);
    expect(ack.inReplyTo).toBe('<ack-root@example.cn>');
    expect((ack.from as any).value[0]).toEqual({ name: c.workspace.name, address: box });
    // Its Message-ID was recorded with the ticket's first mail, before it was sent.
    expect(
      await t.db.query(`SELECT message_id, direction FROM email_message_ids WHERE ticket_id = $1 ORDER BY direction`, [
        ticket.id,
      ]),
    ).toEqual([
      { message_id: '<ack-root@example.cn>', direction: 'in' },
      { message_id: ack.messageId, direction: 'out' },
    ]);

    // The customer answers the acknowledgement (headers only, no number in the subject): same ticket, no new ack.
    await sendRaw(
      smtpPort,
      'li.na@example.cn',
      [box],
      `From: li.na@example.cn\r\nTo: ${box}\r\nSubject: 补充\r\nMessage-ID: <ack-reply@example.cn>\r\nIn-Reply-To: ${ack.messageId}\r\nReferences: <ack-root@example.cn> ${ack.messageId}\r\n\r\n截图见附件。\r\n`,
    );
    await eventually(async () =>
      (await t.db.query(`SELECT 1 FROM messages WHERE ticket_id = $1 AND body_text = '截图见附件。'`, [ticket.id]))
        .length
        ? true
        : null,
    );
    expect(await t.db.query(`SELECT id FROM tickets WHERE tenant_id = $1`, [c.workspace.id])).toHaveLength(1);

    // A job queued before the ingest decided acknowledgements (no `mail`) reads the ticket and sends the same mail.
    const outbound = worker.get<Queue>(getQueueToken(QueueName.EmailOutbound));
    await outbound.add(JobName.EmailAck, { tenantId: c.workspace.id, ticketId: ticket.id, to: 'old.job@example.cn' });
    const again = await relay.waitFor(of('old.job@example.cn'));
    expect({ id: again.messageId, subject: again.subject, inReplyTo: again.inReplyTo }).toEqual({
      id: ack.messageId,
      subject: ack.subject,
      inReplyTo: '<ack-root@example.cn>',
    });
    expect(relay.mails.filter((m) => of('li.na@example.cn')(m.parsed))).toHaveLength(1);
  });

  /** A fresh workspace with a mailbox, one mail sent to it, and what became of the mail once it left `received`. */
  const mailToFreshWorkspace = async (tag: string, from: string, rest: string) => {
    const c = await WorkspaceSession.create(t);
    const box = `${tag}-${c.workspace.slug}@mail.test`;
    await addMailbox(c, box);
    await sendRaw(smtpPort, from, [box], `From: ${from}\r\nTo: ${box}\r\n${rest}`);
    const outcome = await eventually(
      async () =>
        (
          await t.db.query(`SELECT status, outcome FROM inbound_emails WHERE tenant_id = $1 AND status <> 'received'`, [
            c.workspace.id,
          ])
        )[0] ?? null,
    );
    return { tenantId: c.workspace.id, outcome };
  };

  it('stores a mail whose HTML names half of a surrogate pair, with U+FFFD in its place', async () => {
    const { tenantId, outcome } = await mailToFreshWorkspace(
      'lone',
      'odd@example.org',
      'Subject: Odd characters\r\nMessage-ID: <lone-1@example.org>\r\nMIME-Version: 1.0\r\n' +
        'Content-Type: text/html; charset=utf-8\r\n\r\n<p>before &#xD800; after &#128512;</p>\r\n',
    );
    expect(outcome).toEqual({ status: 'processed', outcome: 'new ticket' });
    const [message] = await t.db.query(`SELECT body_text, body_html FROM messages WHERE tenant_id = $1`, [tenantId]);
    expect(message.body_text).toBe('before \ufffd after 😀');
    expect(message.body_html).toContain('before \ufffd after 😀');
  });

  it('keeps a mail whose inline image is cut short inside its header, typing the file as bytes', async () => {
    const { tenantId, outcome } = await mailToFreshWorkspace(
      'cut',
      'cut@example.org',
      'Subject: Broken logo\r\nMessage-ID: <cut-1@example.org>\r\nMIME-Version: 1.0\r\n' +
        'Content-Type: multipart/related; boundary=r\r\n\r\n--r\r\nContent-Type: text/html\r\n\r\n' +
        '<p>See <img src="cid:logo"></p>\r\n--r\r\nContent-Type: image/png\r\nContent-ID: <logo>\r\n' +
        'Content-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--r--\r\n',
    );
    expect(outcome).toEqual({ status: 'processed', outcome: 'new ticket' });
    const files = await t.db.query(`SELECT content_type, size FROM attachments WHERE tenant_id = $1`, [tenantId]);
    expect(files).toEqual([{ content_type: 'application/octet-stream', size: 8 }]);
  });

  it('refuses unknown recipients at RCPT', async () => {
    await expect(sendRaw(smtpPort, 'x@example.com', ['nobody@mail.test'], 'Subject: x\r\n\r\nx')).rejects.toMatchObject(
      { responseCode: 550 },
    );
  });

  // smtp-server caps an address at 253 characters: what passes MAIL FROM always fits the stored column (320).
  it('refuses a sender address longer than any mail may have at MAIL FROM', async () => {
    await expect(
      sendRaw(smtpPort, `${'a'.repeat(300)}@example.com`, [mailbox], 'Subject: x\r\n\r\nx'),
    ).rejects.toMatchObject({ responseCode: 501 });
  });

  it('lets an engineer answer from their mail client: a public reply, #note for a note; a stranger is refused', async () => {
    const engineer = await ws.person(['engineer'], [], '老陈');
    const [ticket] = await tickets();
    await ws.assign(ticket.id, engineer.id, ws.admin.auth);
    const notice = await relay.waitFor((m) => (m.to as any)?.text?.includes(engineer.email));
    const replyTo = (notice.replyTo as any).value[0].address as string;
    expect(replyTo).toMatch(/^r[a-z2-7]{60}@mail\.test$/);
    expect(notice.headers.get('auto-submitted')).toBe('auto-generated');

    const mail = (from: string, body: string, id: string) =>
      `From: ${from}\r\nTo: ${replyTo}\r\nSubject: Re: ${notice.subject}\r\nMessage-ID: <${id}@corp.example>\r\n\r\n${body}\r\n\r\nOn Mon, Crewdesk wrote:\r\n> quoted\r\n`;
    const before = (await messagesOf(ticket.id)).length;
    await sendRaw(
      smtpPort,
      engineer.email,
      [replyTo],
      mail(engineer.email, 'The invoice service is fixed now.', 'eng-1'),
    );
    await sendRaw(
      smtpPort,
      engineer.email,
      [replyTo],
      mail(engineer.email, '#note root cause was a stale cache', 'eng-2'),
    );
    await sendRaw(
      smtpPort,
      'stranger@evil.example',
      [replyTo],
      mail('stranger@evil.example', 'I am an engineer, honest', 'eng-3'),
    );
    await eventually(async () => ((await inbound('refused')).length ? true : null));
    await eventually(async () => ((await messagesOf(ticket.id)).length >= before + 2 ? true : null));
    const added = (await messagesOf(ticket.id)).slice(before);
    expect(added.map((m: any) => [m.kind, m.author_id, m.body_text])).toEqual([
      ['public', engineer.id, 'The invoice service is fixed now.'],
      ['internal', engineer.id, 'root cause was a stale cache'],
    ]);
    const [refused] = await inbound('refused');
    expect(refused.outcome).toContain('stranger@evil.example');
    // The public reply goes out to the customer by mail.
    await relay.waitFor((m) => m.text?.includes('The invoice service is fixed now.') ?? false);
  });

  it("holds an expert's public reply by mail for approval where the workspace asks, as from the console", async () => {
    await request(t.http)
      .patch('/api/v1/workspace')
      .set(ws.admin.auth)
      .send({ settings: { expertReview: true } });
    try {
      const expert = await ws.person(['engineer'], [], 'Expert Ada');
      const web = await ws.webTicket('Export hangs', 'The CSV export never finishes.');
      await request(t.http)
        .post(`/api/v1/tickets/${web.id}/escalations`)
        .set(ws.admin.auth)
        .send({ target: { type: 'user', id: expert.id }, reason: 'Why does the export hang?' })
        .expect(201);
      const notice = await relay.waitFor((m) => (m.to as any)?.text?.includes(expert.email));
      const replyTo = (notice.replyTo as any).value[0].address as string;
      await sendRaw(
        smtpPort,
        expert.email,
        [replyTo],
        `From: ${expert.email}\r\nTo: ${replyTo}\r\nSubject: Re: ${notice.subject}\r\nMessage-ID: <ada-1@corp.example>\r\n\r\nA query without an index; fixed in 2.3.\r\n`,
      );
      const [held] = await eventually(async () => {
        const rows = (await messagesOf(web.id)).filter((m: any) => m.author_id === expert.id);
        return rows.length ? rows : null;
      });
      expect(held).toMatchObject({ review_state: 'pending', body_text: 'A query without an index; fixed in 2.3.' });
      // Nothing reaches the customer until the agent approves it: held replies are not public.
      expect(held.kind).toBe('internal');
      await new Promise((r) => setTimeout(r, 500));
      expect(relay.mails.some((m) => m.parsed.text?.includes('A query without an index'))).toBe(false);
    } finally {
      await request(t.http)
        .patch('/api/v1/workspace')
        .set(ws.admin.auth)
        .send({ settings: { expertReview: false } });
    }
  });

  it("lands a staff reply in its ticket's workspace when several workspaces share a mail domain", async () => {
    // Two workspaces with mailboxes on one domain; the older one must not receive the newer one's replies.
    const first = await WorkspaceSession.create(t);
    await addMailbox(first, `a-${first.workspace.slug}@shared.test`);
    const second = await WorkspaceSession.create(t);
    await addMailbox(second, `b-${second.workspace.slug}@shared.test`);
    const engineer = await second.person(['engineer'], [], 'Shared domain engineer');
    const created = await second.staffTicket(second.admin.auth);
    await request(t.http)
      .patch(`/api/v1/tickets/${created.id}`)
      .set(second.admin.auth)
      .send({ version: created.version, assigneeId: engineer.id })
      .expect(200);
    const notice = await relay.waitFor((m) => (m.to as any)?.text?.includes(engineer.email));
    const replyTo = (notice.replyTo as any).value[0].address as string;
    expect(replyTo).toMatch(/@shared\.test$/);
    await sendRaw(
      smtpPort,
      engineer.email,
      [replyTo],
      `From: ${engineer.email}\r\nTo: ${replyTo}\r\nSubject: Re: x\r\nMessage-ID: <shared-1@corp.example>\r\n\r\nFixed on our side.\r\n`,
    );
    await eventually(async () => {
      const rows = await messagesOf(created.id);
      return rows.some((m: any) => m.body_text === 'Fixed on our side.' && m.author_id === engineer.id) ? true : null;
    });
    const [stray] = await t.db.query(`SELECT count(*)::int AS n FROM inbound_emails WHERE tenant_id = $1`, [
      first.workspace.id,
    ]);
    expect(stray.n).toBe(0);
  });

  it('takes raw MIME through the webhook with the channel token only', async () => {
    const created = await request(t.http)
      .post('/api/v1/channels')
      .set(ws.admin.auth)
      .send({ type: 'email', address: `hook-${ws.workspace.slug}@mail.test` })
      .expect(201);
    expect(created.body.inboundToken).toMatch(/^cdk_/);
    const raw = `From: hook@example.com\r\nTo: hook-${ws.workspace.slug}@mail.test\r\nSubject: Via webhook\r\nMessage-ID: <hook-1@example.com>\r\n\r\nHello\r\n`;
    await request(t.http)
      .post(`/api/v1/channels/${created.body.id}/inbound`)
      .set('Content-Type', 'message/rfc822')
      .send(raw)
      .expect(401);
    const ok = await request(t.http)
      .post(`/api/v1/channels/${created.body.id}/inbound`)
      .set('Authorization', `Bearer ${created.body.inboundToken}`)
      .set('Content-Type', 'message/rfc822')
      .send(raw)
      .expect(202);
    await eventually(async () =>
      (await t.db.query(`SELECT status FROM inbound_emails WHERE id = $1`, [ok.body.id]))[0].status === 'processed'
        ? true
        : null,
    );
    expect((await tickets()).some((x: any) => x.subject === 'Via webhook')).toBe(true);
    const dup = await request(t.http)
      .post('/api/v1/channels')
      .set(ws.admin.auth)
      .send({ type: 'email', address: mailbox })
      .expect(409);
    expect(dup.body.code).toBe('CONFLICT');
  });

  it('retries a reply while the relay is down, then shows it failed; nothing is lost', async () => {
    const [ticket] = await tickets();
    await relay.stop();
    const reply = await request(t.http)
      .post(`/api/v1/tickets/${ticket.id}/messages`)
      .set(ws.admin.auth)
      .send({ body: 'This one cannot leave.' })
      .expect(201);
    await eventually(
      async () =>
        (await messagesOf(ticket.id)).find((m: any) => m.id === reply.body.id)?.delivery_state === 'failed'
          ? true
          : null,
      20_000,
    );
    const events = await request(t.http).get(`/api/v1/tickets/${ticket.id}/events`).set(ws.admin.auth).expect(200);
    const failed = events.body.items.find((e: any) => e.type === 'message.delivery_failed');
    expect(failed).toMatchObject({ visibility: 'internal', data: { messageId: reply.body.id, state: 'failed' } });
    const stored = await request(t.http).get(`/api/v1/tickets/${ticket.id}`).set(ws.admin.auth).expect(200);
    expect(stored.body.messages.find((m: any) => m.id === reply.body.id)).toMatchObject({
      body: 'This one cannot leave.',
      deliveryState: 'failed',
    });
  });

  it('finishes a mail whose ticket was stored by an attempt that died before its final statement, storing nothing twice', async () => {
    const raw = `From: crash@example.com\r\nTo: ${mailbox}\r\nSubject: Stored before the crash\r\nMessage-ID: <crash-1@example.com>\r\n\r\nOnce only\r\n`;
    await sendRaw(smtpPort, 'crash@example.com', [mailbox], raw);
    const ticket = await eventually(async () =>
      (await tickets()).find((r: any) => r.subject === 'Stored before the crash'),
    );
    const [row] = await eventually(async () => {
      const rows = await t.db.query(
        `SELECT id, ticket_id, message_row_id, attempts FROM inbound_emails WHERE tenant_id = $1 AND ticket_id = $2 AND status = 'processed'`,
        [ws.workspace.id, ticket.id],
      );
      return rows.length ? rows : null;
    });
    expect(row.attempts).toBe(1); // processed by the process that stored it, without a claim of its own
    // As if the process had died between the ticket's statement and the mail's final one.
    await t.db.query(
      `UPDATE inbound_emails SET status = 'received', outcome = NULL, ticket_id = NULL, message_row_id = NULL, processed_at = NULL WHERE id = $1`,
      [row.id],
    );
    await t.db.query(`DELETE FROM email_message_ids WHERE tenant_id = $1 AND message_id = '<crash-1@example.com>'`, [
      ws.workspace.id,
    ]);
    const outcome = await worker.get(EmailIngestService).process(row.id);
    expect(outcome).toMatchObject({
      status: 'processed',
      ticketId: ticket.id,
      messageId: row.message_row_id,
      created: true,
    });
    const [after] = await t.db.query(
      `SELECT status, outcome, ticket_id, message_row_id, attempts FROM inbound_emails WHERE id = $1`,
      [row.id],
    );
    expect(after).toEqual({
      status: 'processed',
      outcome: 'new ticket',
      ticket_id: ticket.id,
      message_row_id: row.message_row_id,
      attempts: 2, // the reconciler's attempt claims the mail
    });
    expect((await tickets()).filter((r: any) => r.subject === 'Stored before the crash')).toHaveLength(1);
    expect(await messagesOf(ticket.id)).toHaveLength(1);
    const ids = await t.db.query(`SELECT ticket_id FROM email_message_ids WHERE message_id = '<crash-1@example.com>'`);
    expect(ids).toEqual([{ ticket_id: ticket.id }]);
  });

  it('quarantines a mail it cannot parse within the limits, with its bytes kept, and goes on with the next', async () => {
    const parts = Array.from({ length: 51 }, (_, i) =>
      [
        '--q',
        `Content-Type: text/plain; name="part-${i}.txt"`,
        'Content-Disposition: attachment',
        '',
        `part ${i}`,
      ].join('\r\n'),
    );
    const hostile = [
      'From: flood@example.com',
      `To: ${mailbox}`,
      'Subject: Fifty-one attachments',
      'Message-ID: <flood-1@example.com>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="q"',
      '',
      ...parts,
      '--q--',
      '',
    ].join('\r\n');
    await sendRaw(smtpPort, 'flood@example.com', [mailbox], hostile);
    await sendRaw(
      smtpPort,
      'next@example.com',
      [mailbox],
      `From: next@example.com\r\nTo: ${mailbox}\r\nSubject: Right after the flood\r\nMessage-ID: <after-flood@example.com>\r\n\r\nStill here?\r\n`,
    );
    await eventually(
      async () => ((await tickets()).some((r: any) => r.subject === 'Right after the flood') ? true : null),
      15_000,
    );
    const [row] = await t.db.query(
      `SELECT status, outcome, raw, ticket_id FROM inbound_emails WHERE tenant_id = $1 AND position(convert_to('<flood-1@', 'UTF8') IN raw) > 0`,
      [ws.workspace.id],
    );
    expect(row).toMatchObject({ status: 'quarantined', outcome: 'more than 50 attachments', ticket_id: null });
    expect(Buffer.from(row.raw).toString()).toBe(hostile);
    expect((await tickets()).some((r: any) => r.subject === 'Fifty-one attachments')).toBe(false);
  });

  describe('mails processed at the same moment', () => {
    let ingest: EmailIngestService;
    const plain = (from: string, subject: string, id: string, extra = '', body = `Body of ${subject}`) =>
      `From: ${from}\r\nTo: ${mailbox}\r\nSubject: ${subject}\r\nMessage-ID: <${id}>\r\n${extra}\r\n${body}\r\n`;
    /** Stores a mail for this suite's workspace, or for another one's mailbox. */
    const store = (raw: string, to = { tenantId: ws.workspace.id, channelId, address: mailbox }) =>
      ingest.store({
        tenantId: to.tenantId,
        channelId: to.channelId,
        source: 'webhook',
        envelopeFrom: null,
        envelopeTo: [to.address],
        raw: Buffer.from(raw),
      });
    const row = async (id: string) =>
      (await t.db.query(`SELECT status, outcome, attempts, processed_at FROM inbound_emails WHERE id = $1`, [id]))[0];

    /**
     * Occupies the write transaction (one at a time) with a mail whose final statement waits on a row lock the test
     * holds, so that the mails processed next wait together; the returned function lets everything go.
     */
    const holdWrites = async (tag: string) => {
      const holder = t.db.createQueryRunner();
      await holder.connect();
      await holder.startTransaction();
      const blocker = await store(plain(`${tag}@example.com`, `Blocker ${tag}`, `${tag}@example.com`));
      await holder.query(`SELECT 1 FROM inbound_emails WHERE id = $1 FOR UPDATE`, [blocker]);
      const blocked = ingest.process(blocker);
      const release = async () => {
        await holder.commitTransaction();
        await holder.release();
        await blocked;
      };
      await eventually(async () => {
        const [w] = await t.db.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        return w.n >= 1 ? true : null;
      }).catch(async (err) => {
        await release(); // never leave the lock to the tests after this one
        throw err;
      });
      return release;
    };

    /** Processes stored mails as one batch (held by `release` until all wait), with the SQL the app sent meanwhile. */
    const processTogether = async (ids: string[], release: () => Promise<void>) => {
      const statements: string[] = [];
      const realQuery = PgClient.prototype.query;
      const query = jest.spyOn(PgClient.prototype, 'query').mockImplementation(function (
        this: PgClient,
        ...args: any[]
      ) {
        const text = typeof args[0] === 'string' ? args[0] : args[0]?.text;
        if (typeof text === 'string') statements.push(text);
        return (realQuery as any).apply(this, args);
      });
      try {
        const pending = ids.map((id) => ingest.process(id));
        await eventually(async () => (ingest.writesWaiting === ids.length ? true : null));
        await release();
        return { outcomes: (await Promise.all(pending)) as any[], statements };
      } finally {
        query.mockRestore();
      }
    };

    /**
     * Processes three mails as one batch (held until all three wait), the middle one failing on a trigger the test
     * made: the other two land, the middle one's caller gets the error. Returns the failing mail's id.
     */
    const throughPoison = async (tag: string, raws: [string, string, string], error: string) => {
      const release = await holdWrites(`hold-${tag}`);
      const ids: string[] = [];
      for (const raw of raws) ids.push(await store(raw));
      const outcomes = Promise.allSettled(ids.map((id) => ingest.process(id)));
      await eventually(async () => (ingest.writesWaiting === ids.length ? true : null));
      await release();
      const [before, poison, after] = await outcomes;
      expect(before).toMatchObject({ status: 'fulfilled', value: { status: 'processed', created: true } });
      expect(after).toMatchObject({ status: 'fulfilled', value: { status: 'processed', created: true } });
      expect(poison).toMatchObject({ status: 'rejected', reason: { message: expect.stringContaining(error) } });
      return ids[1];
    };

    beforeAll(async () => {
      ingest = worker.get(EmailIngestService);
    });

    it('writes them in one transaction, in the order received: a reply after what it answers, a repeat once', async () => {
      const release = await holdWrites('hold-a');
      const first = store(plain('dan@example.com', 'Together before', 'together-0@example.com'));
      // Added while that store runs, these four are stored by one statement, all within a millisecond or so.
      const together = Promise.all([
        store(plain('ann@example.com', 'Together first', 'together-a@example.com')),
        store(
          plain(
            'bob@example.com',
            'Re: Together first',
            'together-b@example.com',
            'In-Reply-To: <together-a@example.com>\r\n',
          ),
        ),
        store(plain('ann@example.com', 'Together first, sent twice', 'together-a@example.com')),
        store(plain('cy@example.com', 'Together other', 'together-c@example.com')),
      ]);
      const ids = [await first, ...(await together)];
      // Processed last to first: the transaction still writes them in the order they were received.
      const pending = new Map([...ids].reverse().map((id) => [id, ingest.process(id)]));
      await eventually(async () => (ingest.writesWaiting === ids.length ? true : null));
      await release();
      const [zero, a, b, repeat, c] = await Promise.all(ids.map((id) => pending.get(id)!));
      expect(zero).toMatchObject({ status: 'processed', created: true });
      expect(a).toMatchObject({ status: 'processed', created: true });
      expect(b).toMatchObject({ status: 'processed', created: false, ticketId: (a as any).ticketId });
      expect(repeat).toEqual({ status: 'ignored', reason: 'duplicate Message-ID' });
      expect(c).toMatchObject({ status: 'processed', created: true });
      const rows = await Promise.all(ids.map(row));
      expect(new Set(rows.map((r) => r.processed_at.toISOString())).size).toBe(1); // one transaction's now()
      expect(rows.map((r) => r.attempts)).toEqual([1, 1, 1, 1, 1]);
      expect((await messagesOf((a as any).ticketId)).map((m: any) => m.body_text)).toEqual([
        'Body of Together first',
        'Body of Re: Together first',
      ]);
    });

    it('creates the new tickets of a batch with one statement: numbers in the order received, each with its own rows', async () => {
      const withFile = (from: string, subject: string, id: string) =>
        `From: ${from}\r\nTo: ${mailbox}\r\nSubject: ${subject}\r\nMessage-ID: <${id}>\r\n` +
        `MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nBody of ${subject}\r\n` +
        `--b\r\nContent-Type: text/plain; name=${id}.txt\r\nContent-Disposition: attachment; filename=${id}.txt\r\n\r\nline of ${id}\r\n--b--\r\n`;
      const release = await holdWrites('hold-many');
      const ids = [
        await store(withFile('lee@example.com', 'Many one', 'many-1@example.com')),
        await store(plain('mo@example.com', 'Many two', 'many-2@example.com')),
        await store(withFile('nia@example.com', 'Many three', 'many-3@example.com')),
        // What array literals quote: a row's text travels in an array parameter.
        await store(plain('lee@example.com', 'Many four "quoted" \\ {braced} NULL', 'many-4@example.com')),
      ];
      const { outcomes, statements } = await processTogether(ids, release);
      expect(outcomes.every((o) => o.status === 'processed' && o.created)).toBe(true);
      expect(statements.filter((q) => /INSERT INTO tickets/.test(q))).toHaveLength(1);
      const tickets: any[] = await t.db.query(
        `SELECT t.id, t.number, t.subject, c.email FROM tickets t JOIN customers c ON c.id = t.requester_id
          WHERE t.id = ANY($1::uuid[]) ORDER BY t.number`,
        [outcomes.map((o) => o.ticketId)],
      );
      expect(tickets.map((r) => [r.subject, r.email])).toEqual([
        ['Many one', 'lee@example.com'],
        ['Many two', 'mo@example.com'],
        ['Many three', 'nia@example.com'],
        ['Many four "quoted" \\ {braced} NULL', 'lee@example.com'],
      ]);
      expect(tickets.map((r) => Number(r.number) - Number(tickets[0].number))).toEqual([0, 1, 2, 3]);
      for (const [i, o] of outcomes.entries()) {
        const [counts] = await t.db.query(
          `SELECT (SELECT count(*)::int FROM messages WHERE ticket_id = $1) AS messages,
                  (SELECT count(*)::int FROM ticket_events WHERE ticket_id = $1 AND type = 'ticket.created'
                     AND (data->>'number')::bigint = $2 AND data->'requester'->>'email' = $3) AS events,
                  (SELECT count(*)::int FROM audit_log WHERE entity_id = $1 AND action = 'ticket.created') AS audits,
                  (SELECT count(*)::int FROM ticket_facts WHERE ticket_id = $1 AND customer_messages = 1) AS facts,
                  (SELECT array_agg(a.filename) FROM attachments a JOIN messages m ON m.id = a.message_id
                    WHERE m.ticket_id = $1 AND m.id = $4) AS files`,
          [o.ticketId, tickets[i].number, tickets[i].email, o.messageId],
        );
        expect(counts).toEqual({
          messages: 1,
          events: 1,
          audits: 1,
          facts: 1,
          files: i % 2 === 0 ? [`many-${i + 1}@example.com.txt`] : null,
        });
      }
    });

    it('adds the replies of a batch to their tickets with one statement, each moving its own ticket once', async () => {
      const opened = await Promise.all(
        ['one', 'two', 'three'].map(async (n) =>
          ingest.process(await store(plain(`${n}@example.com`, `Reply ${n}`, `reply-${n}@example.com`))),
        ),
      );
      const before: any[] = await t.db.query(`SELECT id, version FROM tickets WHERE id = ANY($1::uuid[])`, [
        opened.map((o: any) => o.ticketId),
      ]);
      const withFile =
        `From: two@example.com\r\nTo: ${mailbox}\r\nSubject: Re: Reply two\r\nMessage-ID: <reply-two-b@example.com>\r\n` +
        `In-Reply-To: <reply-two@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n` +
        `--b\r\nContent-Type: text/plain\r\n\r\nThe log, as asked\r\n` +
        `--b\r\nContent-Type: text/plain; name=two.log\r\nContent-Disposition: attachment; filename=two.log\r\n\r\nline\r\n--b--\r\n`;
      const release = await holdWrites('hold-replies');
      const ids = [
        await store(
          plain(
            'one@example.com',
            'Re: Reply one',
            'reply-one-b@example.com',
            'In-Reply-To: <reply-one@example.com>\r\n',
          ),
        ),
        await store(withFile),
        await store(
          plain(
            'three@example.com',
            'Re: Reply three',
            'reply-three-b@example.com',
            'In-Reply-To: <reply-three@example.com>\r\n',
          ),
        ),
      ];
      const { outcomes, statements } = await processTogether(ids, release);
      expect(outcomes.map((o) => [o.status, o.created, o.ticketId])).toEqual(
        opened.map((o: any) => ['processed', false, o.ticketId]),
      );
      expect(statements.filter((q) => /INSERT INTO messages/.test(q))).toHaveLength(1);
      for (const [i, o] of outcomes.entries()) {
        const [ticket] = await t.db.query(`SELECT version FROM tickets WHERE id = $1`, [o.ticketId]);
        expect(ticket.version).toBe(before.find((b) => b.id === o.ticketId).version + 1);
        const [counts] = await t.db.query(
          `SELECT (SELECT count(*)::int FROM ticket_events WHERE ticket_id = $1 AND type = 'message.created'
                     AND data->'message'->>'id' = $2 AND (data->'ticket'->>'version')::int = $3 AND actor_type = 'customer') AS events,
                  (SELECT count(*)::int FROM audit_log WHERE entity_id = $1 AND action = 'message.created') AS audits,
                  (SELECT array_agg(filename) FROM attachments WHERE message_id = $2::uuid) AS files,
                  (SELECT author_type FROM messages WHERE id = $2::uuid) AS author`,
          [o.ticketId, o.messageId, ticket.version],
        );
        expect(counts).toEqual({ events: 1, audits: 1, files: i === 1 ? ['two.log'] : null, author: 'customer' });
      }
    });

    it('writes two customer messages on one ticket asked for in one turn one after the other', async () => {
      const opened: any = await ingest.process(await store(plain('twice@example.com', 'Twice', 'twice@example.com')));
      const [customer] = await t.db.query(`SELECT requester_id, version FROM tickets WHERE id = $1`, [opened.ticketId]);
      const v = customer.version;
      const repo = worker.get(TicketsRepository);
      const ctx = worker.get(TenantContext);
      const runner = t.db.createQueryRunner();
      await runner.connect();
      await runner.startTransaction();
      const message = (n: number) => ({
        id: randomUUID(),
        ticketId: opened.ticketId,
        kind: 'public' as const,
        author: { type: 'customer', id: customer.requester_id },
        authorRole: 'customer' as const,
        text: `Again ${n}`,
        html: `<p>Again ${n}</p>`,
        channel: 'email',
        externalId: `<twice-${n}@example.com>`,
        mentions: [],
        attachmentIds: [],
        uploader: { type: 'system', id: null },
        eventData: { message: { body: `Again ${n}` } },
      });
      const written = await ctx.run(TenantContext.system(ws.workspace.id), () =>
        Promise.all([
          repo.insertMessageInTurn(message(1), runner.manager),
          repo.insertMessageInTurn(message(2), runner.manager),
        ]),
      );
      await runner.commitTransaction();
      await runner.release();
      expect(written.map((w) => [w!.row.body_text, w!.ticket.version])).toEqual([
        ['Again 1', v + 1],
        ['Again 2', v + 2],
      ]);
      expect(written.map((w) => w!.event.data.ticket)).toEqual([
        expect.objectContaining({ version: v + 1 }),
        expect.objectContaining({ version: v + 2 }),
      ]);
    });

    it('acknowledges at most five new tickets an hour to one sender, counted for a whole batch at once', async () => {
      const release = await holdWrites('hold-rl');
      const ids = await Promise.all(
        Array.from({ length: 7 }, (_, i) => store(plain('flood@example.com', `Flood ${i}`, `flood-${i}@example.com`))),
      );
      const pending = ids.map((id) => ingest.process(id));
      await eventually(async () => (ingest.writesWaiting === ids.length ? true : null));
      await release();
      const outcomes = (await Promise.all(pending)) as Array<{ created: boolean; acknowledge: unknown }>;
      expect(outcomes.every((o) => o.created)).toBe(true);
      expect(outcomes.filter((o) => o.acknowledge)).toHaveLength(5);
      expect(outcomes.find((o) => o.acknowledge)?.acknowledge).toMatchObject({
        to: 'flood@example.com',
        channelId,
        messageId: expect.stringMatching(/^<ack-[0-9a-f-]{36}@mail\.test>$/),
        inReplyTo: expect.stringMatching(/^<flood-\d@example\.com>$/),
      });
      // Another sender is counted apart.
      const other = await ingest.process(await store(plain('calm@example.com', 'Calm', 'calm-1@example.com')));
      expect(other).toMatchObject({ created: true, acknowledge: { to: 'calm@example.com' } });
    });

    it('keeps the mails processed when the acknowledgement limit cannot be counted, and acknowledges none', async () => {
      const redis = worker.get<Redis>(REDIS);
      const failing = {
        incr: () => failing,
        expire: () => failing,
        exec: () => Promise.reject(new Error('Redis gone')),
      };
      const multi = jest.spyOn(redis, 'multi').mockImplementationOnce(() => failing as any);
      try {
        const id = await store(plain('unlimited@example.com', 'While Redis is gone', 'no-limit@example.com'));
        expect(await ingest.process(id)).toMatchObject({ status: 'processed', created: true, acknowledge: null });
        expect(await row(id)).toMatchObject({ status: 'processed', attempts: 1 });
      } finally {
        multi.mockRestore();
      }
    });

    it('keeps a reply that overtook what it answers (no attachment to store) behind it, so it threads onto it', async () => {
      const withFile =
        `From: kim@example.com\r\nTo: ${mailbox}\r\nSubject: Slow to prepare\r\nMessage-ID: <overtaken@example.com>\r\n` +
        `MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee the log\r\n` +
        `--b\r\nContent-Type: text/plain; name=log.txt\r\nContent-Disposition: attachment; filename=log.txt\r\n\r\nline 1\r\n--b--\r\n`;
      const first = await store(withFile);
      const reply = await store(
        plain(
          'kim@example.com',
          'Re: Slow to prepare',
          'overtaking@example.com',
          'In-Reply-To: <overtaken@example.com>\r\n',
        ),
      );
      // The first mail's attachment is held while it is stored, so the reply, which has none, is ready first.
      const attachments = worker.get(AttachmentsService);
      const upload = attachments.upload.bind(attachments);
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let holding = false;
      const spy = jest.spyOn(attachments, 'upload').mockImplementation(async (...args) => {
        holding = true;
        await held;
        return upload(...args);
      });
      try {
        const firstDone = ingest.process(first);
        await eventually(async () => (holding ? true : null));
        const replyDone = ingest.process(reply);
        // The reply is parsed and waits (not written as a ticket of its own) while the first is held.
        await new Promise((r) => setTimeout(r, 300));
        expect(await row(reply)).toMatchObject({ status: 'received' });
        release();
        const [a, b] = await Promise.all([firstDone, replyDone]);
        expect(a).toMatchObject({ status: 'processed', created: true });
        expect(b).toMatchObject({ status: 'processed', created: false, ticketId: (a as any).ticketId });
      } finally {
        release();
        spy.mockRestore();
      }
    });

    it('stores mails received at the same moment together, in the order received; one that cannot be stored fails alone', async () => {
      const raws = [1, 2, 3, 4, 5].map((n) =>
        plain(`st${n}@example.com`, `Stored together ${n}`, `st-${n}@example.com`),
      );
      const mail = (raw: string, envelopeFrom: string | null = null) => ({
        tenantId: ws.workspace.id,
        channelId,
        source: 'webhook' as const,
        envelopeFrom,
        envelopeTo: [mailbox],
        raw: Buffer.from(raw),
      });
      // The first runs at once; the four added meanwhile go together in one statement, which fails on the third
      // (its envelope sender is over the column's 320 characters), so each is stored alone.
      const results = await Promise.allSettled([
        ingest.store(mail(raws[0])),
        ingest.store(mail(raws[1])),
        ingest.store(mail(raws[2], `${'x'.repeat(400)}@example.com`)),
        ingest.store(mail(raws[3])),
        ingest.store(mail(raws[4])),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      const ids = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      expect(new Set(ids).size).toBe(4);
      const rows = await t.db.query(
        `SELECT id, status FROM inbound_emails WHERE id = ANY($1::uuid[]) ORDER BY received_at, id`,
        [ids],
      );
      expect(rows.map((r: any) => r.id)).toEqual(ids);
      expect(rows.map((r: any) => r.status)).toEqual(['received', 'received', 'received', 'received']);
      const [none] = await t.db.query(
        `SELECT count(*)::int AS n FROM inbound_emails WHERE position(convert_to('st-3@example.com', 'UTF8') IN raw) > 0`,
      );
      expect(none.n).toBe(0);
      for (const id of ids) await ingest.process(id);
      const subjects = await t.db.query(
        `SELECT subject FROM tickets WHERE tenant_id = $1 AND subject LIKE 'Stored together %' ORDER BY number`,
        [ws.workspace.id],
      );
      expect(subjects.map((r: any) => r.subject)).toEqual([1, 2, 4, 5].map((n) => `Stored together ${n}`));
    });

    it('writes each alone when their transaction fails: the others land, the failing one waits for its retry', async () => {
      await t.db.query(`CREATE FUNCTION test_poison() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.body_text LIKE '%POISON%' THEN RAISE EXCEPTION 'poisoned message'; END IF; RETURN NEW; END $$`);
      await t.db.query(
        `CREATE TRIGGER test_poison BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION test_poison()`,
      );
      let poisoned: string;
      try {
        poisoned = await throughPoison(
          'b',
          [
            plain('dee@example.com', 'Before the poison', 'poison-before@example.com'),
            plain('eve@example.com', 'Poisoned', 'poison@example.com', '', 'POISON'),
            plain('fay@example.com', 'After the poison', 'poison-after@example.com'),
          ],
          'poisoned message',
        );
        // Nothing of it written, and still waiting (the reconciler or the queue's retry takes it again).
        expect(await row(poisoned)).toMatchObject({ status: 'received', attempts: 0, processed_at: null });
        expect((await tickets()).some((r: any) => r.subject === 'Poisoned')).toBe(false);
      } finally {
        await t.db.query(`DROP TRIGGER test_poison ON messages`);
        await t.db.query(`DROP FUNCTION test_poison()`);
      }
      expect(await ingest.process(poisoned)).toMatchObject({ status: 'processed', created: true });
      expect(await row(poisoned)).toMatchObject({ status: 'processed', attempts: 1 });
    });

    it('rolls back what a batch wrote when its final statement fails, sent together with the commit', async () => {
      // Created before the writes are held: a trigger waits for the table's lock, which the held batch keeps.
      await t.db.query(`CREATE FUNCTION test_final_poison() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.status = 'processed' AND position(convert_to('final-poison@', 'UTF8') IN NEW.raw) > 0
        THEN RAISE EXCEPTION 'poisoned final'; END IF; RETURN NEW; END $$`);
      await t.db.query(
        `CREATE TRIGGER test_final_poison BEFORE UPDATE ON inbound_emails FOR EACH ROW EXECUTE FUNCTION test_final_poison()`,
      );
      let poisoned = '';
      try {
        poisoned = await throughPoison(
          'f',
          [
            plain('gus@example.com', 'Before the final poison', 'final-before@example.com'),
            plain('hal@example.com', 'Final poison', 'final-poison@example.com'),
            plain('ida@example.com', 'After the final poison', 'final-after@example.com'),
          ],
          'poisoned final',
        );
        // Its ticket and message were written before the final statement failed: the commit rolled them back.
        expect(await row(poisoned)).toMatchObject({ status: 'received', attempts: 0, processed_at: null });
        const subjects = (await tickets()).map((r: any) => r.subject);
        expect(subjects).toEqual(expect.arrayContaining(['Before the final poison', 'After the final poison']));
        expect(subjects).not.toContain('Final poison');
        // The batch's customers statement goes out with its start, inside the transaction: rolled back too.
        const [c] = await t.db.query(`SELECT count(*)::int AS n FROM customers WHERE email = 'hal@example.com'`);
        expect(c.n).toBe(0);
        const [m] = await t.db.query(
          `SELECT count(*)::int AS n FROM messages WHERE external_id = 'final-poison@example.com'`,
        );
        expect(m.n).toBe(0);
      } finally {
        await t.db.query(`DROP TRIGGER test_final_poison ON inbound_emails`);
        await t.db.query(`DROP FUNCTION test_final_poison()`);
      }
      expect(await ingest.process(poisoned)).toMatchObject({ status: 'processed', created: true });
    });

    it("keeps each workspace's mail apart within one transaction: threads, duplicates and customers", async () => {
      const other = await WorkspaceSession.create(t);
      const otherBox = `support-${other.workspace.slug}@mail.test`;
      const theirBox = {
        tenantId: other.workspace.id,
        channelId: await addMailbox(other, otherBox),
        address: otherBox,
      };
      const release = await holdWrites('hold-tenants');
      const ids = [
        await store(plain('shared@example.com', 'Mine', 'shared-thread@example.com')),
        // The same Message-ID in the other workspace is no duplicate there, and its reply threads there only.
        await store(plain('shared@example.com', 'Theirs', 'shared-thread@example.com'), theirBox),
        await store(
          plain(
            'shared@example.com',
            'Re: Theirs',
            'shared-reply@example.com',
            'In-Reply-To: <shared-thread@example.com>\r\n',
          ),
          theirBox,
        ),
      ];
      const pending = ids.map((id) => ingest.process(id));
      await eventually(async () => (ingest.writesWaiting === ids.length ? true : null));
      await release();
      const [mine, theirs, reply] = await Promise.all(pending);
      const rows = await Promise.all(ids.map(row));
      expect(new Set(rows.map((r) => r.processed_at.toISOString())).size).toBe(1); // one transaction for both
      expect(mine).toMatchObject({ status: 'processed', created: true });
      expect(theirs).toMatchObject({ status: 'processed', created: true });
      expect(reply).toMatchObject({ status: 'processed', created: false, ticketId: (theirs as any).ticketId });
      const owners = await t.db.query(
        `SELECT t.id, t.tenant_id, c.tenant_id AS customer_tenant FROM tickets t JOIN customers c ON c.id = t.requester_id
          WHERE t.id = ANY($1::uuid[])`,
        [[(mine as any).ticketId, (theirs as any).ticketId]],
      );
      const byId = new Map(owners.map((o: any) => [o.id, o]));
      expect(byId.get((mine as any).ticketId)).toMatchObject({
        tenant_id: ws.workspace.id,
        customer_tenant: ws.workspace.id,
      });
      expect(byId.get((theirs as any).ticketId)).toMatchObject({
        tenant_id: other.workspace.id,
        customer_tenant: other.workspace.id,
      });
    });

    it('keeps a sender whose name is too long for a customer, truncated, takes any ticket number, and ignores an address no mail may have', async () => {
      const long = 'N'.repeat(300);
      const named = await ingest.process(
        await store(plain(`"${long}" <long.name@example.com>`, 'A long name', 'long-name@example.com')),
      );
      expect(named).toMatchObject({ status: 'processed', created: true });
      const [customer] = await t.db.query(
        `SELECT name FROM customers WHERE tenant_id = $1 AND email = 'long.name@example.com'`,
        [ws.workspace.id],
      );
      expect(customer.name).toBe(long.slice(0, 200));
      const huge = await ingest.process(
        await store(plain('guess@example.com', 'Re: about [#999999999999999]', 'huge-number@example.com')),
      );
      expect(huge).toMatchObject({ status: 'processed', created: true }); // no such ticket: a new one
      const address = `${'a'.repeat(250)}@example.com`;
      expect(await ingest.process(await store(plain(address, 'A long address', 'long-address@example.com')))).toEqual({
        status: 'ignored',
        reason: 'sender address over 254 characters',
      });
    });
  });
});
