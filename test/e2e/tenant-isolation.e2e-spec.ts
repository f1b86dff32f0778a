import request from 'supertest';
import { createTestApp, TestApp, WorkspaceSession } from '@crewdesk/testing';

describe('tenant isolation', () => {
  let t: TestApp;
  let a: WorkspaceSession;
  let b: WorkspaceSession;
  let ticket: { id: string; number: number; customer: { Authorization: string } };

  beforeAll(async () => {
    t = await createTestApp();
    a = await WorkspaceSession.create(t);
    b = await WorkspaceSession.create(t);
    ticket = await a.webTicket('Tenant A secret subject', 'Only tenant A may read this body');
    await b.webTicket('Tenant B ticket', 'B body');
  });
  afterAll(() => t.close());

  it("hides tenant A's ticket from tenant B by id, by number, in lists and in search", async () => {
    const bAgent = await b.person(['agent']);
    for (const auth of [b.admin.auth, bAgent.auth]) {
      const byId = await request(t.http).get(`/api/v1/tickets/${ticket.id}`).set(auth).expect(404);
      expect(byId.body.code).toBe('NOT_FOUND');
      // B has a ticket number 1 of its own: the number resolves inside B only.
      const byNumber = await request(t.http).get(`/api/v1/tickets/number/${ticket.number}`).set(auth).expect(200);
      expect(byNumber.body.id).not.toBe(ticket.id);
      expect(byNumber.body.subject).toBe('Tenant B ticket');
      await request(t.http).get(`/api/v1/tickets/number/999`).set(auth).expect(404);
      const list = await request(t.http).get('/api/v1/tickets').set(auth).expect(200);
      expect(list.body.items.map((x: { id: string }) => x.id)).not.toContain(ticket.id);
      for (const q of ['secret', 'Tenant A', 'Only tenant A', String(ticket.number)]) {
        const found = await request(t.http).get('/api/v1/tickets').query({ q }).set(auth).expect(200);
        expect(found.body.items.map((x: { id: string }) => x.id)).not.toContain(ticket.id);
      }
      await request(t.http).get(`/api/v1/tickets/${ticket.id}/messages`).set(auth).expect(404);
      await request(t.http).get(`/api/v1/tickets/${ticket.id}/events`).set(auth).expect(404);
    }
  });

  it("refuses tenant B's replies, notes and updates to tenant A's ticket, and writes nothing", async () => {
    const before = await t.db.query(`SELECT version FROM tickets WHERE id = $1`, [ticket.id]);
    await request(t.http)
      .post(`/api/v1/tickets/${ticket.id}/messages`)
      .set(b.admin.auth)
      .send({ body: 'hi' })
      .expect(404);
    await request(t.http)
      .post(`/api/v1/tickets/${ticket.id}/messages`)
      .set(b.admin.auth)
      .send({ body: 'hi', internal: true })
      .expect(404);
    await request(t.http)
      .patch(`/api/v1/tickets/${ticket.id}`)
      .set(b.admin.auth)
      .send({ version: 1, status: 'solved' })
      .expect(404);
    const after = await t.db.query(`SELECT version, status FROM tickets WHERE id = $1`, [ticket.id]);
    expect(after[0]).toEqual({ version: before[0].version, status: 'new' });
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM messages WHERE ticket_id = $1`, [ticket.id]);
    expect(n).toBe(1);
  });

  it("refuses tenant B's API key and B's references in A's requests", async () => {
    const key = await request(t.http)
      .post('/api/v1/api-keys')
      .set(b.admin.auth)
      .send({ name: 'zap', permissions: ['ticket.create', 'ticket.view_all', 'ticket.update'] })
      .expect(201);
    expect(key.body.permissions).toEqual(['ticket.create', 'ticket.view_all', 'ticket.update']);
    const bKey = { Authorization: `Bearer ${key.body.key}` };
    await request(t.http).get(`/api/v1/tickets/${ticket.id}`).set(bKey).expect(404);
    const patched = await request(t.http)
      .patch(`/api/v1/tickets/${ticket.id}`)
      .set(bKey)
      .send({ version: 1, priority: 'urgent' })
      .expect(404);
    expect(patched.body.code).toBe('NOT_FOUND');
    // A team or person of tenant B cannot be set on tenant A's ticket.
    const bTeam = await b.team('B team');
    const fields = await request(t.http).get(`/api/v1/tickets/${ticket.id}`).set(a.admin.auth).expect(200);
    const res = await request(t.http)
      .patch(`/api/v1/tickets/${ticket.id}`)
      .set(a.admin.auth)
      .send({ version: fields.body.version, teamId: bTeam })
      .expect(404);
    expect(res.body.code).toBe('NOT_FOUND');
    await request(t.http)
      .patch(`/api/v1/tickets/${ticket.id}`)
      .set(a.admin.auth)
      .send({ version: fields.body.version, assigneeId: b.admin.id })
      .expect(404);
    await request(t.http).get(`/api/v1/users/${a.admin.id}`).set(b.admin.auth).expect(404);
    await request(t.http).get(`/api/v1/teams/${bTeam}`).set(a.admin.auth).expect(404);
  });

  it("attaches only the writer's own unused uploads: never another workspace's or another person's, writing nothing", async () => {
    const upload = (auth: { Authorization: string }, name: string) =>
      request(t.http)
        .post('/api/v1/attachments')
        .set(auth)
        .attach('file', Buffer.from(`contents of ${name}`), name)
        .expect(201)
        .then((r) => r.body.id as string);
    const mine = await upload(a.admin.auth, 'mine.txt');
    const theirs = await upload(b.admin.auth, 'theirs.txt');
    const colleague = await a.person(['agent']);
    const hers = await upload(colleague.auth, 'hers.txt');
    const count = async () =>
      (await t.db.query(`SELECT count(*)::int AS n FROM messages WHERE ticket_id = $1`, [ticket.id]))[0].n;
    const before = await count();
    for (const [ids, invalid] of [
      [[mine, theirs], [theirs]],
      [[hers, mine], [hers]],
      [[mine, '00000000-0000-4000-8000-000000000000'], ['00000000-0000-4000-8000-000000000000']],
    ]) {
      const res = await request(t.http)
        .post(`/api/v1/tickets/${ticket.id}/messages`)
        .set(a.admin.auth)
        .send({ body: 'files', attachmentIds: ids })
        .expect(400);
      expect(res.body).toMatchObject({ code: 'ATTACHMENT_INVALID', details: { field: 'attachmentIds', invalid } });
    }
    // Nothing was written, and the writer's own file is still free: it attaches now, once.
    expect(await count()).toBe(before);
    expect(
      await t.db.query(`SELECT id FROM attachments WHERE id = ANY($1) AND message_id IS NOT NULL`, [
        [mine, theirs, hers],
      ]),
    ).toEqual([]);
    await request(t.http)
      .post(`/api/v1/tickets/${ticket.id}/messages`)
      .set(a.admin.auth)
      .send({ body: 'files', attachmentIds: [mine.toUpperCase(), mine] })
      .expect(201);
    const again = await request(t.http)
      .post(`/api/v1/tickets/${ticket.id}/messages`)
      .set(a.admin.auth)
      .send({ body: 'again', attachmentIds: [mine] })
      .expect(400);
    expect(again.body.details.invalid).toEqual([mine]);
    expect(await count()).toBe(before + 1);
  });

  it('lets a customer see only their own ticket', async () => {
    const other = await a.webTicket('Another customer', 'Not yours');
    await request(t.http).get(`/api/v1/portal/tickets/${other.id}`).set(ticket.customer).expect(404);
    await request(t.http)
      .post(`/api/v1/portal/tickets/${other.id}/messages`)
      .set(ticket.customer)
      .send({ body: 'x' })
      .expect(404);
    const mine = await request(t.http).get('/api/v1/portal/tickets').set(ticket.customer).expect(200);
    expect(mine.body.items.map((x: { id: string }) => x.id)).toEqual([ticket.id]);
    // A portal token is no staff token, and staff tokens are no portal tokens.
    await request(t.http).get('/api/v1/tickets').set(ticket.customer).expect(401);
    await request(t.http).get(`/api/v1/portal/tickets/${ticket.id}`).set(a.admin.auth).expect(401);
  });

  it('keeps engineers to the tickets of their teams', async () => {
    const team = await a.team(`Eng ${Date.now()}`);
    const engineer = await a.person(['engineer'], [team]);
    await request(t.http).get(`/api/v1/tickets/${ticket.id}`).set(engineer.auth).expect(404);
    const list = await request(t.http).get('/api/v1/tickets').set(engineer.auth).expect(200);
    expect(list.body.items).toEqual([]);
    const shared = await a.staffTicket(a.admin.auth, { teamId: team });
    const visible = await request(t.http).get('/api/v1/tickets').set(engineer.auth).expect(200);
    expect(visible.body.items.map((x: { id: string }) => x.id)).toEqual([shared.id]);
  });
});
