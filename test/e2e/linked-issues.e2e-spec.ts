import { INestApplicationContext } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import request from 'supertest';
import { TenantContext } from '@crewdesk/db';
import { QueueName } from '@crewdesk/queue';
import { LinkedIssuesService, shipReplyExternalId } from '@crewdesk/routing';
import {
  CaptureSmtp,
  eventually,
  MailStack,
  RecordingClient,
  sendRaw,
  settle,
  startMailStack,
  TestApp,
  WorkspaceSession,
} from '@crewdesk/testing';
import { SmtpInboundServer } from '../../apps/worker/src/email/smtp-inbound.server';
import { LinkedIssuesProcessor } from '../../apps/worker/src/linked-issues/linked-issues.processor';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const word = (s: string) => `=?UTF-8?B?${b64(s)}?=`;

describe('linked issues: shipping closes the loop with every linked customer, once', () => {
  let t: TestApp;
  let worker: INestApplicationContext;
  let relay: CaptureSmtp;
  let ws: WorkspaceSession;
  let smtpPort: number;
  let mailbox: string;
  const open: RecordingClient[] = [];
  let stack: MailStack;

  const api = () => request(t.http);
  const mailsTo = (address: string, text: string) =>
    relay.mails.filter((m) => m.envelopeTo.includes(address) && (m.parsed.text ?? '').includes(text));
  /** Every message of the ticket that mentions the issue's key (not only the one with the expected external id). */
  const replies = (ticketId: string, key: string) =>
    t.db.query(`SELECT * FROM messages WHERE ticket_id = $1 AND strpos(body_text, $2) > 0 ORDER BY created_at`, [
      ticketId,
      key,
    ]);
  const links = (issueId: string) =>
    t.db.query(`SELECT * FROM ticket_issue_links WHERE issue_id = $1 ORDER BY created_at`, [issueId]);
  const service = () => worker.get(LinkedIssuesService);
  const asWorker = <T>(fn: () => Promise<T>) =>
    worker.get(TenantContext).run(TenantContext.system(ws.workspace.id), fn);

  /** A customer mails the support address; resolves to the ticket it became. */
  async function mailIn(from: string, name: string, subject: string, body: string) {
    const id = `<${Math.random().toString(36).slice(2)}@customer.test>`;
    const raw = [
      `From: ${word(name)} <${from}>`,
      `To: ${mailbox}`,
      `Subject: ${word(subject)}`,
      `Message-ID: ${id}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      b64(body),
      '',
    ].join('\r\n');
    await sendRaw(smtpPort, from, [mailbox], raw);
    return eventually(async () => {
      const [row] = await t.db.query(
        `SELECT t.* FROM tickets t JOIN customers c ON c.id = t.requester_id WHERE t.tenant_id = $1 AND c.email = $2`,
        [ws.workspace.id, from],
      );
      return row;
    });
  }

  /** A widget visitor starts a chat; resolves to the ticket and the visitor's live socket. */
  async function chatIn(body: string) {
    const start = await api()
      .post(`/api/v1/public/${ws.workspace.slug}/widget/session`)
      .set('X-Forwarded-For', '198.51.100.77')
      .send({})
      .expect(200);
    const visitor = await RecordingClient.connect(t.url, '/widget', start.body.visitorToken);
    open.push(visitor);
    const ack = await visitor.emit<any>('message.send', { clientMessageId: 'c-1', body });
    expect(ack.ticketId).toEqual(expect.any(String));
    return { ticketId: ack.ticketId as string, visitor, token: start.body.visitorToken as string };
  }

  beforeAll(async () => {
    stack = await startMailStack({ EMAIL_RETRY_ATTEMPTS: '3', EMAIL_RETRY_DELAY_MS: '100' });
    ({ t, worker, relay } = stack);
    smtpPort = worker.get(SmtpInboundServer).port!;
    ws = await WorkspaceSession.create(t);
    mailbox = `support-${ws.workspace.slug}@mail.test`;
    await api().post('/api/v1/channels').set(ws.admin.auth).send({ type: 'email', address: mailbox }).expect(201);
  });
  afterEach(() => open.splice(0).forEach((c) => c.close()));
  afterAll(() => stack?.close());

  it('tells each customer of 3 tickets in 2 channels exactly once, across a double ship, a crash and a wiped Redis', async () => {
    const agent = await ws.person(['agent'], [], '小王');
    const lily = await ws.person(['product'], [], 'Lily');

    // Three customers ask for the same thing: two by mail (English and Chinese), one in the chat widget.
    const ann = `ann-${ws.workspace.slug}@example.com`;
    const lei = `lilei-${ws.workspace.slug}@example.cn`;
    const annTicket = await mailIn(ann, 'Ann Smith', 'CSV export times out', 'Exporting 100k rows fails every time.');
    const leiTicket = await mailIn(lei, '李雷', '导出CSV超时', '导出十万行数据的时候一直失败。');
    const chat = await chatIn('导出CSV的时候总是报错');
    const ticketIds = [annTicket.id, leiTicket.id, chat.ticketId];

    // Product creates the issue; an agent links the tickets (twice: the second is a no-op).
    const issue = await api()
      .post('/api/v1/linked-issues')
      .set(lily.auth)
      .send({ key: 'ENG-142', title: 'CSV export handles 100k rows', url: 'https://tracker.example/ENG-142' })
      .expect(201);
    expect(issue.body).toMatchObject({ key: 'ENG-142', status: 'open', onShip: 'solve', tickets: { total: 0 } });
    const issueId: string = issue.body.id;
    for (const ticketId of ticketIds) {
      const link = await api()
        .post(`/api/v1/linked-issues/${issueId}/tickets`)
        .set(agent.auth)
        .send({ ticketId })
        .expect(201);
      expect(link.body).toMatchObject({ issueId, ticketId, notifiedAt: null });
    }
    await api()
      .post(`/api/v1/linked-issues/${issueId}/tickets`)
      .set(agent.auth)
      .send({ ticketId: annTicket.id })
      .expect(200);
    const [{ n: linkEvents }] = await t.db.query(
      `SELECT count(*)::int AS n FROM ticket_events WHERE type = 'issue.linked' AND ticket_id = ANY($1::uuid[])`,
      [ticketIds],
    );
    expect(linkEvents).toBe(3);
    const ofTicket = await api().get(`/api/v1/tickets/${chat.ticketId}/linked-issues`).set(agent.auth).expect(200);
    expect(ofTicket.body.items).toMatchObject([{ id: issueId, key: 'ENG-142', link: { notifiedAt: null } }]);

    // The worker is stopped when it ships: the jobs wait in Redis.
    const processor = worker.get(LinkedIssuesProcessor);
    await processor.worker.pause(true);
    const shipped = await api().post(`/api/v1/linked-issues/${issueId}/ship`).set(lily.auth).send({}).expect(200);
    expect(shipped.body).toMatchObject({ shipped: true, ticketsToNotify: 3, issue: { status: 'shipped' } });
    const again = await api().post(`/api/v1/linked-issues/${issueId}/ship`).set(lily.auth).send({}).expect(200);
    expect(again.body).toMatchObject({ shipped: false, issue: { shippedAt: shipped.body.issue.shippedAt } });

    // A worker told Ann, then told Li Lei and died before recording it; then Redis was wiped.
    expect(await asWorker(() => service().notify(issueId, annTicket.id))).toBe('notified');
    expect(await asWorker(() => service().notify(issueId, leiTicket.id))).toBe('notified');
    await t.db.query(`UPDATE ticket_issue_links SET notified_at = NULL WHERE issue_id = $1 AND ticket_id = $2`, [
      issueId,
      leiTicket.id,
    ]);
    const queue = worker.get<Queue>(getQueueToken(QueueName.LinkedIssues));
    await queue.obliterate({ force: true });
    expect(await queue.getJobCounts('waiting', 'delayed', 'active')).toEqual({ waiting: 0, delayed: 0, active: 0 });
    processor.worker.resume();

    // The reconciler finds everyone not yet told in PostgreSQL and finishes the job.
    const reconciled = await processor.reconcile(0);
    expect(reconciled.failed).toBe(0);
    await eventually(async () => ((await links(issueId)).every((l: any) => l.notified_at) ? true : null));

    // Everything once more: the reconciler, a fresh job run, a lost notified_at for everyone, PATCH shipped.
    await processor.reconcile(0);
    await t.db.query(`UPDATE ticket_issue_links SET notified_at = NULL WHERE issue_id = $1`, [issueId]);
    await processor.reconcile(0);
    for (const ticketId of ticketIds)
      expect(await asWorker(() => service().notify(issueId, ticketId))).toBe('already-notified');
    const patched = await api()
      .patch(`/api/v1/linked-issues/${issueId}`)
      .set(lily.auth)
      .send({ status: 'shipped' })
      .expect(200);
    expect(patched.body).toMatchObject({ status: 'shipped', tickets: { total: 3, notified: 3 } });
    const third = await api().post(`/api/v1/linked-issues/${issueId}/ship`).set(lily.auth).send({}).expect(200);
    expect(third.body).toMatchObject({ shipped: false, ticketsToNotify: 0 });

    // Each ticket holds exactly one reply, authored by Lily, in the customer's language; each is solved.
    for (const ticketId of ticketIds) {
      const found = await replies(ticketId, 'ENG-142');
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({
        kind: 'public',
        author_type: 'user',
        author_id: lily.id,
        external_id: shipReplyExternalId(issueId, ticketId),
      });
      const [ticket] = await t.db.query(`SELECT status FROM tickets WHERE id = $1`, [ticketId]);
      expect(ticket.status).toBe('solved');
    }
    const stamped = await links(issueId);
    for (const l of stamped) expect(l.notify_message_id).toBe((await replies(l.ticket_id, 'ENG-142'))[0].id);
    expect((await replies(annTicket.id, 'ENG-142'))[0].body_text).toMatch(
      /^Hi Ann Smith,[\s\S]*has shipped: CSV export handles 100k rows \(ENG-142\)/,
    );
    expect((await replies(leiTicket.id, 'ENG-142'))[0].body_text).toMatch(
      /^李雷您好：[\s\S]*已经上线：CSV export handles 100k rows（ENG-142）/,
    );

    // The mail customers each received one mail about it, threaded on their ticket, through the outbound worker.
    await relay.waitFor((m) => (m.text ?? '').includes('ENG-142') && (m.to as any)?.text?.includes(ann));
    await relay.waitFor((m) => (m.text ?? '').includes('ENG-142') && (m.to as any)?.text?.includes(lei));
    await eventually(async () => {
      const rows = await t.db.query(
        `SELECT delivery_state FROM messages WHERE ticket_id = ANY($1::uuid[]) AND external_id LIKE 'issue-shipped-%'`,
        [[annTicket.id, leiTicket.id]],
      );
      return rows.length === 2 && rows.every((r: any) => r.delivery_state === 'sent') ? true : null;
    });
    await settle(1000);
    expect(mailsTo(ann, 'ENG-142')).toHaveLength(1);
    expect(mailsTo(lei, 'ENG-142')).toHaveLength(1);
    expect(mailsTo(ann, 'ENG-142')[0].parsed.subject).toContain(`[#${annTicket.number}]`);

    // The chat visitor saw the reply live, once, from a person, and never saw the internal link events.
    await chat.visitor.waitFor((e) =>
      e.some((x) => x.type === 'message.created' && (x.data as any).message.body.includes('ENG-142')),
    );
    await settle(500);
    const live = chat.visitor.events.filter(
      (x) => x.type === 'message.created' && (x.data as any).message.body.includes('ENG-142'),
    );
    expect(live).toHaveLength(1);
    expect(live[0].data).toMatchObject({ message: { author: { type: 'staff', name: 'Lily' } } });
    expect(chat.visitor.events.map((e) => e.type)).not.toContain('issue.linked');
    expect(JSON.stringify(chat.visitor.raw)).not.toContain('issue.linked');
    const history = await api()
      .get(`/api/v1/portal/tickets/${chat.ticketId}/messages`)
      .set('Authorization', `Bearer ${chat.token}`)
      .expect(200);
    expect(history.body.items.filter((m: any) => m.body.includes('ENG-142'))).toHaveLength(1);
    expect(JSON.stringify(history.body)).not.toContain('issue.linked');
    // Staff see the link in the ticket's history.
    const events = await api().get(`/api/v1/tickets/${chat.ticketId}/events`).set(agent.auth).expect(200);
    expect(events.body.items.find((e: any) => e.type === 'issue.linked')).toMatchObject({
      visibility: 'internal',
      data: { issueId, key: 'ENG-142' },
    });
  });

  it('follows the configured template and on-ship action, skips closed tickets, and tells tickets linked after the ship', async () => {
    const agent = await ws.person(['agent'], [], 'Mia');
    const solved = await ws.webTicket('Dark mode please', 'Would love a dark mode.');
    const closed = await ws.webTicket('Dark mode', 'Dark mode!');
    const late = await ws.webTicket('Any dark mode yet?', 'Still waiting for dark mode.');
    for (const [id, status] of [
      [solved.id, 'solved'],
      [closed.id, 'closed'],
    ] as const) {
      const cur = await api().get(`/api/v1/tickets/${id}`).set(agent.auth).expect(200);
      await api()
        .patch(`/api/v1/tickets/${id}`)
        .set(agent.auth)
        .send({ version: cur.body.version, status })
        .expect(200);
    }
    const issue = await api()
      .post('/api/v1/linked-issues')
      .set(agent.auth)
      .send({
        key: 'UI-7',
        title: 'Dark mode',
        onShip: 'reopen',
        shipMessage:
          'Hello {{customer.name}}! {{issue.title}} ({{issue.key}}) is live; does it work for you? Ticket #{{ticket.number}}',
      })
      .expect(201);
    for (const ticketId of [solved.id, closed.id])
      await api().post(`/api/v1/linked-issues/${issue.body.id}/tickets`).set(agent.auth).send({ ticketId }).expect(201);

    // A tracker webhook (an API key) ships it through PATCH; the reply is signed by the issue's creator.
    const key = await api()
      .post('/api/v1/api-keys')
      .set(ws.admin.auth)
      .send({ name: 'Tracker', permissions: ['ticket.update'] })
      .expect(201);
    await api()
      .patch(`/api/v1/linked-issues/${issue.body.id}`)
      .set('Authorization', `Bearer ${key.body.key}`)
      .send({ status: 'shipped' })
      .expect(200);
    await api()
      .post(`/api/v1/linked-issues/${issue.body.id}/tickets`)
      .set(agent.auth)
      .send({ ticketId: late.id })
      .expect(201);
    await eventually(async () => ((await links(issue.body.id)).every((l: any) => l.notified_at) ? true : null));

    const portal = await api().get(`/api/v1/portal/tickets/${solved.id}/messages`).set(solved.customer).expect(200);
    const reply = portal.body.items.find((m: any) => m.body.includes('UI-7'));
    expect(reply).toMatchObject({
      body: `Hello Customer! Dark mode (UI-7) is live; does it work for you? Ticket #${solved.number}`,
      author: { type: 'staff', name: 'Mia' },
    });
    const status = async (id: string) => (await t.db.query(`SELECT status FROM tickets WHERE id = $1`, [id]))[0].status;
    expect(await status(solved.id)).toBe('pending'); // reopened, awaiting the customer's word
    expect(await status(late.id)).toBe('pending');
    expect(await replies(late.id, 'UI-7')).toHaveLength(1);
    // A closed ticket takes no message: passed over, recorded for staff, never retried.
    expect(await status(closed.id)).toBe('closed');
    expect(await replies(closed.id, 'UI-7')).toHaveLength(0);
    const [skip] = await t.db.query(
      `SELECT visibility FROM ticket_events WHERE ticket_id = $1 AND type = 'issue.notify_skipped'`,
      [closed.id],
    );
    expect(skip).toEqual({ visibility: 'internal' });
    const view = await api().get(`/api/v1/linked-issues/${issue.body.id}`).set(agent.auth).expect(200);
    expect(view.body).toMatchObject({ shippedBy: { type: 'api_key' }, tickets: { total: 3, notified: 3 } });
  });

  it('keeps issues to their workspace: another one cannot see, change, ship or link them, nor link across', async () => {
    const agent = await ws.person(['agent'], [], 'Agent');
    const issue = await api()
      .post('/api/v1/linked-issues')
      .set(agent.auth)
      .send({ key: 'SEC-1', title: 'Mine' })
      .expect(201);
    const mine = await ws.webTicket();
    const other = await WorkspaceSession.create(t);
    const theirs = await other.webTicket();
    const before = await t.db.query(`SELECT count(*)::int AS n FROM ticket_issue_links`);

    const id = issue.body.id;
    const expect404 = async (r: request.Test) => expect((await r).body.code).toBe('NOT_FOUND');
    await expect404(api().get(`/api/v1/linked-issues/${id}`).set(other.admin.auth).expect(404));
    await expect404(api().patch(`/api/v1/linked-issues/${id}`).set(other.admin.auth).send({ title: 'x' }).expect(404));
    await expect404(api().post(`/api/v1/linked-issues/${id}/ship`).set(other.admin.auth).send({}).expect(404));
    await expect404(
      api().post(`/api/v1/linked-issues/${id}/tickets`).set(other.admin.auth).send({ ticketId: theirs.id }).expect(404),
    );
    await expect404(api().delete(`/api/v1/linked-issues/${id}/tickets/${mine.id}`).set(other.admin.auth).expect(404));
    await expect404(api().get(`/api/v1/tickets/${mine.id}/linked-issues`).set(other.admin.auth).expect(404));
    const list = await api().get('/api/v1/linked-issues?q=SEC').set(other.admin.auth).expect(200);
    expect(list.body).toEqual({ items: [], nextCursor: null });
    // Linking another workspace's ticket to one's own issue is a 404 too.
    await expect404(
      api().post(`/api/v1/linked-issues/${id}/tickets`).set(agent.auth).send({ ticketId: theirs.id }).expect(404),
    );
    // The same key is free in another workspace.
    await api().post('/api/v1/linked-issues').set(other.admin.auth).send({ key: 'SEC-1', title: 'Theirs' }).expect(201);
    // Staff who cannot see a ticket cannot link it (an engineer outside its team).
    const engineer = await ws.person(['engineer'], [], 'Chen');
    await expect404(
      api().post(`/api/v1/linked-issues/${id}/tickets`).set(engineer.auth).send({ ticketId: mine.id }).expect(404),
    );
    expect(await t.db.query(`SELECT count(*)::int AS n FROM ticket_issue_links`)).toEqual(before);
    // Customers have no way in.
    await api().get('/api/v1/linked-issues').set(mine.customer).expect(401);
    await api().get(`/api/v1/linked-issues/${id}`).expect(401);
    const shipped = await api().get(`/api/v1/linked-issues/${id}`).set(agent.auth).expect(200);
    expect(shipped.body).toMatchObject({ status: 'open', shippedAt: null });
  });

  it('refuses bad input with stable codes, never a 500', async () => {
    const agent = await ws.person(['agent'], [], 'Agent');
    const post = (body: unknown) =>
      api()
        .post('/api/v1/linked-issues')
        .set(agent.auth)
        .send(body as object);
    const codes: Array<[request.Test, number, string]> = [
      [post({}), 400, 'VALIDATION_FAILED'],
      [post({ key: 'ENG 1', title: 'x' }), 400, 'VALIDATION_FAILED'],
      [post({ key: 'ENG-1', title: '   ' }), 400, 'VALIDATION_FAILED'],
      [post({ key: 'ENG-1', title: 'x', url: 'javascript:alert(1)' }), 400, 'VALIDATION_FAILED'],
      [post({ key: 'ENG-1', title: 'x', status: 'done' }), 400, 'VALIDATION_FAILED'],
      [post({ key: 'ENG-1', title: 'x', onShip: 'delete' }), 400, 'VALIDATION_FAILED'],
      [post({ key: 'ENG-1', title: 'x', extra: 1 }), 400, 'VALIDATION_FAILED'],
      [post({ key: 'x'.repeat(65), title: 'x' }), 400, 'VALIDATION_FAILED'],
      [post({ key: 'ENG-1', title: 'x'.repeat(501) }), 400, 'VALIDATION_FAILED'],
      [post({ key: 'ENG-1', title: 'x', shipMessage: 'Hi {{customer.nmae}}' }), 400, 'VALIDATION_FAILED'],
      [api().get('/api/v1/linked-issues/not-a-uuid').set(agent.auth), 400, 'VALIDATION_FAILED'],
      [api().get('/api/v1/linked-issues/00000000-0000-4000-8000-000000000000').set(agent.auth), 404, 'NOT_FOUND'],
      [api().get('/api/v1/linked-issues?limit=0').set(agent.auth), 400, 'VALIDATION_FAILED'],
      [api().get('/api/v1/linked-issues?status=nope').set(agent.auth), 400, 'VALIDATION_FAILED'],
      [api().get('/api/v1/linked-issues?cursor=garbage').set(agent.auth), 400, 'VALIDATION_FAILED'],
    ];
    for (const [req, status, code] of codes) {
      const res = await req;
      expect({ status: res.status, code: res.body.code }).toEqual({ status, code });
    }
    const unknown = await post({ key: 'ENG-2', title: 'x', shipMessage: 'Hi {{ foo }}' }).expect(400);
    expect(unknown.body.details).toMatchObject({ field: 'shipMessage', unknown: ['foo'] });

    const a = await post({ key: 'ENG-100', title: 'First' }).expect(201);
    const b = await post({ key: 'ENG-101', title: 'Second' }).expect(201);
    const taken = await post({ key: 'eng-100', title: 'Same key, other case' }).expect(409);
    expect(taken.body.code).toBe('ISSUE_KEY_TAKEN');
    const renamed = await api()
      .patch(`/api/v1/linked-issues/${b.body.id}`)
      .set(agent.auth)
      .send({ key: 'ENG-100' })
      .expect(409);
    expect(renamed.body.code).toBe('ISSUE_KEY_TAKEN');
    const id = a.body.id;
    const more: Array<[request.Test, number, string]> = [
      [api().patch(`/api/v1/linked-issues/${id}`).set(agent.auth).send({ status: 'later' }), 400, 'VALIDATION_FAILED'],
      [api().patch(`/api/v1/linked-issues/${id}`).set(agent.auth).send({ version: 1 }), 400, 'VALIDATION_FAILED'],
      [
        api().post(`/api/v1/linked-issues/${id}/tickets`).set(agent.auth).send({ ticketId: 'x' }),
        400,
        'VALIDATION_FAILED',
      ],
      [api().post(`/api/v1/linked-issues/${id}/tickets`).set(agent.auth).send({}), 400, 'VALIDATION_FAILED'],
      [
        api()
          .post(`/api/v1/linked-issues/${id}/tickets`)
          .set(agent.auth)
          .send({ ticketId: '00000000-0000-4000-8000-000000000000' }),
        404,
        'NOT_FOUND',
      ],
      [
        api().delete(`/api/v1/linked-issues/${id}/tickets/00000000-0000-4000-8000-000000000000`).set(agent.auth),
        404,
        'NOT_FOUND',
      ],
      [
        api().post(`/api/v1/linked-issues/${id}/ship`).set(agent.auth).send({ message: '{{oops}}' }),
        400,
        'VALIDATION_FAILED',
      ],
      [
        api().post(`/api/v1/linked-issues/${id}/ship`).set(agent.auth).send({ onShip: 'close' }),
        400,
        'VALIDATION_FAILED',
      ],
      [
        api().post(`/api/v1/linked-issues/${id}/ship`).set(agent.auth).send('not json').type('json'),
        400,
        'MALFORMED_JSON',
      ],
    ];
    for (const [req, status, code] of more) {
      const res = await req;
      expect({ status: res.status, code: res.body.code }).toEqual({ status, code });
    }
    // Nothing was shipped by the refused requests.
    expect((await api().get(`/api/v1/linked-issues/${id}`).set(agent.auth).expect(200)).body.status).toBe('open');

    // Without ticket.update: reading is fine, changing is not.
    const key = await api()
      .post('/api/v1/api-keys')
      .set(ws.admin.auth)
      .send({ name: 'ro', permissions: ['ticket.create'] })
      .expect(201);
    const ro = { Authorization: `Bearer ${key.body.key}` };
    await api().get(`/api/v1/linked-issues/${id}`).set(ro).expect(200);
    expect((await api().post(`/api/v1/linked-issues/${id}/ship`).set(ro).send({}).expect(403)).body.code).toBe(
      'FORBIDDEN',
    );
    expect(
      (await api().post('/api/v1/linked-issues').set(ro).send({ key: 'RO-1', title: 'x' }).expect(403)).body.code,
    ).toBe('FORBIDDEN');

    // Keyset pages: filters and a cursor that walks every issue once.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: request.Response = await api()
        .get(`/api/v1/linked-issues?limit=2&q=ENG-10${cursor ? `&cursor=${cursor}` : ''}`)
        .set(agent.auth)
        .expect(200);
      seen.push(...res.body.items.map((i: any) => i.key));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual(['ENG-100', 'ENG-101']);
    const open_ = await api().get('/api/v1/linked-issues?status=shipped&q=ENG-10').set(agent.auth).expect(200);
    expect(open_.body.items).toEqual([]);
  });
});
