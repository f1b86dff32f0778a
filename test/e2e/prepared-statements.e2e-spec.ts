import request from 'supertest';
import { createTestApp, TestApp, WorkspaceSession } from '@crewdesk/testing';

// The ticket create runs as a named prepared statement (queryPrepared): it must survive a migration that changes a
// table under the prepared plan, and keep mapping errors to clear 4xx answers.
describe('prepared statements', () => {
  let t: TestApp;
  let ws: WorkspaceSession;

  beforeAll(async () => {
    t = await createTestApp();
    ws = await WorkspaceSession.create(t);
  });
  afterAll(() => t.close());

  const create = (i: number) =>
    request(t.http)
      .post('/api/v1/tickets')
      .set(ws.admin.auth)
      .send({ subject: `Prepared ${i}`, body: 'x', requester: { email: `prep-${i}@example.com` } });

  it('creates tickets again after a column is added under the prepared plan, on every pooled connection', async () => {
    // Enough concurrent creates that every pooled connection has prepared the statement.
    for (const res of await Promise.all(Array.from({ length: 40 }, (_, i) => create(i)))) expect(res.status).toBe(201);
    await t.db.query(`ALTER TABLE tickets ADD COLUMN prepared_probe int`);
    try {
      const after = await Promise.all(Array.from({ length: 40 }, (_, i) => create(100 + i)));
      expect(after.map((r) => r.status)).toEqual(after.map(() => 201));
      expect(new Set(after.map((r) => r.body.number)).size).toBe(40);
    } finally {
      await t.db.query(`ALTER TABLE tickets DROP COLUMN prepared_probe`);
    }
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM tickets WHERE tenant_id = $1`, [ws.workspace.id]);
    expect(n).toBe(80);
  });

  it('still answers bad references with a 4xx and writes nothing', async () => {
    const res = await request(t.http)
      .post('/api/v1/tickets')
      .set(ws.admin.auth)
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
      ws.workspace.id,
    ]);
    expect(rows).toHaveLength(0);
  });
});
