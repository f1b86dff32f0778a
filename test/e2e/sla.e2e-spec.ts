import { INestApplicationContext } from '@nestjs/common';
import Redis from 'ioredis';
import request from 'supertest';
import { SlaService } from '@crewdesk/sla';
import { createTestApp, eventually, RecordingClient, TestApp, WorkspaceSession } from '@crewdesk/testing';
import { startWorker } from '../../apps/worker/src/start';

// Test set-up makes an SLA minute 200 ms: a 5-minute target runs out in a second.
describe('SLA engine with the real worker', () => {
  let t: TestApp;
  let ws: WorkspaceSession;
  let worker: INestApplicationContext | undefined;

  const events = async (ticketId: string) =>
    (await t.db.query(`SELECT type, data FROM ticket_events WHERE ticket_id = $1 AND type LIKE 'sla.%' ORDER BY id`, [
      ticketId,
    ])) as Array<{ type: string; data: any }>;
  const timers = (ticketId: string) =>
    t.db.query(`SELECT * FROM sla_timers WHERE ticket_id = $1 ORDER BY metric`, [ticketId]);
  const policy = (body: Record<string, unknown>) =>
    request(t.http).post('/api/v1/sla-policies').set(ws.admin.auth).send(body).expect(201);

  beforeAll(async () => {
    t = await createTestApp();
    ws = await WorkspaceSession.create(t);
    await policy({
      name: 'Standard',
      targets: {
        normal: { firstResponseMinutes: 5, resolutionMinutes: 500 },
        high: { firstResponseMinutes: 5, resolutionMinutes: 300 },
      },
      escalation: [
        { afterMinutes: 1, action: 'raise_priority' },
        { afterMinutes: 2, action: 'notify_role', role: 'engineer' },
      ],
    });
  });
  afterEach(async () => {
    await worker?.close();
    worker = undefined;
  });
  afterAll(() => t.close());

  it('warns, breaches and climbs the escalation ladder in order; a reply in time cancels it all', async () => {
    const engineer = await ws.person(['engineer']);
    worker = await startWorker();
    const socket = await RecordingClient.connect(t.url, '/agents', ws.admin.token);
    const late = await ws.staffTicket(ws.admin.auth);
    await eventually(async () => ((await events(late.id)).length >= 4 ? true : null), 15_000);
    const log = await events(late.id);
    expect(log.map((e) => e.type)).toEqual(['sla.warning', 'sla.breached', 'sla.escalated', 'sla.escalated']);
    expect(log[1].data).toMatchObject({ metric: 'first_response', targetMinutes: 5 });
    expect(log.slice(2).map((e) => [e.data.step, e.data.action])).toEqual([
      [1, 'raise_priority'],
      [2, 'notify_role'],
    ]);
    expect(log[3].data.notify).toEqual([engineer.id]);
    // Nothing fires before its time: the alarm rings at the end of its slot, never before the deadline.
    const [fired] = await timers(late.id).then((rows: any[]) => rows.filter((x) => x.metric === 'first_response'));
    expect(new Date(fired.warned_at).getTime()).toBeGreaterThanOrEqual(new Date(fired.warn_at).getTime());
    expect(new Date(fired.breached_at).getTime()).toBeGreaterThanOrEqual(new Date(fired.due_at).getTime());
    // Written by the worker, they reach the consoles live (through the Redis emitter).
    await socket.waitFor((e) => e.some((x) => x.type === 'sla.breached' && x.ticketId === late.id));
    socket.close();
    const ticket = await request(t.http).get(`/api/v1/tickets/${late.id}`).set(ws.admin.auth).expect(200);
    expect(ticket.body.priority).toBe('high');
    const first = ticket.body.sla.find((s: any) => s.metric === 'first_response');
    expect(first).toMatchObject({ status: 'active', breachedAt: expect.any(String), targetMinutes: 5 });
    expect(first.businessMinutesLeft).toBeLessThanOrEqual(0);
    expect(ticket.body.sla.find((s: any) => s.metric === 'resolution')).toMatchObject({
      status: 'active',
      breachedAt: null,
    });

    // In time: the reply meets the first response; its alarms are no-ops from then on.
    const fast = await ws.staffTicket(ws.admin.auth);
    await eventually(async () => ((await timers(fast.id)).length === 2 ? true : null));
    const [before] = (await timers(fast.id)).filter((x: any) => x.metric === 'first_response');
    await request(t.http)
      .post(`/api/v1/tickets/${fast.id}/messages`)
      .set(ws.admin.auth)
      .send({ body: 'On it!' })
      .expect(201);
    await eventually(async () =>
      (await timers(fast.id)).find((x: any) => x.metric === 'first_response')?.status === 'met' ? true : null,
    );
    const sla = worker.get(SlaService);
    expect(await sla.fire({ tenantId: ws.workspace.id, timerId: before.id, version: before.version }, 'breach')).toBe(
      false,
    );
    const [after] = (await timers(fast.id)).filter((x: any) => x.metric === 'first_response');
    expect(await sla.fire({ tenantId: ws.workspace.id, timerId: after.id, version: after.version }, 'breach')).toBe(
      false,
    );
    expect(await events(fast.id)).toEqual([]);
  });

  it('pauses while pending on the customer and shifts the due time on resume', async () => {
    const ticket = await ws.staffTicket(ws.admin.auth);
    await eventually(async () => ((await timers(ticket.id)).length === 2 ? true : null));
    const [r0] = (await timers(ticket.id)).filter((x: any) => x.metric === 'resolution');
    await request(t.http)
      .patch(`/api/v1/tickets/${ticket.id}`)
      .set(ws.admin.auth)
      .send({ version: 1, status: 'pending' })
      .expect(200);
    const [paused] = await eventually(async () => {
      const rows = (await timers(ticket.id)).filter((x: any) => x.metric === 'resolution' && x.paused_at);
      return rows.length ? rows : null;
    });
    expect(paused.due_at).toBeNull();
    await new Promise((r) => setTimeout(r, 300)); // time passes while paused
    await request(t.http)
      .patch(`/api/v1/tickets/${ticket.id}`)
      .set(ws.admin.auth)
      .send({ version: 2, status: 'open' })
      .expect(200);
    const [resumed] = await eventually(async () => {
      const rows = (await timers(ticket.id)).filter((x: any) => x.metric === 'resolution' && !x.paused_at && x.due_at);
      return rows.length ? rows : null;
    });
    expect(new Date(resumed.due_at).getTime() - new Date(r0.due_at).getTime()).toBeGreaterThanOrEqual(300);
    expect(resumed.version).toBeGreaterThan(r0.version);
  });

  it('fires every due breach exactly once when the worker dies mid-run and starts again', async () => {
    worker = await startWorker();
    const made = await Promise.all(Array.from({ length: 5 }, () => ws.staffTicket(ws.admin.auth)));
    for (const m of made) await eventually(async () => ((await timers(m.id)).length === 2 ? true : null));
    await worker.close(); // dies before anything is due
    worker = undefined;
    await eventually(async () => {
      const rows = await t.db.query(
        `SELECT count(*)::int AS n FROM sla_timers WHERE ticket_id = ANY($1::uuid[]) AND metric = 'first_response' AND due_at < now()`,
        [made.map((m) => m.id)],
      );
      return rows[0].n === 5 ? true : null;
    });
    worker = await startWorker(); // its start-up reconcile and the old alarms both run
    for (const m of made)
      await eventually(async () => ((await events(m.id)).some((e) => e.type === 'sla.breached') ? true : null));
    await worker.get(SlaService).reconcile();
    for (const m of made) expect((await events(m.id)).filter((e) => e.type === 'sla.breached')).toHaveLength(1);
  });

  it('records every due breach exactly once after Redis loses all its jobs', async () => {
    worker = await startWorker();
    const soon = await Promise.all(Array.from({ length: 3 }, () => ws.staffTicket(ws.admin.auth)));
    for (const m of soon) await eventually(async () => ((await timers(m.id)).length === 2 ? true : null));
    await worker.close();
    worker = undefined;
    const redis = new Redis(process.env.REDIS_URL!);
    let cursor = '0';
    let flushed = 0;
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${process.env.REDIS_PREFIX}:bull:*`, 'COUNT', 1000);
      if (keys.length) flushed += await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    await redis.quit();
    expect(flushed).toBeGreaterThan(0);
    worker = await startWorker();
    for (const m of soon)
      await eventually(async () => ((await events(m.id)).some((e) => e.type === 'sla.breached') ? true : null), 15_000);
    await worker.get(SlaService).reconcile();
    for (const m of soon) expect((await events(m.id)).filter((e) => e.type === 'sla.breached')).toHaveLength(1);
  });

  it('validates policies and calendars with clear errors', async () => {
    const bad = await request(t.http)
      .post('/api/v1/sla-policies')
      .set(ws.admin.auth)
      .send({ name: 'x', targets: { asap: { firstResponseMinutes: 1 } } })
      .expect(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
    const cal = await request(t.http)
      .post('/api/v1/calendars')
      .set(ws.admin.auth)
      .send({ name: 'Broken', definition: { timezone: 'Mars/Base', weekly: {} } })
      .expect(400);
    expect(cal.body.code).toBe('VALIDATION_FAILED');
    const good = await request(t.http)
      .post('/api/v1/calendars')
      .set(ws.admin.auth)
      .send({
        name: 'Shanghai office',
        definition: {
          timezone: 'Asia/Shanghai',
          weekly: { mon: [['09:00', '18:00']], tue: [['09:00', '18:00']] },
          holidays: ['2026-10-01'],
          workdays: [{ date: '2026-10-10' }],
        },
      })
      .expect(201);
    await request(t.http)
      .post('/api/v1/sla-policies')
      .set(ws.admin.auth)
      .send({
        name: 'Office hours',
        position: 5,
        calendarId: good.body.id,
        targets: { low: { resolutionMinutes: 600 } },
      })
      .expect(201);
    const other = await WorkspaceSession.create(t);
    await request(t.http)
      .post('/api/v1/sla-policies')
      .set(other.admin.auth)
      .send({ name: 'x', calendarId: good.body.id, targets: { low: { resolutionMinutes: 1 } } })
      .expect(404);
    const list = await request(t.http).get('/api/v1/sla-policies').set(other.admin.auth).expect(200);
    expect(list.body.items).toEqual([]);
  });
});
