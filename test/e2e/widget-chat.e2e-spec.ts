import request from 'supertest';
import { identityHmac } from '@crewdesk/channels';
import { createTestApp, RecordingClient, TestApp, WorkspaceSession } from '@crewdesk/testing';

describe('chat widget: sessions, live conversations, identity', () => {
  let t: TestApp;
  let ws: WorkspaceSession;
  const open: RecordingClient[] = [];
  const session = (body: Record<string, unknown> = {}, slug = ws.workspace.slug) =>
    request(t.http).post(`/api/v1/public/${slug}/widget/session`).set('X-Forwarded-For', '198.51.100.200').send(body);
  const widget = async (visitorToken: string) => {
    const c = await RecordingClient.connect(t.url, '/widget', visitorToken);
    open.push(c);
    return c;
  };

  beforeAll(async () => {
    t = await createTestApp();
    ws = await WorkspaceSession.create(t);
  });
  afterEach(() => open.splice(0).forEach((c) => c.close()));
  afterAll(() => t.close());

  it('turns a visitor message into a live chat ticket, carries the reply back, and flows read receipts both ways', async () => {
    const agent = await ws.person(['agent'], [], '小王');
    const console_ = await RecordingClient.connect(t.url, '/agents', agent.token);
    open.push(console_);
    const start = await session().expect(200);
    expect(start.body).toMatchObject({
      visitorToken: expect.any(String),
      customerId: expect.any(String),
      conversation: null,
      online: true,
    });
    const visitor = await widget(start.body.visitorToken);

    const ack = await visitor.emit<any>('message.send', { clientMessageId: 'c-1', body: '你好，我的订单还没发货' });
    expect(ack).toEqual({ id: expect.any(String), ticketId: expect.any(String), createdAt: expect.any(String) });
    const created = await console_.waitFor((e) =>
      e.some((x) => x.type === 'ticket.created' && x.ticketId === ack.ticketId),
    );
    expect(created.find((x) => x.ticketId === ack.ticketId)!.data).toMatchObject({
      channel: 'chat',
      subject: '你好，我的订单还没发货',
    });
    // The visitor's own message comes back with the client id, to match the pending bubble.
    const echo = await visitor.waitFor((e) => e.some((x) => x.type === 'ticket.created'));
    expect(echo[0].data).toMatchObject({ ticket: { id: ack.ticketId } });

    // A resend after a blip stores one message, and answers with the same id.
    const again = await visitor.emit<any>('message.send', { clientMessageId: 'c-1', body: '你好，我的订单还没发货' });
    expect(again.id).toBe(ack.id);
    const second = await visitor.emit<any>('message.send', { clientMessageId: 'c-2', body: '订单号 1234' });
    expect(second.ticketId).toBe(ack.ticketId);
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM messages WHERE ticket_id = $1`, [ack.ticketId]);
    expect(n).toBe(2);
    await console_.waitFor((e) =>
      e.some((x) => x.type === 'message.created' && (x.data as any).message.clientMessageId === 'c-2'),
    );

    // The agent reads and replies; the visitor sees "read" and the reply live.
    expect(await console_.emit('message.read', { ticketId: ack.ticketId, messageId: second.id })).toEqual({ ok: true });
    const read = await visitor.waitFor((e) => e.some((x) => x.type === 'message.read'));
    expect(read.find((x) => x.type === 'message.read')!.data).toEqual({ messageId: second.id, by: 'staff' });
    const reply = await request(t.http)
      .post(`/api/v1/tickets/${ack.ticketId}/messages`)
      .set(agent.auth)
      .send({ body: '马上为您查询' })
      .expect(201);
    const live = await visitor.waitFor((e) =>
      e.some((x) => x.type === 'message.created' && (x.data as any).message.id === reply.body.id),
    );
    expect(live.find((x) => (x.data as any).message?.id === reply.body.id)!.data).toMatchObject({
      message: { body: '马上为您查询', author: { type: 'staff', name: '小王' } },
    });
    expect(await visitor.emit('message.read', { ticketId: ack.ticketId, messageId: reply.body.id })).toEqual({
      ok: true,
    });
    const seenByCustomer = await console_.waitFor((e) =>
      e.some((x) => x.type === 'message.read' && (x.data as any).by === 'customer'),
    );
    expect(
      seenByCustomer.find((x) => x.type === 'message.read' && (x.data as any).by === 'customer')!.data,
    ).toMatchObject({ messageId: reply.body.id });

    // The conversation survives a reload: the same token gives the same customer and conversation.
    const reload = await session({ visitorToken: start.body.visitorToken }).expect(200);
    expect(reload.body).toMatchObject({
      customerId: start.body.customerId,
      conversation: { ticketId: ack.ticketId, status: 'open' },
    });
    const history = await request(t.http)
      .get(`/api/v1/portal/tickets/${ack.ticketId}/messages`)
      .set('Authorization', `Bearer ${reload.body.visitorToken}`)
      .expect(200);
    expect(history.body.items.map((m: any) => m.body)).toEqual([
      '你好，我的订单还没发货',
      '订单号 1234',
      '马上为您查询',
    ]);
  });

  it('refuses bad messages with clear codes and stores nothing', async () => {
    const start = await session().expect(200);
    const visitor = await widget(start.body.visitorToken);
    expect(await visitor.emit('message.send', { body: 'no id' })).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await visitor.emit('message.send', { clientMessageId: 'x', body: '   ' })).toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    expect(await visitor.emit('message.send', { clientMessageId: 'x', body: 'x'.repeat(4001) })).toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    expect(
      await visitor.emit('message.send', {
        clientMessageId: 'x',
        body: 'hi',
        attachmentIds: ['00000000-0000-4000-8000-000000000000'],
      }),
    ).toMatchObject({
      code: 'ATTACHMENT_INVALID',
    });
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM tickets WHERE requester_id = $1`, [
      start.body.customerId,
    ]);
    expect(n).toBe(0);
    // Sending too fast is limited per visitor.
    const results = [];
    for (let i = 0; i < 22; i++)
      results.push(await visitor.emit<any>('message.send', { clientMessageId: `burst-${i}`, body: `m${i}` }));
    expect(results.filter((r) => r.code === 'RATE_LIMITED').length).toBeGreaterThan(0);
  });

  it('keeps a message holding half of a surrogate pair, with U+FFFD in its place', async () => {
    const start = await session().expect(200);
    const visitor = await widget(start.body.visitorToken);
    const ack = await visitor.emit<any>('message.send', { clientMessageId: 'lone-1', body: 'a\ud800b \udc00 😀' });
    expect(ack).toMatchObject({ id: expect.any(String), ticketId: expect.any(String) });
    const [row] = await t.db.query(`SELECT body_text FROM messages WHERE id = $1`, [ack.id]);
    expect(row.body_text).toBe('a\ufffdb \ufffd 😀');
  });

  it('sends images (sniffed, at most 10 MB) and nothing else', async () => {
    const start = await session().expect(200);
    const visitor = await widget(start.body.visitorToken);
    const auth = { Authorization: `Bearer ${start.body.visitorToken}` };
    const png = Buffer.from(
      '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201e2b6c1d90000000049454e44ae426082',
      'hex',
    );
    const image = await request(t.http)
      .post('/api/v1/portal/attachments')
      .set(auth)
      .attach('file', png, 'photo.jpg')
      .expect(201);
    expect(image.body.contentType).toBe('image/png');
    const ack = await visitor.emit<any>('message.send', {
      clientMessageId: 'img-1',
      body: '',
      attachmentIds: [image.body.id],
    });
    expect(ack.id).toEqual(expect.any(String));
    const ticket = await request(t.http).get(`/api/v1/tickets/${ack.ticketId}`).set(ws.admin.auth).expect(200);
    expect(ticket.body.messages[0].attachments).toEqual([
      { id: image.body.id, filename: 'photo.jpg', contentType: 'image/png', size: png.length },
    ]);
    await request(t.http).get(`/api/v1/portal/attachments/${image.body.id}`).set(auth).expect(200);
    const text = await request(t.http)
      .post('/api/v1/portal/attachments')
      .set(auth)
      .attach('file', Buffer.from('plain text'), 'a.png')
      .expect(201);
    expect(
      await visitor.emit('message.send', { clientMessageId: 'img-2', body: '', attachmentIds: [text.body.id] }),
    ).toMatchObject({ code: 'ATTACHMENT_INVALID' });
  });

  it('shows a message of HTML as text, in every payload', async () => {
    const start = await session().expect(200);
    const visitor = await widget(start.body.visitorToken);
    const console_ = await RecordingClient.connect(t.url, '/agents', ws.admin.token);
    open.push(console_);
    const ack = await visitor.emit<any>('message.send', {
      clientMessageId: 'xss',
      body: '<img src=x onerror=alert(1)>',
    });
    const ticket = await request(t.http).get(`/api/v1/tickets/${ack.ticketId}`).set(ws.admin.auth).expect(200);
    expect(ticket.body.messages[0].body).toBe('<img src=x onerror=alert(1)>');
    expect(ticket.body.messages[0].html).toBe('<p>&lt;img src=x onerror=alert(1)&gt;</p>');
    const event = await console_.waitFor((e) => e.some((x) => x.ticketId === ack.ticketId));
    expect((event[0].data as any).message).toMatchObject({
      body: '<img src=x onerror=alert(1)>',
      html: '<p>&lt;img src=x onerror=alert(1)&gt;</p>',
    });
  });

  it('refuses a forged identity and links a verified one to the customer and their earlier tickets', async () => {
    const settings = await request(t.http).get('/api/v1/widget/settings').set(ws.admin.auth).expect(200);
    expect(settings.body.snippet).toContain(`data-workspace="${ws.workspace.slug}"`);
    const secret = settings.body.secret;
    const earlier = await ws.webTicket('Earlier question', 'from the web form', 'known@example.com');

    const forged = await session({
      identity: { userId: 'known@example.com', hmac: identityHmac('wrong secret', 'known@example.com') },
    }).expect(401);
    expect(forged.body.code).toBe('IDENTITY_INVALID');
    const malformed = await session({ identity: { userId: 'u-1', hmac: 'abc' } }).expect(400);
    expect(malformed.body.code).toBe('VALIDATION_FAILED');

    const anon = await session().expect(200);
    const visitor = await widget(anon.body.visitorToken);
    await visitor.emit('message.send', { clientMessageId: 'before-login', body: 'Hello before I sign in' });
    const verified = await session({
      visitorToken: anon.body.visitorToken,
      identity: { userId: 'known@example.com', hmac: identityHmac(secret, 'known@example.com'), name: 'Known' },
    }).expect(200);
    const [customer] = await t.db.query(`SELECT requester_id FROM tickets WHERE id = $1`, [earlier.id]);
    expect(verified.body.customerId).toBe(customer.requester_id);
    // The agent sees the customer's earlier tickets, the chat taken over from the anonymous visitor among them.
    const theirs = await request(t.http)
      .get('/api/v1/tickets')
      .query({ requesterId: verified.body.customerId })
      .set(ws.admin.auth)
      .expect(200);
    expect(theirs.body.items.map((x: any) => x.subject).sort()).toEqual(['Earlier question', 'Hello before I sign in']);
    // The same user on another device gets the same customer.
    const again = await session({
      identity: { userId: 'known@example.com', hmac: identityHmac(secret, 'known@example.com') },
    }).expect(200);
    expect(again.body.customerId).toBe(verified.body.customerId);
    // A valid HMAC for one's own id cannot claim someone else's email.
    const sneaky = await session({
      identity: { userId: 'u-2', hmac: identityHmac(secret, 'u-2'), email: 'known@example.com' },
    }).expect(200);
    expect(sneaky.body.customerId).not.toBe(verified.body.customerId);
    const none = await request(t.http)
      .get('/api/v1/portal/tickets')
      .set('Authorization', `Bearer ${sneaky.body.visitorToken}`)
      .expect(200);
    expect(none.body.items).toEqual([]);
  });

  it('keeps visitors inside their workspace, and asks for an email when nobody can answer', async () => {
    const other = await WorkspaceSession.create(t);
    const mine = await session().expect(200);
    const there = await session({ visitorToken: mine.body.visitorToken }, other.workspace.slug).expect(200);
    expect(there.body.customerId).not.toBe(mine.body.customerId);
    const visitor = await widget(mine.body.visitorToken);
    const ack = await visitor.emit<any>('message.send', { clientMessageId: 'iso', body: 'private' });
    await request(t.http).get(`/api/v1/tickets/${ack.ticketId}`).set(other.admin.auth).expect(404);

    // Nobody of the other workspace is online: the widget asks for an address, which is kept.
    expect(there.body.online).toBe(false);
    await request(t.http)
      .post(`/api/v1/public/${other.workspace.slug}/widget/contact`)
      .set('Authorization', `Bearer ${there.body.visitorToken}`)
      .send({ email: 'Later@Example.com' })
      .expect(200);
    const [row] = await t.db.query(`SELECT email FROM customers WHERE id = $1`, [there.body.customerId]);
    expect(row.email).toBe('later@example.com');
    await request(t.http)
      .post(`/api/v1/public/${other.workspace.slug}/widget/contact`)
      .set('Authorization', `Bearer ${there.body.visitorToken}`)
      .send({ email: 'nope' })
      .expect(400);
    // Out of business hours counts as nobody online.
    await request(t.http)
      .patch('/api/v1/widget/settings')
      .set(ws.admin.auth)
      .send({ businessHours: { timezone: 'Asia/Shanghai', days: {} } })
      .expect(200);
    const closed = await session().expect(200);
    expect(closed.body.online).toBe(false);
    const bad = await request(t.http)
      .patch('/api/v1/widget/settings')
      .set(ws.admin.auth)
      .send({ businessHours: { timezone: 'Mars/Base', days: {} } })
      .expect(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
  });
});
