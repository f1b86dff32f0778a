import { INestApplicationContext } from '@nestjs/common';
import request from 'supertest';
import {
  CaptureSmtp,
  eventually,
  MailStack,
  RecordingClient,
  sendRaw,
  settle,
  Staff,
  startMailStack,
  TestApp,
  WorkspaceSession,
} from '@crewdesk/testing';
import { TicketEventBus, TicketEventRecord } from '@crewdesk/tickets';
import { SmtpInboundServer } from '../../apps/worker/src/email/smtp-inbound.server';
import { RoutingSweeper } from '../../apps/worker/src/routing/routing-sweeper.service';

describe('routing: everyone is support', () => {
  let t: TestApp;
  let worker: INestApplicationContext;
  let relay: CaptureSmtp;
  let ws: WorkspaceSession;
  let other: WorkspaceSession;
  let stack: MailStack;
  const open: RecordingClient[] = [];
  const online = async (s: Staff) => {
    const c = await RecordingClient.connect(t.url, '/agents', s.token);
    open.push(c);
    return c;
  };
  const ticket = (id: string) => t.db.query(`SELECT * FROM tickets WHERE id = $1`, [id]).then((r: any[]) => r[0]);
  const eventsOf = (id: string, type?: string) =>
    t.db.query(
      `SELECT * FROM ticket_events WHERE ticket_id = $1 ${type ? 'AND type = $2' : ''} ORDER BY id`,
      type ? [id, type] : [id],
    );
  const notificationsOf = (userId: string) =>
    t.db.query(`SELECT * FROM notifications WHERE user_id = $1 ORDER BY created_at`, [userId]);

  beforeAll(async () => {
    stack = await startMailStack();
    ({ t, worker, relay } = stack);
    ws = await WorkspaceSession.create(t);
    other = await WorkspaceSession.create(t);
  });
  afterEach(() => open.splice(0).forEach((c) => c.close()));
  afterAll(() => stack?.close());

  it('round robin spreads 100 tickets within one across online members; offline and full members get none', async () => {
    const [a, b, c, d] = [
      await ws.person(['agent'], [], 'A'),
      await ws.person(['agent'], [], 'B'),
      await ws.person(['agent'], [], 'C offline'),
      await ws.person(['agent'], [], 'D full'),
    ];
    await request(t.http).patch(`/api/v1/users/${d.id}`).set(ws.admin.auth).send({ capacity: 0 }).expect(200);
    for (const s of [a, b, c])
      await request(t.http).patch(`/api/v1/users/${s.id}`).set(ws.admin.auth).send({ capacity: 100 }).expect(200);
    const team = await request(t.http)
      .post('/api/v1/teams')
      .set(ws.admin.auth)
      .send({ name: 'Round robin', memberIds: [a.id, b.id, c.id, d.id], assignment: 'round_robin' })
      .expect(201);
    await online(a);
    await online(b);
    await online(d);
    const ids: string[] = [];
    for (let i = 0; i < 100; i++) ids.push((await ws.staffTicket(ws.admin.auth, { teamId: team.body.id })).id);
    const rows = await eventually(async () => {
      const r: any[] = await t.db.query(`SELECT assignee_id FROM tickets WHERE id = ANY($1::uuid[])`, [ids]);
      return r.every((x) => x.assignee_id) ? r : null;
    });
    const per = (id: string) => rows.filter((r) => r.assignee_id === id).length;
    expect(Math.abs(per(a.id) - per(b.id))).toBeLessThanOrEqual(1);
    expect(per(a.id) + per(b.id)).toBe(100);
    expect(per(c.id)).toBe(0);
    expect(per(d.id)).toBe(0);
    // Each assignment tells its assignee, in the console and in the bell (written after the assignment commits).
    const assigned = async () => (await notificationsOf(a.id)).filter((n: any) => n.type === 'assigned');
    await eventually(async () => ((await assigned()).length >= per(a.id) ? true : null));
    expect(await assigned()).toHaveLength(per(a.id));
  });

  it('least loaded always picks someone with the fewest open tickets', async () => {
    const [e, f, g] = [
      await ws.person(['agent'], [], 'E'),
      await ws.person(['agent'], [], 'F'),
      await ws.person(['agent'], [], 'G'),
    ];
    const team = await request(t.http)
      .post('/api/v1/teams')
      .set(ws.admin.auth)
      .send({ name: 'Least loaded', memberIds: [e.id, f.id, g.id], assignment: 'least_loaded' })
      .expect(201);
    for (let i = 0; i < 3; i++) await ws.staffTicket(ws.admin.auth, { assigneeId: e.id });
    await ws.staffTicket(ws.admin.auth, { assigneeId: f.id });
    await Promise.all([online(e), online(f), online(g)]);
    const load = async () => {
      const r: any[] = await t.db.query(
        `SELECT u.id, (SELECT count(*)::int FROM tickets x WHERE x.assignee_id = u.id AND x.status IN ('new','open','pending','on_hold')) AS n
         FROM users u WHERE u.id = ANY($1::uuid[])`,
        [[e.id, f.id, g.id]],
      );
      return new Map(r.map((x) => [x.id, x.n]));
    };
    for (let i = 0; i < 9; i++) {
      const before = await load();
      const created = await ws.staffTicket(ws.admin.auth, { teamId: team.body.id });
      const row = await eventually(async () => {
        const x = await ticket(created.id);
        return x.assignee_id ? x : null;
      });
      expect(before.get(row.assignee_id)).toBe(Math.min(...before.values()));
    }
    const after = await load();
    expect(Math.max(...after.values()) - Math.min(...after.values())).toBeLessThanOrEqual(1);
  });

  it('routes a Chinese refund mail to billing by rule order, and the dry run agrees', async () => {
    const billing = await ws.team('Billing');
    const support = await ws.team('Support mail');
    const refund = await request(t.http)
      .post('/api/v1/routing-rules')
      .set(ws.admin.auth)
      .send({
        name: '退款 to billing',
        position: 0,
        conditions: { channels: ['email'], keywords: ['退款', 'refund'] },
        actions: { teamId: billing, priority: 'high', addTags: ['refund'] },
      })
      .expect(201);
    const anyMail = await request(t.http)
      .post('/api/v1/routing-rules')
      .set(ws.admin.auth)
      .send({
        name: 'Other mail to support',
        position: 1,
        conditions: { channels: ['email'] },
        actions: { teamId: support },
      })
      .expect(201);
    // A rule that points at another workspace's team is refused.
    const foreign = await other.team('Foreign');
    await request(t.http)
      .post('/api/v1/routing-rules')
      .set(ws.admin.auth)
      .send({ name: 'x', actions: { teamId: foreign } })
      .expect(404);

    const dry = await request(t.http)
      .post('/api/v1/routing-rules/dry-run')
      .set(ws.admin.auth)
      .send({ channel: 'email', subject: '申请退款', body: '订单 8812 我要退款，谢谢' })
      .expect(200);
    expect(dry.body.matched).toMatchObject({ id: refund.body.id });
    expect(dry.body.checks).toEqual(expect.arrayContaining([{ condition: 'keywords', matched: true, detail: '退款' }]));
    const dryOther = await request(t.http)
      .post('/api/v1/routing-rules/dry-run')
      .set(ws.admin.auth)
      .send({ channel: 'email', subject: '发票抬头', body: '请帮我改发票抬头' })
      .expect(200);
    expect(dryOther.body.matched).toMatchObject({ id: anyMail.body.id });
    expect(dryOther.body.evaluated[0]).toMatchObject({ id: refund.body.id, matched: false });

    const mailbox = `support-${ws.workspace.slug}@mail.test`;
    await request(t.http)
      .post('/api/v1/channels')
      .set(ws.admin.auth)
      .send({ type: 'email', address: mailbox })
      .expect(201);
    const port = worker.get(SmtpInboundServer).port!;
    const raw = [
      'From: 王芳 <wang.fang@example.cn>',
      `To: ${mailbox}`,
      `Subject: =?UTF-8?B?${Buffer.from('申请退款').toString('base64')}?=`,
      'Message-ID: <refund-1@example.cn>',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('订单 8812 我要退款，谢谢').toString('base64'),
      '',
    ].join('\r\n');
    await sendRaw(port, 'wang.fang@example.cn', [mailbox], raw);
    const routed = await eventually(async () => {
      const [row] = await t.db.query(`SELECT * FROM tickets WHERE tenant_id = $1 AND subject = '申请退款'`, [
        ws.workspace.id,
      ]);
      return row?.routed_at ? row : null;
    });
    expect(routed).toMatchObject({ team_id: billing, priority: 'high' });
    expect(routed.tags).toContain('refund');
    const [event] = await eventsOf(routed.id, 'ticket.routed');
    expect(event.data.ruleId).toBe(refund.body.id);
    // The dry run over the stored ticket names the same rule.
    const again = await request(t.http)
      .post('/api/v1/routing-rules/dry-run')
      .set(ws.admin.auth)
      .send({ ticketId: routed.id })
      .expect(200);
    expect(again.body.matched.id).toBe(event.data.ruleId);
    // Another workspace sees none of it.
    await request(t.http).get(`/api/v1/routing-rules/${refund.body.id}`).set(other.admin.auth).expect(404);
    expect((await request(t.http).get('/api/v1/routing-rules').set(other.admin.auth).expect(200)).body.items).toEqual(
      [],
    );
    await request(t.http)
      .post('/api/v1/routing-rules/dry-run')
      .set(other.admin.auth)
      .send({ ticketId: routed.id })
      .expect(404);
    await request(t.http).delete(`/api/v1/routing-rules/${anyMail.body.id}`).set(ws.admin.auth).expect(204);
  });

  it('escalates to engineering: an engineer outside the team sees it live, answers, and the customer gets the answer in the chat', async () => {
    const support = await ws.team('Support chat');
    const agent = await ws.person(['agent'], [support], '小王');
    const engineering = await ws.team('Engineering');
    const engineer = await ws.person(['engineer'], [engineering], '陈工');
    const engineerSocket = await online(engineer);

    const start = await request(t.http)
      .post(`/api/v1/public/${ws.workspace.slug}/widget/session`)
      .set('X-Forwarded-For', '198.51.100.201')
      .send({})
      .expect(200);
    const visitor = await RecordingClient.connect(t.url, '/widget', start.body.visitorToken);
    open.push(visitor);
    const ack = await visitor.emit<any>('message.send', { clientMessageId: 'esc-1', body: '导出 CSV 一直失败' });
    const ticketId = ack.ticketId as string;
    await request(t.http).get(`/api/v1/tickets/${ticketId}`).set(engineer.auth).expect(404);

    const esc = await request(t.http)
      .post(`/api/v1/tickets/${ticketId}/escalations`)
      .set(agent.auth)
      .send({ target: { type: 'team', id: engineering }, reason: 'CSV export crashes on big files' })
      .expect(201);
    expect(esc.body).toMatchObject({ status: 'open', mode: 'bring_in', userIds: [engineer.id] });
    // The message statement tells routing whether an open escalation asks its author (no lookup otherwise).
    const written: TicketEventRecord[] = [];
    const unsubscribe = t.app.get(TicketEventBus).subscribe((e) => {
      if (e.type === 'message.created' && e.ticketId === ticketId) written.push(e);
    });
    await request(t.http)
      .post(`/api/v1/tickets/${ticketId}/messages`)
      .set(agent.auth)
      .send({ body: 'Asked engineering', internal: true })
      .expect(201);
    // Live: the event and the bell reach the engineer's console.
    await engineerSocket.waitFor((e) => e.some((x) => x.type === 'ticket.escalated' && x.ticketId === ticketId));
    const bell = await engineerSocket.waitForRaw(
      'notification.created',
      (n) => n.type === 'escalated' && n.ticketId === ticketId,
    );
    expect(bell.data.reason).toBe('CSV export crashes on big files');
    // And by mail (the workspace has a mailbox): replying to it answers the customer.
    const mail = await relay.waitFor((m) => m.text?.includes('CSV export crashes on big files') ?? false);
    expect((mail.to as any).text).toContain(engineer.email);
    expect((mail.replyTo as any).text).toMatch(/^r[a-z0-9]+@/);
    const mine = await request(t.http).get('/api/v1/tickets?escalatedTo=me').set(engineer.auth).expect(200);
    expect(mine.body.items.map((x: any) => x.id)).toEqual([ticketId]);

    await request(t.http).get(`/api/v1/tickets/${ticketId}`).set(engineer.auth).expect(200);
    await request(t.http)
      .post(`/api/v1/tickets/${ticketId}/messages`)
      .set(engineer.auth)
      .send({ body: '已修复，请刷新后重试。' })
      .expect(201);
    await visitor.waitFor((e) =>
      e.some((x) => x.type === 'message.created' && (x.data as any).message?.body === '已修复，请刷新后重试。'),
    );
    const list = await eventually(async () => {
      const r = await request(t.http).get(`/api/v1/tickets/${ticketId}/escalations`).set(agent.auth).expect(200);
      return r.body.items[0].status === 'answered' ? r.body.items : null;
    });
    expect(list[0]).toMatchObject({ answeredBy: engineer.id });
    unsubscribe();
    expect(written.map((e) => e.route?.answersEscalation)).toEqual([false, true]);
    const handoff = await eventually(async () => {
      const r = await request(t.http).get(`/api/v1/tickets/${ticketId}/escalations`).set(agent.auth).expect(200);
      return r.body.items[0].handoff.every((h: any) => h.status === 'met') ? r.body.items[0].handoff : null;
    });
    expect(handoff.map((h: any) => [h.metric, h.status]).sort()).toEqual([
      ['handoff_ack', 'met'],
      ['handoff_answer', 'met'],
    ]);
    const told = await eventually(async () =>
      (await notificationsOf(agent.id)).find((n: any) => n.type === 'escalation_answered'),
    );
    expect(told.ticket_id).toBe(ticketId);
    // Another workspace cannot see or escalate it.
    await request(t.http).get(`/api/v1/tickets/${ticketId}/escalations`).set(other.admin.auth).expect(404);
    await request(t.http)
      .post(`/api/v1/tickets/${ticketId}/escalations`)
      .set(other.admin.auth)
      .send({ target: { type: 'team', id: engineering }, reason: 'x' })
      .expect(404);
  });

  it('mentions and followers notify exactly the right people, and nothing crosses workspaces', async () => {
    const support = await ws.team('Support notes');
    const author = await ws.person(['agent'], [support], 'Author');
    const assignee = await ws.person(['agent'], [support], 'Assignee');
    const follower = await ws.person(['agent'], [support], 'Follower');
    const followerMentioned = await ws.person(['agent'], [support], 'Follower mentioned');
    const bystander = await ws.person(['agent'], [support], 'Bystander');
    const expert = await ws.person(['product'], [], 'Lily');
    const stranger = await other.person(['agent'], [], 'Stranger');
    const expertSocket = await online(expert);

    const web = await ws.webTicket('Feature: dark mode', 'Please add a dark mode.');
    await eventually(async () => ((await ticket(web.id)).routed_at ? true : null));
    await ws.assign(web.id, assignee.id, author.auth);
    await request(t.http).post(`/api/v1/tickets/${web.id}/followers`).set(follower.auth).send({}).expect(200);
    await request(t.http)
      .post(`/api/v1/tickets/${web.id}/followers`)
      .set(author.auth)
      .send({ userId: followerMentioned.id })
      .expect(200);
    await request(t.http).post(`/api/v1/tickets/${web.id}/followers`).set(author.auth).send({}).expect(200);
    await request(t.http).get(`/api/v1/tickets/${web.id}`).set(expert.auth).expect(404);

    const note = await request(t.http)
      .post(`/api/v1/tickets/${web.id}/messages`)
      .set(author.auth)
      .send({ body: '@Lily @Follower what do you think?', internal: true, mentions: [expert.id, followerMentioned.id] })
      .expect(201);
    const live = await expertSocket.waitForRaw('notification.created', (n) => n.type === 'mentioned');
    expect(live).toMatchObject({ ticketId: web.id, data: { messageId: note.body.id } });
    // The mention opened this ticket (alone) to product staff outside the team.
    await request(t.http).get(`/api/v1/tickets/${web.id}`).set(expert.auth).expect(200);
    const grants = await request(t.http).get(`/api/v1/tickets/${web.id}/grants`).set(author.auth).expect(200);
    expect(grants.body.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ userId: expert.id, reason: 'mention', expiresAt: null })]),
    );

    await request(t.http)
      .post(`/api/v1/portal/tickets/${web.id}/messages`)
      .set(web.customer)
      .send({ body: 'Any news?' })
      .expect(201);
    await settle(1500);
    const byType = async (u: Staff) =>
      (await notificationsOf(u.id))
        .filter((n: any) => n.ticket_id === web.id)
        .map((n: any) => n.type)
        .sort();
    expect(await byType(expert)).toEqual(['mentioned']);
    expect(await byType(followerMentioned)).toEqual(['mentioned', 'new_message']);
    expect(await byType(follower)).toEqual(['followed_update', 'new_message']);
    expect(await byType(assignee)).toEqual(['assigned', 'new_message']);
    expect(await byType(author)).toEqual(['new_message']);
    expect(await byType(bystander)).toEqual([]);
    expect(await byType(stranger)).toEqual([]);

    // Each person reads only their own bell; another workspace can neither follow nor mention across.
    const bellOf = await request(t.http).get('/api/v1/notifications?unread=true').set(expert.auth).expect(200);
    expect(bellOf.body.items.map((n: any) => n.type)).toEqual(['mentioned']);
    expect(bellOf.body.unread).toBe(1);
    expect((await request(t.http).get('/api/v1/notifications').set(stranger.auth).expect(200)).body.items).toEqual([]);
    await request(t.http).post('/api/v1/notifications/read').set(expert.auth).send({ all: true }).expect(200);
    expect((await request(t.http).get('/api/v1/notifications?unread=true').set(expert.auth)).body.unread).toBe(0);
    await request(t.http).post(`/api/v1/tickets/${web.id}/followers`).set(stranger.auth).send({}).expect(404);
    const theirs = await other.staffTicket(other.admin.auth);
    await request(t.http)
      .post(`/api/v1/tickets/${theirs.id}/messages`)
      .set(other.admin.auth)
      .send({ body: 'cross', internal: true, mentions: [expert.id] })
      .expect(400);
    await request(t.http).post('/api/v1/notifications/read').set(ws.admin.auth).send({}).expect(400);
  });

  it('a grant from an escalation expires, and an unacknowledged hand-off breaches and is reported', async () => {
    const support = await ws.team('Support grants');
    const agent = await ws.person(['agent'], [support], 'Agent');
    const engineer = await ws.person(['engineer'], [], 'Outside engineer');
    const created = await ws.staffTicket(agent.auth, { teamId: support });
    await request(t.http).get(`/api/v1/tickets/${created.id}`).set(engineer.auth).expect(404);

    const esc = await request(t.http)
      .post(`/api/v1/tickets/${created.id}/escalations`)
      .set(agent.auth)
      // Hand-off minutes are SLA minutes (200 ms each in tests); the grant's are wall-clock minutes.
      .send({
        target: { type: 'user', id: engineer.id },
        reason: 'Is this a bug?',
        ackMinutes: 5,
        answerMinutes: 50,
        grantMinutes: 0.1,
      })
      .expect(201);
    await request(t.http).get(`/api/v1/tickets/${created.id}`).set(engineer.auth).expect(200);

    const breach = await eventually(async () => {
      const [e] = await eventsOf(created.id, 'sla.breached');
      return e ?? null;
    });
    expect(breach.data).toMatchObject({ metric: 'handoff_ack', escalationId: esc.body.id });
    const reported = await request(t.http).get(`/api/v1/tickets/${created.id}/escalations`).set(agent.auth).expect(200);
    expect(reported.body.items[0].handoff.find((h: any) => h.metric === 'handoff_ack').breachedAt).toEqual(
      expect.any(String),
    );
    await eventually(async () =>
      (await notificationsOf(agent.id)).find((n: any) => n.type === 'handoff_breached' && n.ticket_id === created.id),
    );

    await eventually(async () => {
      const r = await request(t.http).get(`/api/v1/tickets/${created.id}`).set(engineer.auth);
      return r.status === 404 ? true : null;
    });
    await eventually(async () => ((await eventsOf(created.id, 'access.expired')).length ? true : null));
    expect(await eventsOf(created.id, 'access.expired')).toHaveLength(1);
    expect((await ticket(created.id)).shared_with).toEqual([]);
    await request(t.http)
      .post(`/api/v1/tickets/${created.id}/messages`)
      .set(engineer.auth)
      .send({ body: 'too late' })
      .expect(404);
  });

  it('refuses bad escalations and rules with clear errors', async () => {
    const created = await ws.staffTicket(ws.admin.auth);
    const bad = async (body: unknown, status: number, code: string) => {
      const r = await request(t.http)
        .post(`/api/v1/tickets/${created.id}/escalations`)
        .set(ws.admin.auth)
        .send(body as object);
      expect([r.status, r.body.code]).toEqual([status, code]);
    };
    await bad({}, 400, 'VALIDATION_FAILED');
    await bad({ target: { type: 'team' }, reason: 'x' }, 400, 'VALIDATION_FAILED');
    await bad({ target: { type: 'planet', id: created.id }, reason: 'x' }, 400, 'VALIDATION_FAILED');
    await bad({ target: { type: 'user', id: created.id }, reason: 'x' }, 404, 'NOT_FOUND');
    await bad({ target: { type: 'role', role: 'astronaut' }, reason: 'x' }, 404, 'NOT_FOUND');
    await bad({ target: { type: 'role', role: 'engineer' }, reason: 'x', mode: 'move' }, 400, 'VALIDATION_FAILED');
    await bad({ target: { type: 'user', id: ws.admin.id }, reason: 'myself' }, 400, 'VALIDATION_FAILED');
    const rule = (body: unknown) =>
      request(t.http)
        .post('/api/v1/routing-rules')
        .set(ws.admin.auth)
        .send(body as object);
    expect((await rule({ name: 'x' })).status).toBe(400);
    expect((await rule({ name: 'x', actions: { priority: 'asap' } })).body.code).toBe('VALIDATION_FAILED');
    expect((await rule({ name: 'x', conditions: { channels: ['fax'] }, actions: {} })).body.code).toBe(
      'VALIDATION_FAILED',
    );
    expect((await rule({ name: 'x', actions: { assignTo: { type: 'role', value: 'astronaut' } } })).status).toBe(404);
    const agent = await ws.person(['agent']);
    expect(
      (await request(t.http).post('/api/v1/routing-rules').set(agent.auth).send({ name: 'x', actions: {} })).status,
    ).toBe(403);
    await request(t.http).post('/api/v1/routing-rules/dry-run').set(ws.admin.auth).send({}).expect(400);
  });

  it("holds an expert's public reply for the agent's approval where the workspace asks, then sends it once", async () => {
    const rv = await WorkspaceSession.create(t);
    await request(t.http)
      .patch('/api/v1/workspace')
      .set(rv.admin.auth)
      .send({ settings: { expertReview: true } })
      .expect(200);
    const agent = await rv.person(['agent'], [], 'Agent');
    const engineer = await rv.person(['engineer'], [], 'Engineer');
    const web = await rv.webTicket('Sync fails', 'Sync fails every night.');
    await rv.assign(web.id, agent.id, agent.auth);
    await request(t.http)
      .post(`/api/v1/tickets/${web.id}/escalations`)
      .set(agent.auth)
      .send({ target: { type: 'user', id: engineer.id }, reason: 'Why does sync fail?' })
      .expect(201);

    const held = await request(t.http)
      .post(`/api/v1/tickets/${web.id}/messages`)
      .set(engineer.auth)
      .send({ body: 'A token expired; it is fixed now.' })
      .expect(202);
    expect(held.body).toMatchObject({ internal: true, reviewState: 'pending' });
    const seen = async () =>
      (await request(t.http).get(`/api/v1/portal/tickets/${web.id}/messages`).set(web.customer).expect(200)).body.items
        .map((m: any) => m.body)
        .filter((b: string) => b.includes('token expired'));
    expect(await seen()).toEqual([]);
    await eventually(async () => (await notificationsOf(agent.id)).find((n: any) => n.type === 'review_requested'));
    // Only the ticket's agent (or someone who sees every ticket) decides; other workspaces see nothing.
    await request(t.http)
      .post(`/api/v1/tickets/${web.id}/messages/${held.body.id}/approve`)
      .set(engineer.auth)
      .expect(403);
    await request(t.http)
      .post(`/api/v1/tickets/${web.id}/messages/${held.body.id}/approve`)
      .set(other.admin.auth)
      .expect(404);

    const sent = await request(t.http)
      .post(`/api/v1/tickets/${web.id}/messages/${held.body.id}/approve`)
      .set(agent.auth)
      .expect(200);
    expect(sent.body).toMatchObject({
      internal: false,
      author: { id: engineer.id },
      body: 'A token expired; it is fixed now.',
    });
    const again = await request(t.http)
      .post(`/api/v1/tickets/${web.id}/messages/${held.body.id}/approve`)
      .set(agent.auth)
      .expect(200);
    expect(again.body.id).toBe(sent.body.id);
    expect(await seen()).toEqual(['A token expired; it is fixed now.']);
    await request(t.http)
      .post(`/api/v1/tickets/${web.id}/messages/${held.body.id}/reject`)
      .set(agent.auth)
      .send({})
      .expect(409);
    await eventually(async () =>
      (await notificationsOf(engineer.id)).find(
        (n: any) => n.type === 'review_decided' && n.data.decision === 'approved',
      ),
    );
    // The approved reply answers the escalation.
    await eventually(async () => {
      const r = await request(t.http).get(`/api/v1/tickets/${web.id}/escalations`).set(agent.auth).expect(200);
      return r.body.items[0].status === 'answered' ? true : null;
    });
    // An agent's own reply is never held.
    await request(t.http)
      .post(`/api/v1/tickets/${web.id}/messages`)
      .set(agent.auth)
      .send({ body: 'Thanks!' })
      .expect(201);
  });

  it('product staff get new tickets of the tags they follow live, can open them, and get one daily digest', async () => {
    const tg = await WorkspaceSession.create(t);
    await request(t.http)
      .post('/api/v1/channels')
      .set(tg.admin.auth)
      .send({ type: 'email', address: `hello-${tg.workspace.slug}@mail.test` })
      .expect(201);
    const lily = await tg.person(['product'], [], 'Lily');
    await request(t.http)
      .patch(`/api/v1/users/${lily.id}`)
      .set(tg.admin.auth)
      .send({ timezone: 'Asia/Shanghai' })
      .expect(200);
    const sub = await request(t.http)
      .put('/api/v1/me/tag-subscriptions')
      .set(lily.auth)
      .send({ tags: ['Feature-Request', 'feature-request'] })
      .expect(200);
    expect(sub.body).toEqual({ tags: ['feature-request'], digest: true });
    const socket = await online(lily);
    const wanted = await tg.staffTicket(tg.admin.auth, { subject: 'Dark mode please', tags: ['feature-request'] });
    await tg.staffTicket(tg.admin.auth, { subject: 'Unrelated', tags: ['billing'] });
    const live = await socket.waitForRaw('notification.created', (n) => n.type === 'tag_match');
    expect(live.ticketId).toBe(wanted.id);
    await request(t.http).get(`/api/v1/tickets/${wanted.id}`).set(lily.auth).expect(200);
    // Tagged later counts too, once per ticket.
    const later = await tg.staffTicket(tg.admin.auth, { subject: 'Export to PDF' });
    await request(t.http)
      .patch(`/api/v1/tickets/${later.id}`)
      .set(tg.admin.auth)
      .send({ version: later.version, tags: ['feature-request'] })
      .expect(200);
    await eventually(
      async () => (await notificationsOf(lily.id)).filter((n: any) => n.type === 'tag_match').length === 2,
    );

    const sweeper = worker.get(RoutingSweeper);
    // The next 09:30 in Shanghai (01:30 UTC): at 08:00 nothing is due; at 09:30 one digest; then none that day.
    const at = new Date();
    at.setUTCHours(1, 30, 0, 0);
    if (at <= new Date()) at.setUTCDate(at.getUTCDate() + 1);
    expect(await sweeper.sendDigests(new Date(at.getTime() - 90 * 60_000))).toBe(0);
    expect(await sweeper.sendDigests(at)).toBe(1);
    const mail = await relay.waitFor(
      (m) => (m.to as any).text.includes(lily.email) && (m.subject ?? '').includes('Daily digest'),
    );
    expect(mail.subject).toBe('Daily digest: 2 new tickets');
    expect(mail.text).toContain('2 new tickets in the last day carry tags you follow');
    expect(mail.text).toContain('Dark mode please');
    expect(mail.text).toContain('Export to PDF');
    expect(mail.text).not.toContain('Unrelated');
    expect(await sweeper.sendDigests(new Date(at.getTime() + 1000))).toBe(0);
    expect((await notificationsOf(lily.id)).filter((n: any) => n.type === 'digest')).toHaveLength(1);
  });

  it('alerts a team when tickets wait unassigned, and takes tickets back from an assignee offline too long', async () => {
    const bk = await WorkspaceSession.create(t);
    const lead = await bk.person(['supervisor'], [], 'Lead');
    const x = await bk.person(['agent'], [], 'X');
    const y = await bk.person(['agent'], [], 'Y');
    const backlog = await request(t.http)
      .post('/api/v1/teams')
      .set(bk.admin.auth)
      .send({ name: 'Waiting', memberIds: [lead.id, x.id], leadIds: [lead.id], backlogAlertMinutes: 0.05 })
      .expect(201);
    expect(backlog.body.backlogAlertMinutes).toBe(0.05);
    const waiting = await bk.staffTicket(bk.admin.auth, { teamId: backlog.body.id });
    const alert = await eventually(async () => (await notificationsOf(lead.id)).find((n: any) => n.type === 'backlog'));
    expect(alert.data).toMatchObject({ teamId: backlog.body.id, waiting: 1 });
    expect((await notificationsOf(x.id)).filter((n: any) => n.type === 'backlog')).toHaveLength(0);
    expect((await ticket(waiting.id)).assignee_id).toBeNull();
    // A setting sent as null turns it off; fields left out keep their values.
    const off = await request(t.http)
      .patch(`/api/v1/teams/${backlog.body.id}`)
      .set(bk.admin.auth)
      .send({ backlogAlertMinutes: null, handoffAckMinutes: 30 })
      .expect(200);
    expect(off.body).toMatchObject({ name: 'Waiting', backlogAlertMinutes: null, handoffAckMinutes: 30 });
    await request(t.http).patch(`/api/v1/teams/${backlog.body.id}`).set(bk.admin.auth).send({ name: '' }).expect(400);

    const rr = await request(t.http)
      .post('/api/v1/teams')
      .set(bk.admin.auth)
      .send({
        name: 'Follow the sun',
        memberIds: [x.id, y.id],
        assignment: 'round_robin',
        offlineReassignMinutes: 0.05,
      })
      .expect(201);
    const xs = await online(x);
    const given = await bk.staffTicket(bk.admin.auth, { teamId: rr.body.id, assigneeId: x.id });
    await online(y);
    xs.close();
    const moved = await eventually(async () => {
      const row = await ticket(given.id);
      return row.assignee_id === y.id ? row : null;
    }, 40_000);
    expect(moved.assignee_id).toBe(y.id);
    expect(await eventsOf(given.id, 'ticket.reassigned')).toHaveLength(1);
  });
});
