import request from 'supertest';
import { createTestApp, TestApp, WorkspaceSession } from '@crewdesk/testing';

/** What the console's inbox needs beyond tickets: view counts, SLA badges, preferences, canned replies. */
describe('inbox API for the console', () => {
  let t: TestApp;
  let ws: WorkspaceSession;
  let other: WorkspaceSession;

  beforeAll(async () => {
    t = await createTestApp();
    ws = await WorkspaceSession.create(t);
    other = await WorkspaceSession.create(t);
  });
  afterAll(() => t.close());

  it('counts open tickets per view, for what the person may see, in their workspace only', async () => {
    const team = await ws.team('Engineering');
    const agent = await ws.person(['agent']);
    const engineer = await ws.person(['engineer'], [team]);
    await ws.staffTicket(agent.auth, { assigneeId: agent.id });
    await ws.staffTicket(agent.auth);
    await ws.staffTicket(agent.auth, { teamId: team });
    const solved = await ws.staffTicket(agent.auth, { assigneeId: agent.id });
    await request(t.http)
      .patch(`/api/v1/tickets/${solved.id}`)
      .set(agent.auth)
      .send({ version: solved.version, status: 'solved' })
      .expect(200);
    await other.staffTicket(other.admin.auth);

    const mine = await request(t.http).get('/api/v1/inbox/counts').set(agent.auth).expect(200);
    expect(mine.body).toEqual({ mine: 1, unassigned: 2, team: 0, slaAtRisk: 0, all: 3 });
    const eng = await request(t.http).get('/api/v1/inbox/counts').set(engineer.auth).expect(200);
    expect(eng.body).toEqual({ mine: 0, unassigned: 1, team: 1, slaAtRisk: 0, all: 1 });
    const theirs = await request(t.http).get('/api/v1/inbox/counts').set(other.admin.auth).expect(200);
    expect(theirs.body.all).toBe(1);
  });

  it('answers SLA summaries only for visible tickets of the workspace', async () => {
    const mineTicket = await ws.staffTicket(ws.admin.auth);
    const foreign = await other.staffTicket(other.admin.auth);
    const res = await request(t.http)
      .get(`/api/v1/inbox/sla?ticketIds=${mineTicket.id},${foreign.id}`)
      .set(ws.admin.auth)
      .expect(200);
    expect(res.body.items.every((s: { ticketId: string }) => s.ticketId === mineTicket.id)).toBe(true);
    await request(t.http).get('/api/v1/inbox/sla?ticketIds=nope').set(ws.admin.auth).expect(400);
    const risk = await request(t.http).get('/api/v1/inbox/sla-at-risk?limit=10').set(ws.admin.auth).expect(200);
    expect(risk.body).toEqual({ items: expect.any(Array), nextCursor: null });
    await request(t.http).get('/api/v1/inbox/counts').expect(401);
  });

  it('keeps a person’s language', async () => {
    const agent = await ws.person(['agent']);
    const res = await request(t.http)
      .patch('/api/v1/me/preferences')
      .set(agent.auth)
      .send({ locale: 'zh-CN' })
      .expect(200);
    expect(res.body).toEqual({ locale: 'zh-CN' });
    expect((await request(t.http).get('/api/v1/me').set(agent.auth).expect(200)).body.locale).toBe('zh-CN');
    await request(t.http).patch('/api/v1/me/preferences').set(agent.auth).send({ locale: 'fr' }).expect(400);
  });

  it('keeps canned replies per workspace: admins write, agents read, others never see them', async () => {
    const agent = await ws.person(['agent']);
    const created = await request(t.http)
      .post('/api/v1/canned-replies')
      .set(ws.admin.auth)
      .send({ shortcut: 'refund', title: 'Refund', body: '退款将在 3 个工作日内到账。' })
      .expect(201);
    expect(created.body).toMatchObject({
      id: expect.any(String),
      shortcut: 'refund',
      body: '退款将在 3 个工作日内到账。',
    });
    await request(t.http)
      .post('/api/v1/canned-replies')
      .set(ws.admin.auth)
      .send({ shortcut: 'refund', title: 'Again', body: 'x' })
      .expect(409);
    await request(t.http)
      .post('/api/v1/canned-replies')
      .set(agent.auth)
      .send({ shortcut: 'x', title: 'x', body: 'x' })
      .expect(403);
    await request(t.http)
      .post('/api/v1/canned-replies')
      .set(ws.admin.auth)
      .send({ shortcut: 'has space', title: 'x', body: 'x' })
      .expect(400);
    const list = await request(t.http).get('/api/v1/canned-replies').set(agent.auth).expect(200);
    expect(list.body.items.map((c: { shortcut: string }) => c.shortcut)).toEqual(['refund']);

    // Another workspace: invisible, and its ids are 404s here.
    expect((await request(t.http).get('/api/v1/canned-replies').set(other.admin.auth).expect(200)).body.items).toEqual(
      [],
    );
    await request(t.http)
      .patch(`/api/v1/canned-replies/${created.body.id}`)
      .set(other.admin.auth)
      .send({ shortcut: 'refund', title: 'Stolen', body: 'x' })
      .expect(404);
    await request(t.http).delete(`/api/v1/canned-replies/${created.body.id}`).set(other.admin.auth).expect(404);

    await request(t.http)
      .patch(`/api/v1/canned-replies/${created.body.id}`)
      .set(ws.admin.auth)
      .send({ shortcut: 'refund', title: 'Refund policy', body: 'Refunds take 3 days.' })
      .expect(200);
    await request(t.http).delete(`/api/v1/canned-replies/${created.body.id}`).set(ws.admin.auth).expect(204);
    expect((await request(t.http).get('/api/v1/canned-replies').set(agent.auth).expect(200)).body.items).toEqual([]);
  });
  it('stores macros: canned replies with ticket changes, checked against the workspace', async () => {
    const team = await ws.team('Billing');
    const agent = await ws.person(['agent']);
    const foreignTeam = await other.team('Theirs');
    const foreignPerson = await other.person(['agent']);
    const created = await request(t.http)
      .post('/api/v1/canned-replies')
      .set(ws.admin.auth)
      .send({
        shortcut: 'refund-done',
        title: 'Refund done',
        body: 'Your refund is on its way.',
        actions: { status: 'solved', priority: 'high', addTags: [' Refund ', 'refund', 'VIP'], teamId: team },
      })
      .expect(201);
    expect(created.body.actions).toEqual({
      status: 'solved',
      priority: 'high',
      addTags: ['refund', 'vip'],
      teamId: team,
    });
    const plain = await request(t.http)
      .post('/api/v1/canned-replies')
      .set(ws.admin.auth)
      .send({ shortcut: 'plain', title: 'Plain', body: 'Hi' })
      .expect(201);
    expect(plain.body.actions).toEqual({});

    const listed = await request(t.http).get('/api/v1/canned-replies').set(agent.auth).expect(200);
    expect(listed.body.items.find((c: { id: string }) => c.id === created.body.id).actions).toEqual(
      created.body.actions,
    );

    const updated = await request(t.http)
      .patch(`/api/v1/canned-replies/${created.body.id}`)
      .set(ws.admin.auth)
      .send({
        shortcut: 'refund-done',
        title: 'Refund done',
        body: 'Refunded.',
        actions: { status: 'pending', assigneeId: null },
      })
      .expect(200);
    expect(updated.body.actions).toEqual({ status: 'pending', assigneeId: null });
    // Omitting actions on update keeps them.
    const kept = await request(t.http)
      .patch(`/api/v1/canned-replies/${created.body.id}`)
      .set(ws.admin.auth)
      .send({ shortcut: 'refund-done', title: 'Refund done', body: 'Refunded!' })
      .expect(200);
    expect(kept.body.actions).toEqual({ status: 'pending', assigneeId: null });
    await request(t.http)
      .patch(`/api/v1/canned-replies/${created.body.id}`)
      .set(ws.admin.auth)
      .send({ shortcut: 'refund-done', title: 'Refund done', body: 'Refunded!', actions: { assigneeId: agent.id } })
      .expect(200);

    // Invalid actions: 400 with the error body, and nothing stored.
    const bad: Array<Record<string, unknown>> = [
      { status: 'archived' },
      { status: null },
      { priority: 'asap' },
      { teamId: foreignTeam },
      { teamId: '00000000-0000-4000-8000-000000000000' },
      { assigneeId: foreignPerson.id },
      { assigneeId: 'nobody' },
      { addTags: 'refund' },
      { macro: true },
    ];
    for (const actions of bad) {
      const res = await request(t.http)
        .post('/api/v1/canned-replies')
        .set(ws.admin.auth)
        .send({ shortcut: 'bad', title: 'Bad', body: 'x', actions })
        .expect(400);
      expect(res.body).toEqual({ code: 'VALIDATION_FAILED', message: expect.any(String), details: expect.anything() });
      await request(t.http)
        .patch(`/api/v1/canned-replies/${created.body.id}`)
        .set(ws.admin.auth)
        .send({ shortcut: 'changed', title: 'Changed', body: 'x', actions })
        .expect(400);
    }
    await request(t.http)
      .post('/api/v1/canned-replies')
      .set(ws.admin.auth)
      .send({ shortcut: 'bad', title: 'Bad', body: 'x', actions: {}, extra: 1 })
      .expect(400);
    const after = await request(t.http).get('/api/v1/canned-replies').set(ws.admin.auth).expect(200);
    expect(after.body.items.map((c: { shortcut: string }) => c.shortcut)).toEqual(['plain', 'refund-done']);
    expect(after.body.items[1]).toMatchObject({ title: 'Refund done', actions: { assigneeId: agent.id } });

    // Another workspace neither sees nor edits it.
    expect(
      (await request(t.http).get('/api/v1/canned-replies').set(other.admin.auth).expect(200)).body.items.map(
        (c: { id: string }) => c.id,
      ),
    ).not.toContain(created.body.id);
    await request(t.http)
      .patch(`/api/v1/canned-replies/${created.body.id}`)
      .set(other.admin.auth)
      .send({ shortcut: 'refund-done', title: 'Stolen', body: 'x', actions: { status: 'closed' } })
      .expect(404);
    await request(t.http).delete(`/api/v1/canned-replies/${created.body.id}`).set(other.admin.auth).expect(404);
    const still = await request(t.http).get('/api/v1/canned-replies').set(ws.admin.auth).expect(200);
    expect(still.body.items[1]).toMatchObject({ title: 'Refund done', actions: { assigneeId: agent.id } });
  });
});
