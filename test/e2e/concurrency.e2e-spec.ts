import request from 'supertest';
import { createTestApp, TestApp, WorkspaceSession } from '@crewdesk/testing';

describe('optimistic locking and idempotent creates', () => {
  let t: TestApp;
  let ws: WorkspaceSession;

  beforeAll(async () => {
    t = await createTestApp();
    ws = await WorkspaceSession.create(t);
  });
  afterAll(() => t.close());

  it('lets exactly one of many updates with the same version win; the rest get 409 and nothing is lost', async () => {
    const ticket = await ws.staffTicket(ws.admin.auth);
    const priorities = ['low', 'high', 'urgent', 'low', 'high', 'urgent', 'low', 'high'];
    const results = await Promise.all(
      priorities.map((priority) =>
        request(t.http).patch(`/api/v1/tickets/${ticket.id}`).set(ws.admin.auth).send({ version: 1, priority }),
      ),
    );
    const ok = results.filter((r) => r.status === 200);
    const conflicts = results.filter((r) => r.status === 409);
    expect(ok).toHaveLength(1);
    expect(conflicts).toHaveLength(priorities.length - 1);
    for (const c of conflicts)
      expect(c.body).toMatchObject({ code: 'VERSION_CONFLICT', details: { currentVersion: 2 } });
    const [row] = await t.db.query(`SELECT priority, version FROM tickets WHERE id = $1`, [ticket.id]);
    expect(row).toEqual({ priority: ok[0].body.priority, version: 2 });
    const [{ n }] = await t.db.query(
      `SELECT count(*)::int AS n FROM ticket_events WHERE ticket_id = $1 AND type = 'ticket.updated'`,
      [ticket.id],
    );
    expect(n).toBe(1);
  });

  it('refuses a stale version after someone else changed another field', async () => {
    const ticket = await ws.staffTicket(ws.admin.auth);
    await request(t.http)
      .patch(`/api/v1/tickets/${ticket.id}`)
      .set(ws.admin.auth)
      .send({ version: 1, tags: ['vip'] })
      .expect(200);
    const stale = await request(t.http)
      .patch(`/api/v1/tickets/${ticket.id}`)
      .set(ws.admin.auth)
      .send({ version: 1, priority: 'urgent' })
      .expect(409);
    expect(stale.body.details.ticket).toMatchObject({ tags: ['vip'], priority: 'normal', version: 2 });
    // A reply moves the version too, so an edit based on what was seen before the reply is refused.
    await request(t.http)
      .post(`/api/v1/tickets/${ticket.id}/messages`)
      .set(ws.admin.auth)
      .send({ body: 'On it' })
      .expect(201);
    await request(t.http)
      .patch(`/api/v1/tickets/${ticket.id}`)
      .set(ws.admin.auth)
      .send({ version: 2, status: 'solved' })
      .expect(409);
    const done = await request(t.http)
      .patch(`/api/v1/tickets/${ticket.id}`)
      .set(ws.admin.auth)
      .send({ version: 3, status: 'solved', priority: 'urgent' })
      .expect(200);
    expect(done.body).toMatchObject({
      tags: ['vip'],
      status: 'solved',
      priority: 'urgent',
      version: 4,
      solvedAt: expect.any(String),
    });
  });

  it('answers a retried create with the same Idempotency-Key with the same ticket, even when retries race', async () => {
    const body = {
      subject: 'Card declined',
      body: 'My card was declined twice.',
      requester: { email: 'idem@example.com' },
    };
    const key = `idem-${Date.now()}`;
    const first = await request(t.http)
      .post('/api/v1/tickets')
      .set(ws.admin.auth)
      .set('Idempotency-Key', key)
      .send(body)
      .expect(201);
    const again = await request(t.http)
      .post('/api/v1/tickets')
      .set(ws.admin.auth)
      .set('Idempotency-Key', key)
      .send(body)
      .expect(201);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers['idempotent-replayed']).toBe('true');

    const raceKey = `race-${Date.now()}`;
    const raced = await Promise.all(
      Array.from({ length: 8 }, () =>
        request(t.http).post('/api/v1/tickets').set(ws.admin.auth).set('Idempotency-Key', raceKey).send(body),
      ),
    );
    expect(raced.map((r) => r.status)).toEqual(Array(8).fill(201));
    expect(new Set(raced.map((r) => r.body.id)).size).toBe(1);
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM tickets WHERE subject = 'Card declined'`);
    expect(n).toBe(2);

    const reused = await request(t.http)
      .post('/api/v1/tickets')
      .set(ws.admin.auth)
      .set('Idempotency-Key', key)
      .send({ ...body, subject: 'Other' })
      .expect(422);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('numbers tickets per workspace without duplicates under concurrency', async () => {
    const other = await WorkspaceSession.create(t);
    const made = await Promise.all(Array.from({ length: 20 }, () => other.staffTicket(other.admin.auth)));
    const numbers = made.map((x) => x.number).sort((x, y) => x - y);
    expect(numbers).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  // The ticket create runs as a named prepared statement (queryPrepared): it must survive a migration that changes
  // a table under the prepared plan, and keep mapping errors to clear 4xx answers.
  describe('prepared statements', () => {
    let own: WorkspaceSession;
    beforeAll(async () => {
      own = await WorkspaceSession.create(t);
    });

    const create = (i: number) =>
      request(t.http)
        .post('/api/v1/tickets')
        .set(own.admin.auth)
        .send({ subject: `Prepared ${i}`, body: 'x', requester: { email: `prep-${i}@example.com` } });

    it('creates tickets again after a column is added under the prepared plan, on every pooled connection', async () => {
      // Enough concurrent creates that every pooled connection has prepared the statement.
      for (const res of await Promise.all(Array.from({ length: 40 }, (_, i) => create(i))))
        expect(res.status).toBe(201);
      await t.db.query(`ALTER TABLE tickets ADD COLUMN prepared_probe int`);
      try {
        const after = await Promise.all(Array.from({ length: 40 }, (_, i) => create(100 + i)));
        expect(after.map((r) => r.status)).toEqual(after.map(() => 201));
        expect(new Set(after.map((r) => r.body.number)).size).toBe(40);
      } finally {
        await t.db.query(`ALTER TABLE tickets DROP COLUMN prepared_probe`);
      }
      const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM tickets WHERE tenant_id = $1`, [
        own.workspace.id,
      ]);
      expect(n).toBe(80);
    });

    it('still answers bad references with a 4xx and writes nothing', async () => {
      const res = await request(t.http)
        .post('/api/v1/tickets')
        .set(own.admin.auth)
        .send({
          subject: 'Nobody home',
          body: 'x',
          requester: { email: 'ghost@example.com' },
          assigneeId: '00000000-0000-4000-8000-000000000000',
        });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.body.code).toEqual(expect.any(String));
      const rows = await t.db.query(`SELECT 1 FROM tickets WHERE tenant_id = $1 AND subject = 'Nobody home'`, [
        own.workspace.id,
      ]);
      expect(rows).toHaveLength(0);
    });
  });
});
