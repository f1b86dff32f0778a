import request from 'supertest';
import { LivePublisher } from '@crewdesk/realtime';
import { eventFromRow } from '@crewdesk/tickets';
import { createTestApp, RecordingClient, TestApp, WorkspaceSession } from '@crewdesk/testing';

describe('realtime: /agents and /widget', () => {
  let t: TestApp;
  let a: WorkspaceSession;
  let b: WorkspaceSession;
  const open: RecordingClient[] = [];
  const connect = async (ns: '/agents' | '/widget', token: string, last?: string) => {
    const c = await RecordingClient.connect(t.url, ns, token, last);
    open.push(c);
    return c;
  };

  beforeAll(async () => {
    t = await createTestApp();
    a = await WorkspaceSession.create(t);
    b = await WorkspaceSession.create(t);
  });
  afterEach(() => open.splice(0).forEach((c) => c.close()));
  afterAll(() => t.close());

  it('refuses a bad or missing token at the handshake with a code', async () => {
    await expect(RecordingClient.connect(t.url, '/agents', 'not-a-token')).rejects.toMatchObject({
      data: { code: 'UNAUTHENTICATED' },
    });
    await expect(RecordingClient.connect(t.url, '/agents', '')).rejects.toMatchObject({
      data: { code: 'UNAUTHENTICATED' },
    });
    const ticket = await a.webTicket();
    const customerToken = ticket.customer.Authorization.slice(7);
    // A customer token is no staff token, and the other way round.
    await expect(RecordingClient.connect(t.url, '/agents', customerToken)).rejects.toMatchObject({
      data: { code: 'UNAUTHENTICATED' },
    });
    await expect(RecordingClient.connect(t.url, '/widget', a.admin.token)).rejects.toMatchObject({
      data: { code: 'UNAUTHENTICATED' },
    });
  });

  it("delivers tenant A's events to A's agents only, and to the customer only their public messages", async () => {
    const agentA = await connect('/agents', a.admin.token);
    const agentB = await connect('/agents', b.admin.token);
    const ticket = await a.webTicket('Live one', 'Hello from the widget');
    const other = await a.webTicket('Someone else', 'Not for the first customer');
    const customer = await connect('/widget', ticket.customer.Authorization.slice(7));

    await request(t.http)
      .post(`/api/v1/tickets/${ticket.id}/messages`)
      .set(a.admin.auth)
      .send({ body: 'PUBLIC reply' })
      .expect(201);
    await request(t.http)
      .post(`/api/v1/tickets/${ticket.id}/messages`)
      .set(a.admin.auth)
      .send({ body: 'SECRET note', internal: true })
      .expect(201);
    await request(t.http)
      .post(`/api/v1/tickets/${other.id}/messages`)
      .set(a.admin.auth)
      .send({ body: 'OTHER customer reply' })
      .expect(201);
    await request(t.http)
      .patch(`/api/v1/tickets/${ticket.id}`)
      .set(a.admin.auth)
      .send({ version: 3, status: 'pending', tags: ['secret-tag'] })
      .expect(200);

    const seen = await agentA.waitFor((e) => e.filter((x) => x.ticketId === ticket.id).length === 4);
    expect(seen.filter((x) => x.ticketId === ticket.id).map((x) => x.type)).toEqual([
      'ticket.created',
      'message.created',
      'message.created',
      'ticket.updated',
    ]);
    const ids = seen.map((x) => BigInt(x.id));
    expect([...ids].sort((x, y) => (x < y ? -1 : 1))).toEqual(ids);
    expect(
      seen.find((x) => x.type === 'message.created' && (x.data as any).message.body === 'SECRET note'),
    ).toBeTruthy();

    // The customer: the public reply and the status change of their own ticket, nothing else.
    await customer.waitFor((e) => e.some((x) => x.type === 'ticket.updated'));
    expect(customer.events.map((x) => [x.type, x.ticketId])).toEqual([
      ['message.created', ticket.id],
      ['ticket.updated', ticket.id],
    ]);
    expect((customer.events[0].data as any).message).toMatchObject({ body: 'PUBLIC reply', author: { type: 'staff' } });
    expect(customer.events[1].data).toEqual({ ticket: { status: 'pending' } });
    const everything = JSON.stringify(customer.raw);
    for (const secret of ['SECRET', 'OTHER', 'secret-tag', a.admin.id]) expect(everything).not.toContain(secret);

    // Tenant B's agent: a marker event of B arrives, and nothing of A ever did.
    const marker = await b.staffTicket(b.admin.auth);
    await agentB.waitFor((e) => e.some((x) => x.ticketId === marker.id));
    expect(agentB.events.map((x) => x.ticketId)).toEqual([marker.id]);
    expect(JSON.stringify(agentB.raw)).not.toContain('Live one');
  });

  it('gives engineers the events of their teams only', async () => {
    const team = await a.team(`Eng ${Date.now()}`);
    const engineer = await a.person(['engineer'], [team]);
    const socket = await connect('/agents', engineer.token);
    const hidden = await a.staffTicket(a.admin.auth);
    const shared = await a.staffTicket(a.admin.auth, { teamId: team });
    await request(t.http)
      .post(`/api/v1/tickets/${hidden.id}/messages`)
      .set(a.admin.auth)
      .send({ body: 'not for engineering' })
      .expect(201);
    await request(t.http)
      .post(`/api/v1/tickets/${shared.id}/messages`)
      .set(a.admin.auth)
      .send({ body: 'for engineering' })
      .expect(201);
    await socket.waitFor((e) => e.filter((x) => x.ticketId === shared.id).length === 2);
    expect(socket.events.map((x) => x.ticketId)).toEqual([shared.id, shared.id]);
    // Moving a ticket off the team tells the team once (so their views drop it), then nothing more.
    await request(t.http)
      .patch(`/api/v1/tickets/${shared.id}`)
      .set(a.admin.auth)
      .send({ version: 2, teamId: null })
      .expect(200);
    await socket.waitFor((e) => e.some((x) => x.type === 'ticket.assigned'));
  });

  it('replays exactly what a client missed, in order, without duplicates', async () => {
    const ticket = await a.staffTicket(a.admin.auth);
    const first = await connect('/agents', a.admin.token);
    await request(t.http)
      .post(`/api/v1/tickets/${ticket.id}/messages`)
      .set(a.admin.auth)
      .send({ body: 'before the blip' })
      .expect(201);
    await first.waitFor((e) => e.some((x) => x.ticketId === ticket.id));
    const client = first.client;
    client.socket.disconnect();

    const made: string[] = [];
    for (let i = 0; i < 50; i++) {
      const res = await request(t.http)
        .post(`/api/v1/tickets/${ticket.id}/messages`)
        .set(a.admin.auth)
        .send({ body: `change ${i}`, internal: i % 2 === 1 })
        .expect(201);
      made.push(res.body.id);
    }
    const before = first.events.length;
    client.socket.connect();
    await first.waitFor((e) => e.length >= before + 50);
    const missed = first.events.slice(before);
    expect(missed.map((x) => (x.data as any).message.id)).toEqual(made);
    expect(new Set(first.events.map((x) => x.id)).size).toBe(first.events.length);
    expect(client.replays).toBe(2);

    // A fresh client resuming from a stored id gets the same 50, from PostgreSQL.
    const resumed = await connect('/agents', a.admin.token, first.events[before - 1].id);
    const replayed = resumed.events.filter(
      (x) => x.ticketId === ticket.id && BigInt(x.id) > BigInt(first.events[before - 1].id),
    );
    expect(replayed.map((x) => x.id)).toEqual(missed.map((x) => x.id));
  });

  it('sends events published together as one packet, in commit order; the client delivers each once', async () => {
    const ticket = await a.staffTicket(a.admin.auth);
    const watcher = await connect('/agents', a.admin.token);
    const live = t.app.get(LivePublisher);
    // Six notes committed in one turn of the event loop, as a busy process finishes many requests at once.
    const made = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        request(t.http)
          .post(`/api/v1/tickets/${ticket.id}/messages`)
          .set(a.admin.auth)
          .send({ body: `together ${i}`, internal: true }),
      ),
    );
    await watcher.waitFor((e) => made.every((m) => e.some((x) => (x.data as any).message?.id === m.body.id)));
    const rows: Array<Record<string, any>> = await t.db.query(
      `SELECT e.*, t.team_id, t.assignee_id, t.requester_id, t.shared_with FROM ticket_events e
       JOIN tickets t ON t.id = e.ticket_id WHERE e.ticket_id = $1 AND e.type = 'message.created' ORDER BY e.id`,
      [ticket.id],
    );
    const again = rows.map((r) => eventFromRow(r));
    await Promise.all(again.map((e) => live.publish(e)));
    const batch = await watcher.waitForRaw('events', (p) => p.length === again.length);
    expect(batch.map((p: any) => p.id)).toEqual(again.map((e) => e.id));
    // Published twice (live, then again in one packet): delivered once each.
    const seen = watcher.events.filter((x) => x.ticketId === ticket.id && x.type === 'message.created');
    expect(seen.map((x) => x.id).sort()).toEqual(again.map((e) => e.id).sort());
  });

  it('replays to a customer only their public events', async () => {
    const ticket = await a.webTicket('Replay me', 'hello');
    const token = ticket.customer.Authorization.slice(7);
    const [created] = (await request(t.http).get(`/api/v1/tickets/${ticket.id}/events`).set(a.admin.auth).expect(200))
      .body.items;
    await request(t.http)
      .post(`/api/v1/tickets/${ticket.id}/messages`)
      .set(a.admin.auth)
      .send({ body: 'SECRET', internal: true })
      .expect(201);
    await request(t.http)
      .post(`/api/v1/tickets/${ticket.id}/messages`)
      .set(a.admin.auth)
      .send({ body: 'visible' })
      .expect(201);
    const customer = await connect('/widget', token, created.id);
    expect(customer.events.map((x) => (x.data as any).message?.body)).toEqual(['visible']);
  });

  it('shares presence across tabs, and typing and viewing with the other agents on a ticket', async () => {
    const agent = await a.person(['agent'], [], '张三');
    const other = await a.person(['agent'], [], '李四');
    const watcher = await connect('/agents', other.token);
    const tab1 = await connect('/agents', agent.token);
    await watcher.waitForRaw('presence', (p) => p.userId === agent.id && p.status === 'online');
    const tab2 = await connect('/agents', agent.token);
    tab1.close();
    const list = await tab2.emit<{ users: Array<{ userId: string; status: string }> }>('presence.list', undefined);
    expect(list.users.find((u) => u.userId === agent.id)?.status).toBe('online');
    await tab2.emit('presence.set', { status: 'away' });
    await watcher.waitForRaw('presence', (p) => p.userId === agent.id && p.status === 'away');
    expect(
      watcher.raw.filter(
        (r) =>
          r.name === 'presence' && (r.payload as any).userId === agent.id && (r.payload as any).status === 'offline',
      ),
    ).toEqual([]);

    const ticket = await a.webTicket();
    const viewing = await watcher.emit<any>('ticket.view', { ticketId: ticket.id });
    expect(viewing.viewers.map((v: any) => v.userId)).toEqual([other.id]);
    await tab2.emit('ticket.view', { ticketId: ticket.id });
    const both = await watcher.waitForRaw('viewing', (p) => p.viewers.length === 2);
    expect(both.viewers.map((v: any) => v.name).sort()).toEqual(['张三', '李四']);

    const customer = await connect('/widget', ticket.customer.Authorization.slice(7));
    tab2.client.socket.emit('typing', { ticketId: ticket.id, mode: 'reply', typing: true });
    const typing = await watcher.waitForRaw('typing', (p) => p.ticketId === ticket.id);
    expect(typing).toEqual({ ticketId: ticket.id, userId: agent.id, name: '张三', mode: 'reply', typing: true });
    const replying = await watcher.waitForRaw('viewing', (p) =>
      p.viewers.some((v: any) => v.userId === agent.id && v.replying),
    );
    expect(replying.ticketId).toBe(ticket.id);
    expect(await customer.waitForRaw('typing')).toEqual({
      ticketId: ticket.id,
      userId: null,
      name: '张三',
      mode: 'reply',
      typing: true,
    });

    // Notes stay among staff; the customer's typing reaches the agents.
    customer.client.socket.emit('typing', { ticketId: ticket.id, typing: true });
    expect(await watcher.waitForRaw('typing', (p) => p.mode === 'message')).toMatchObject({
      ticketId: ticket.id,
      userId: null,
      typing: true,
    });

    tab2.close();
    await watcher.waitForRaw('presence', (p) => p.userId === agent.id && p.status === 'offline');
    await watcher.waitForRaw('viewing', (p) => p.viewers.length === 1);
  });

  it('tells the staff who may see a ticket who has it open (ticket.viewers), and answers it over REST', async () => {
    const agentA = await a.person(['agent'], [], 'Viewer A');
    const agentB = await a.person(['agent'], [], 'Watcher B');
    const engineer = await a.person(['engineer']);
    const ticket = await a.webTicket();
    const theirs = await b.webTicket();
    const watcher = await connect('/agents', agentB.token);
    const outsider = await connect('/agents', b.admin.token);
    const unrelated = await connect('/agents', engineer.token);
    const customer = await connect('/widget', ticket.customer.Authorization.slice(7));
    const viewer = await connect('/agents', agentA.token);

    await viewer.emit('ticket.view', { ticketId: ticket.id });
    expect(await watcher.waitForRaw('ticket.viewers', (p) => p.ticketId === ticket.id)).toEqual({
      ticketId: ticket.id,
      userIds: [agentA.id],
    });

    const ids = `${ticket.id},${theirs.id},${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`;
    const seen = await request(t.http).get(`/api/v1/tickets/viewers?ids=${ids}`).set(agentB.auth).expect(200);
    expect(seen.body).toEqual({ [ticket.id]: [agentA.id] });
    // Another workspace learns nothing of it, not even that it exists.
    const other = await request(t.http).get(`/api/v1/tickets/viewers?ids=${ids}`).set(b.admin.auth).expect(200);
    expect(other.body).toEqual({ [theirs.id]: [] });

    await viewer.emit('ticket.leave', { ticketId: ticket.id });
    expect(
      await watcher.waitForRaw('ticket.viewers', (p) => p.ticketId === ticket.id && p.userIds.length === 0),
    ).toEqual({ ticketId: ticket.id, userIds: [] });
    const after = await request(t.http).get(`/api/v1/tickets/viewers?ids=${ticket.id}`).set(agentB.auth).expect(200);
    expect(after.body).toEqual({ [ticket.id]: [] });

    for (const bad of ['nope', `${ticket.id},nope`, '', Array.from({ length: 101 }, () => ticket.id).join(',')]) {
      const res = await request(t.http).get(`/api/v1/tickets/viewers?ids=${bad}`).set(agentB.auth).expect(400);
      expect(res.body).toMatchObject({
        code: 'VALIDATION_FAILED',
        message: expect.any(String),
        details: expect.anything(),
      });
    }
    await request(t.http).get('/api/v1/tickets/viewers').set(agentB.auth).expect(400);

    // Neither another workspace, nor staff who may not see the ticket, nor the customer ever heard of it.
    for (const c of [outsider, unrelated, customer])
      expect(c.raw.filter((r) => r.name === 'ticket.viewers')).toEqual([]);
  });

  it('opens a ticket and tells its viewers to staff it was shared with (a mention), and to no one else', async () => {
    const agent = await a.person(['agent'], [], 'Opener');
    const engineer = await a.person(['engineer'], [], 'Mentioned');
    const ticket = await a.webTicket();
    const untouched = await a.webTicket();
    const ids = `${ticket.id},${untouched.id}`;
    const expert = await connect('/agents', engineer.token);

    // Before the mention the engineer may see neither ticket: not over the socket, not over REST.
    expect(await expert.emit('ticket.view', { ticketId: ticket.id })).toEqual({
      code: 'NOT_FOUND',
      message: 'Ticket not found',
    });
    const before = await request(t.http).get(`/api/v1/tickets/viewers?ids=${ids}`).set(engineer.auth).expect(200);
    expect(before.body).toEqual({});

    await request(t.http)
      .post(`/api/v1/tickets/${ticket.id}/messages`)
      .set(a.admin.auth)
      .send({ body: 'Have a look?', internal: true, mentions: [engineer.id] })
      .expect(201);

    // The ticket is shared with them now, and it alone.
    const opener = await connect('/agents', agent.token);
    await opener.emit('ticket.view', { ticketId: ticket.id });
    expect(await expert.waitForRaw('ticket.viewers', (p) => p.ticketId === ticket.id)).toEqual({
      ticketId: ticket.id,
      userIds: [agent.id],
    });
    const seen = await request(t.http).get(`/api/v1/tickets/viewers?ids=${ids}`).set(engineer.auth).expect(200);
    expect(seen.body).toEqual({ [ticket.id]: [agent.id] });
    expect(await expert.emit('ticket.view', { ticketId: ticket.id })).toMatchObject({ ticketId: ticket.id });
    expect(await expert.emit('ticket.view', { ticketId: untouched.id })).toEqual({
      code: 'NOT_FOUND',
      message: 'Ticket not found',
    });
  });

  it("refuses to open another tenant's or another customer's ticket over the socket", async () => {
    const bTicket = await b.webTicket();
    const agentA = await connect('/agents', a.admin.token);
    expect(await agentA.emit('ticket.view', { ticketId: bTicket.id })).toEqual({
      code: 'NOT_FOUND',
      message: 'Ticket not found',
    });
    expect(await agentA.emit('ticket.view', { ticketId: 'nope' })).toMatchObject({ code: 'VALIDATION_FAILED' });
    const mine = await a.webTicket();
    const theirs = await a.webTicket();
    const customer = await connect('/widget', mine.customer.Authorization.slice(7));
    expect(await customer.emit('typing', { ticketId: theirs.id, typing: true })).toEqual({
      code: 'NOT_FOUND',
      message: 'Ticket not found',
    });
  });
});
