import request from 'supertest';
import { createTestApp, TestApp, WorkspaceSession } from '@crewdesk/testing';

describe('the one write path and its event log', () => {
  let t: TestApp;
  let ws: WorkspaceSession;

  beforeAll(async () => {
    t = await createTestApp();
    ws = await WorkspaceSession.create(t);
  });
  afterAll(async () => {
    await t.db.query(`DROP TRIGGER IF EXISTS fail_after_event ON audit_log`);
    await t.db.query(`DROP FUNCTION IF EXISTS fail_after_event()`);
    await t.close();
  });

  const events = async (ticketId: string) =>
    t.db.query(`SELECT id, type, visibility, data FROM ticket_events WHERE ticket_id = $1 ORDER BY id`, [ticketId]);
  const audits = async (ticketId: string) =>
    t.db.query(`SELECT action, data FROM audit_log WHERE entity_id = $1 ORDER BY id`, [ticketId]);

  it('appends exactly one event and one audit row per change, carrying the new state', async () => {
    const ticket = await ws.staffTicket(ws.admin.auth, { tags: ['a'] });
    expect(await events(ticket.id)).toHaveLength(1);
    await request(t.http)
      .post(`/api/v1/tickets/${ticket.id}/messages`)
      .set(ws.admin.auth)
      .send({ body: 'reply' })
      .expect(201);
    expect(await events(ticket.id)).toHaveLength(2);
    await request(t.http)
      .post(`/api/v1/tickets/${ticket.id}/messages`)
      .set(ws.admin.auth)
      .send({ body: 'note', internal: true })
      .expect(201);
    expect(await events(ticket.id)).toHaveLength(3);
    await request(t.http)
      .patch(`/api/v1/tickets/${ticket.id}`)
      .set(ws.admin.auth)
      .send({ version: 3, priority: 'high' })
      .expect(200);
    // A PATCH that changes nothing is no change: no event, no new version.
    const same = await request(t.http)
      .patch(`/api/v1/tickets/${ticket.id}`)
      .set(ws.admin.auth)
      .send({ version: 4, priority: 'high', tags: ['a'] })
      .expect(200);
    expect(same.body.version).toBe(4);

    const log = await events(ticket.id);
    expect(log.map((e: { type: string }) => e.type)).toEqual([
      'ticket.created',
      'message.created',
      'message.created',
      'ticket.updated',
    ]);
    expect(log.map((e: { visibility: string }) => e.visibility)).toEqual(['public', 'public', 'internal', 'public']);
    expect(log[0].data).toMatchObject({ id: ticket.id, number: ticket.number, status: 'new', version: 1 });
    expect(log[1].data).toMatchObject({
      message: { body: 'reply', internal: false },
      ticket: { status: 'open', version: 2 },
    });
    expect(log[3].data).toMatchObject({ changes: { priority: { from: 'normal', to: 'high' } }, version: 4 });
    const audit = await audits(ticket.id);
    expect(audit.map((a: { action: string }) => a.action)).toEqual([
      'ticket.created',
      'message.created',
      'message.created',
      'ticket.updated',
    ]);
    expect(audit.map((a: { data: { eventId: number } }) => String(a.data.eventId))).toEqual(
      log.map((e: { id: string }) => String(e.id)),
    );
  });

  it('rolls back the ticket, message and event together when a later step of the same change fails', async () => {
    // Fault injection: the audit insert, which runs after the event insert in the same transaction, fails.
    await t.db.query(`CREATE OR REPLACE FUNCTION fail_after_event() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF current_setting('crewdesk.fail_audit', true) = 'on' OR NEW.action = 'ticket.updated' AND NEW.tenant_id::text = '${ws.workspace.id}'
        THEN RAISE EXCEPTION 'injected failure after the event insert'; END IF; RETURN NEW; END $$`);
    await t.db.query(
      `CREATE TRIGGER fail_after_event BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION fail_after_event()`,
    );
    const ticket = await ws.staffTicket(ws.admin.auth);
    const before = await t.db.query(
      `SELECT (SELECT count(*) FROM ticket_events)::int AS e, (SELECT max(id) FROM ticket_events) AS last`,
    );

    const res = await request(t.http)
      .patch(`/api/v1/tickets/${ticket.id}`)
      .set(ws.admin.auth)
      .send({ version: 1, priority: 'urgent' });
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ code: 'INTERNAL', errorId: expect.any(String) });
    expect(JSON.stringify(res.body)).not.toContain('injected');
    const [row] = await t.db.query(`SELECT priority, version FROM tickets WHERE id = $1`, [ticket.id]);
    expect(row).toEqual({ priority: 'normal', version: 1 });
    const after = await t.db.query(`SELECT (SELECT count(*) FROM ticket_events)::int AS e`);
    expect(after[0].e).toBe(before[0].e);
    await t.db.query(`DROP TRIGGER fail_after_event ON audit_log`);

    // The same for a create: no ticket, no customer message, no event.
    await t.db.query(`CREATE TRIGGER fail_after_event BEFORE INSERT ON audit_log FOR EACH ROW
      WHEN (NEW.action = 'ticket.created') EXECUTE FUNCTION fail_after_event()`);
    await t.db.query(`CREATE OR REPLACE FUNCTION fail_after_event() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'injected failure after the event insert'; END $$`);
    const counts = async () =>
      (
        await t.db.query(
          `SELECT (SELECT count(*) FROM tickets)::int AS t, (SELECT count(*) FROM messages)::int AS m, (SELECT count(*) FROM ticket_events)::int AS e`,
        )
      )[0];
    const c0 = await counts();
    await request(t.http)
      .post('/api/v1/tickets')
      .set(ws.admin.auth)
      .send({ subject: 'Doomed', body: 'x', requester: { email: 'doomed@example.com' } })
      .expect(500);
    expect(await counts()).toEqual(c0);
    await t.db.query(`DROP TRIGGER fail_after_event ON audit_log`);
  });

  it('records the request id in the audit log', async () => {
    const res = await request(t.http)
      .post('/api/v1/tickets')
      .set(ws.admin.auth)
      .set('X-Request-Id', 'req-audit-42')
      .send({ subject: 'Traced', body: 'x', requester: { email: 'trace@example.com' } })
      .expect(201);
    const [row] = await t.db.query(`SELECT request_id, actor_id FROM audit_log WHERE entity_id = $1`, [res.body.id]);
    expect(row).toEqual({ request_id: 'req-audit-42', actor_id: ws.admin.id });
  });

  it('keeps ticket_events append-only', async () => {
    const ticket = await ws.staffTicket(ws.admin.auth);
    await expect(t.db.query(`UPDATE ticket_events SET type = 'x' WHERE ticket_id = $1`, [ticket.id])).rejects.toThrow(
      /append-only/,
    );
    await expect(t.db.query(`DELETE FROM audit_log WHERE entity_id = $1`, [ticket.id])).rejects.toThrow(/append-only/);
  });
});
