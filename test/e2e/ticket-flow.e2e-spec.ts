import request from 'supertest';
import { createTestApp, TestApp, WorkspaceSession } from '@crewdesk/testing';

describe('a ticket from web form to answer (customer, agent, engineer)', () => {
  let t: TestApp;
  let ws: WorkspaceSession;

  beforeAll(async () => {
    t = await createTestApp();
    ws = await WorkspaceSession.create(t);
  });
  afterAll(() => t.close());

  it('goes round the loop, and internal notes never reach the customer', async () => {
    const engineering = await ws.team('Engineering');
    const agent = await ws.person(['agent'], [], '小王');
    const engineer = await ws.person(['engineer'], [engineering], '老陈');

    // The customer writes in through the public web form.
    const created = await request(t.http)
      .post(`/api/v1/public/${ws.workspace.slug}/tickets`)
      .send({
        subject: '打印机连不上 WiFi',
        body: '新买的打印机一直连不上公司的 WiFi。',
        email: 'Li.Xiao@Example.cn',
        name: '小李',
      })
      .expect(201);
    expect(created.body.ticket).toEqual({
      id: expect.any(String),
      number: 1,
      subject: '打印机连不上 WiFi',
      status: 'new',
      channel: 'web',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const ticketId = created.body.ticket.id;
    const customer = { Authorization: `Bearer ${created.body.accessToken}` };

    // The agent finds it in the list, by Chinese search too, and opens it.
    const list = await request(t.http).get('/api/v1/tickets').query({ status: 'new' }).set(agent.auth).expect(200);
    expect(list.body.items.map((x: { id: string }) => x.id)).toContain(ticketId);
    const search = await request(t.http).get('/api/v1/tickets').query({ q: '打印机' }).set(agent.auth).expect(200);
    expect(search.body.items.map((x: { id: string }) => x.id)).toEqual([ticketId]);
    const bodySearch = await request(t.http).get('/api/v1/tickets').query({ q: '公司的' }).set(agent.auth).expect(200);
    expect(bodySearch.body.items.map((x: { id: string }) => x.id)).toEqual([ticketId]);
    const opened = await request(t.http).get(`/api/v1/tickets/${ticketId}`).set(agent.auth).expect(200);
    expect(opened.body.requester).toMatchObject({ email: 'li.xiao@example.cn', name: '小李' });
    expect(opened.body.messages).toHaveLength(1);
    expect(opened.body.messages[0]).toMatchObject({ kind: 'public', author: { type: 'customer', name: '小李' } });
    const byNumber = await request(t.http)
      .get(`/api/v1/tickets/number/${opened.body.number}`)
      .set(agent.auth)
      .expect(200);
    expect(byNumber.body.id).toBe(ticketId);

    // The engineer cannot see it until it is on their team.
    await request(t.http).get(`/api/v1/tickets/${ticketId}`).set(engineer.auth).expect(404);

    // The agent replies (the ticket opens) and hands it to engineering.
    const reply = await request(t.http)
      .post(`/api/v1/tickets/${ticketId}/messages`)
      .set(agent.auth)
      .send({ body: '请问打印机型号是什么？' })
      .expect(201);
    expect(reply.body).toMatchObject({
      kind: 'public',
      internal: false,
      author: { type: 'user', id: agent.id, name: '小王' },
    });
    expect(reply.body.ticket).toMatchObject({ status: 'open', version: 2 });
    await request(t.http)
      .patch(`/api/v1/tickets/${ticketId}`)
      .set(agent.auth)
      .send({ version: 2, teamId: engineering })
      .expect(200);

    // The engineer adds an internal note.
    const note = await request(t.http)
      .post(`/api/v1/tickets/${ticketId}/messages`)
      .set(engineer.auth)
      .send({ body: 'SECRET: firmware 2.1 has a WPA3 bug', internal: true, mentions: [agent.id] })
      .expect(201);
    expect(note.body).toMatchObject({ kind: 'internal', internal: true, mentions: [agent.id] });

    // The customer reads the reply with the access token, never the note, and answers.
    const seen = await request(t.http).get(`/api/v1/portal/tickets/${ticketId}`).set(customer).expect(200);
    expect(seen.body.messages.map((m: { body: string }) => m.body)).toEqual([
      '新买的打印机一直连不上公司的 WiFi。',
      '请问打印机型号是什么？',
    ]);
    expect(JSON.stringify(seen.body)).not.toContain('SECRET');
    expect(seen.body).not.toHaveProperty('assigneeId');
    const pages = await request(t.http).get(`/api/v1/portal/tickets/${ticketId}/messages`).set(customer).expect(200);
    expect(JSON.stringify(pages.body)).not.toContain('SECRET');
    const mine = await request(t.http).get('/api/v1/portal/tickets').set(customer).expect(200);
    expect(JSON.stringify(mine.body)).not.toContain('SECRET');

    const answer = await request(t.http)
      .post(`/api/v1/portal/tickets/${ticketId}/messages`)
      .set(customer)
      .send({ body: 'HP LaserJet M110w' })
      .expect(201);
    expect(JSON.stringify(answer.body)).not.toContain('SECRET');
    expect(answer.body.author).toEqual({ type: 'customer', name: '小李' });

    // Customers cannot write notes, and a customer token cannot use staff routes.
    await request(t.http)
      .post(`/api/v1/portal/tickets/${ticketId}/messages`)
      .set(customer)
      .send({ body: 'x', internal: true })
      .expect(400);
    await request(t.http).get(`/api/v1/tickets/${ticketId}`).set(customer).expect(401);

    // Staff see the whole conversation in order.
    const full = await request(t.http).get(`/api/v1/tickets/${ticketId}`).set(engineer.auth).expect(200);
    expect(full.body.messages.map((m: { kind: string }) => m.kind)).toEqual(['public', 'public', 'internal', 'public']);
    expect(full.body.status).toBe('open');

    // The event history: one event per change, in order; customers never get events of notes.
    const events = await request(t.http).get(`/api/v1/tickets/${ticketId}/events`).set(agent.auth).expect(200);
    expect(events.body.items.map((e: { type: string }) => e.type)).toEqual([
      'ticket.created',
      'message.created',
      'ticket.assigned',
      'message.created',
      'message.created',
    ]);
    const after = await request(t.http)
      .get(`/api/v1/tickets/${ticketId}/events`)
      .query({ after: events.body.items[2].id })
      .set(agent.auth)
      .expect(200);
    expect(after.body.items).toHaveLength(2);
  });

  it('serves health and the OpenAPI document', async () => {
    const health = await request(t.http).get('/health').expect(200);
    expect(health.body.info).toEqual({ postgres: { status: 'up' }, redis: { status: 'up' } });
    const doc = await request(t.http).get('/api/docs/openapi.json').expect(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/tickets', '/api/v1/tickets/{id}', '/api/v1/public/{workspace}/tickets']),
    );
  });

  it('pages a conversation newest first for threads that show their end first', async () => {
    const created = await ws.staffTicket(ws.admin.auth);
    for (const body of ['second', 'third', 'fourth'])
      await request(t.http)
        .post(`/api/v1/tickets/${created.id}/messages`)
        .set(ws.admin.auth)
        .send({ body })
        .expect(201);
    const newest = await request(t.http)
      .get(`/api/v1/tickets/${created.id}/messages?order=desc&limit=2`)
      .set(ws.admin.auth)
      .expect(200);
    expect(newest.body.items.map((m: any) => m.body)).toEqual(['fourth', 'third']);
    const older = await request(t.http)
      .get(
        `/api/v1/tickets/${created.id}/messages?order=desc&limit=2&cursor=${encodeURIComponent(newest.body.nextCursor)}`,
      )
      .set(ws.admin.auth)
      .expect(200);
    expect(older.body.items.map((m: any) => m.body)).toEqual(['second', 'Please fix the invoice.']);
    expect(older.body.nextCursor).toBeNull();
    await request(t.http).get(`/api/v1/tickets/${created.id}/messages?order=sideways`).set(ws.admin.auth).expect(400);
  });
});
