import { INestApplicationContext } from '@nestjs/common';
import request from 'supertest';
import { TenantContext } from '@crewdesk/db';
import { FactsService, SurveysService } from '@crewdesk/insights';
import {
  CaptureSmtp,
  eventually,
  MailStack,
  RecordingClient,
  settle,
  startMailStack,
  TestApp,
  WorkspaceSession,
} from '@crewdesk/testing';

type Auth = { Authorization: string };
const LINK = /\/api\/v1\/public\/surveys\/([A-Za-z0-9_-]{70})/;

describe('insights: surveys, metrics, scorecards, touchpoints, exports', () => {
  let t: TestApp;
  let worker: INestApplicationContext;
  let relay: CaptureSmtp;
  let ws: WorkspaceSession;
  let stack: MailStack;
  const open: RecordingClient[] = [];

  const api = () => request(t.http);
  const patch = async (auth: Auth, id: string, body: Record<string, unknown>) => {
    const current = await api().get(`/api/v1/tickets/${id}`).set(auth).expect(200);
    return api()
      .patch(`/api/v1/tickets/${id}`)
      .set(auth)
      .send({ version: current.body.version, ...body })
      .expect(200);
  };
  const surveysOf = (ticketId: string) => t.db.query(`SELECT * FROM surveys WHERE ticket_id = $1`, [ticketId]);

  beforeAll(async () => {
    stack = await startMailStack();
    ({ t, worker, relay } = stack);
    ws = await WorkspaceSession.create(t);
    await api()
      .post('/api/v1/channels')
      .set(ws.admin.auth)
      .send({ type: 'email', address: `support-${ws.workspace.slug}@mail.test` })
      .expect(201);
  });
  afterEach(() => open.splice(0).forEach((c) => c.close()));
  afterAll(() => stack?.close());

  it('mails exactly one survey when a web-form ticket is solved; the answer is stored, changeable and shown to staff', async () => {
    const ticket = await ws.webTicket('打印机连不上', '新买的打印机连不上 WiFi');
    await patch(ws.admin.auth, ticket.id, { status: 'solved' });

    const mail = await relay.waitFor(
      (m) => !!m.subject?.includes(`[#${ticket.number}]`) && /How did we do/.test(m.subject!),
    );
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
    expect((mail.to as any).text).toContain(ticket.email);
    const token = LINK.exec(mail.text ?? '')![1];
    await eventually(async () => (await surveysOf(ticket.id))[0]?.status === 'sent');

    // The page, server-rendered in the customer's language.
    const zh = await api()
      .get(`/api/v1/public/surveys/${token}`)
      .set('Accept', 'text/html')
      .set('Accept-Language', 'zh-CN,zh;q=0.9,en;q=0.5')
      .expect(200);
    expect(zh.headers['content-type']).toContain('text/html');
    expect(zh.text).toContain('您对本次服务满意吗');
    expect(zh.text).toContain('打印机连不上');
    const en = await api().get(`/api/v1/public/surveys/${token}`).set('Accept', 'text/html').expect(200);
    expect(en.text).toContain('How did we do?');

    const first = await api()
      .post(`/api/v1/public/surveys/${token}`)
      .send({ csat: 4, nps: 9, ces: 2, comment: '很快，谢谢' })
      .expect(200);
    expect(first.body.survey.answer).toMatchObject({ csat: 4, nps: 9, ces: 2, comment: '很快，谢谢', changes: 0 });
    // Changeable within the window: the same link changes the one answer.
    await api().post(`/api/v1/public/surveys/${token}`).send({ csat: 5 }).expect(200);
    await api().post(`/api/v1/public/surveys/${token}`).send({ csat: 6 }).expect(400);

    const staff = await api().get(`/api/v1/tickets/${ticket.id}/survey`).set(ws.admin.auth).expect(200);
    expect(staff.body.survey).toMatchObject({
      ticketId: ticket.id,
      channel: 'web',
      status: 'answered',
      answer: { csat: 5, nps: null, ces: null, changes: 1 },
    });

    // Reopened and solved again: still the one survey, one mail, one survey.sent event (decided in ADR 0011).
    await patch(ws.admin.auth, ticket.id, { status: 'open' });
    await patch(ws.admin.auth, ticket.id, { status: 'solved' });
    // A redelivered trigger (at-least-once) makes nothing either.
    const again = await t.app
      .get(TenantContext)
      .run(TenantContext.system(ws.workspace.id), () => t.app.get(SurveysService).ensureForTicket(ticket.id));
    expect(again).toBeNull();
    await settle(500);
    expect(await surveysOf(ticket.id)).toHaveLength(1);
    expect(
      relay.mails.filter((m) => m.parsed.subject?.includes(`[#${ticket.number}]`) && /How did/.test(m.parsed.subject)),
    ).toHaveLength(1);
    const requested = await t.db.query(
      `SELECT count(*)::int AS n FROM ticket_events WHERE ticket_id = $1 AND type = 'survey.sent'`,
      [ticket.id],
    );
    expect(requested[0].n).toBe(1);
    const answered = await t.db.query(
      `SELECT data FROM ticket_events WHERE ticket_id = $1 AND type = 'survey.answered' ORDER BY id`,
      [ticket.id],
    );
    expect(answered.map((r: any) => r.data.csat)).toEqual([4, 5]);
  });

  it('refuses forged, altered and expired links with stable codes, never a 500', async () => {
    const ticket = await ws.webTicket('Invoice', 'Wrong amount');
    await patch(ws.admin.auth, ticket.id, { status: 'solved' });
    const [survey] = await eventually(async () => {
      const rows = await surveysOf(ticket.id);
      return rows.length ? rows : null;
    });
    const surveys = t.app.get(SurveysService);
    const good = surveys.token(ws.workspace.id, survey.id, survey.expires_at);

    const forged = good.slice(0, 60) + (good[60] === 'A' ? 'B' : 'A') + good.slice(61);
    for (const bad of [forged, 'x'.repeat(70), 'short', good.slice(0, 69) + '!']) {
      const res = await api()
        .post(`/api/v1/public/surveys/${encodeURIComponent(bad)}`)
        .send({ csat: 5 });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'SURVEY_LINK_INVALID', message: expect.any(String) });
    }
    const page = await api().get(`/api/v1/public/surveys/${forged}`).set('Accept', 'text/html').expect(400);
    expect(page.text).toContain('not valid');
    // A genuine signature whose time is up (the window closed a second ago).
    const expired = surveys.token(ws.workspace.id, survey.id, new Date(Date.now() - 1000));
    const late = await api().post(`/api/v1/public/surveys/${expired}`).send({ csat: 5 }).expect(410);
    expect(late.body.code).toBe('SURVEY_LINK_EXPIRED');
    await api().get(`/api/v1/public/surveys/${expired}`).set('Accept', 'application/json').expect(410);
    // The window in the database closes too, whatever the link says.
    await t.db.query(`UPDATE surveys SET expires_at = now() - interval '1 second' WHERE id = $1`, [survey.id]);
    const closed = await api().post(`/api/v1/public/surveys/${good}`).send({ csat: 5 }).expect(410);
    expect(closed.body.code).toBe('SURVEY_LINK_EXPIRED');
    expect((await surveysOf(ticket.id))[0].csat).toBeNull();
    // Another workspace's staff cannot see it.
    const other = await WorkspaceSession.create(t);
    await api().get(`/api/v1/tickets/${ticket.id}/survey`).set(other.admin.auth).expect(404);
  });

  it('shows a chat visitor the survey card after the conversation is solved, also after reconnecting, and mails nothing', async () => {
    const session = () =>
      api().post(`/api/v1/public/${ws.workspace.slug}/widget/session`).set('X-Forwarded-For', '198.51.100.77');
    const start = await session().send({}).expect(200);
    const visitor = await RecordingClient.connect(t.url, '/widget', start.body.visitorToken);
    open.push(visitor);
    const ack = await visitor.emit<any>('message.send', { clientMessageId: 's-1', body: '订单还没发货' });
    const mailsBefore = relay.mails.length;
    const none = await api()
      .get('/api/v1/portal/surveys')
      .set({ Authorization: `Bearer ${start.body.visitorToken}` })
      .expect(200);
    expect(none.body.survey).toBeNull();

    await patch(ws.admin.auth, ack.ticketId, { status: 'solved' });
    await visitor.waitFor((e) =>
      e.some((x) => x.type === 'ticket.updated' && (x.data as any)?.ticket?.status === 'solved'),
    );
    visitor.close();

    // Back later (a new socket): the card is fetched on connect.
    const again = await session().send({ visitorToken: start.body.visitorToken }).expect(200);
    const auth = { Authorization: `Bearer ${again.body.visitorToken}` };
    const card = await api().get('/api/v1/portal/surveys').set(auth).expect(200);
    expect(card.body.survey).toMatchObject({ ticketId: ack.ticketId, channel: 'chat', answer: null });
    const twice = await api().get('/api/v1/portal/surveys').set(auth).expect(200);
    expect(twice.body.survey.id).toBe(card.body.survey.id);
    await eventually(async () => (await surveysOf(ack.ticketId))[0]?.status === 'sent');

    await api().post(`/api/v1/public/surveys/${card.body.survey.token}`).send({ csat: 3, ces: 4 }).expect(200);
    const shown = await api().get('/api/v1/portal/surveys').set(auth).expect(200);
    expect(shown.body.survey.answer).toMatchObject({ csat: 3, ces: 4, nps: null });
    expect(await surveysOf(ack.ticketId)).toHaveLength(1);
    await settle(300);
    // No mail carries this chat's survey (other tests' mail may still be arriving on the shared relay).
    const surveyMails = relay.mails
      .slice(mailsBefore)
      .filter((m) => `${m.parsed.text ?? ''}${m.parsed.html || ''}`.includes(card.body.survey.token));
    expect(surveyMails).toEqual([]);
  });

  it('asks only the optional questions the workspace chose', async () => {
    const w = await WorkspaceSession.create(t);
    const agent = await w.person(['agent']);
    await api().patch('/api/v1/surveys/settings').set(agent.auth).send({ nps: false }).expect(403);
    const set = await api().patch('/api/v1/surveys/settings').set(w.admin.auth).send({ nps: false }).expect(200);
    expect(set.body).toEqual({ nps: false, ces: true });
    const ticket = await w.webTicket('No NPS here', 'details');
    await patch(w.admin.auth, ticket.id, { status: 'solved' });
    const [survey] = await eventually(async () => {
      const rows = await surveysOf(ticket.id);
      return rows.length ? rows : null;
    });
    const token = t.app.get(SurveysService).token(w.workspace.id, survey.id, survey.expires_at);
    const json = await api().get(`/api/v1/public/surveys/${token}`).set('Accept', 'application/json').expect(200);
    expect(json.body.questions).toEqual({ nps: false, ces: true });
    const page = await api().get(`/api/v1/public/surveys/${token}`).set('Accept', 'text/html').expect(200);
    expect(page.text).not.toContain('recommend');
    expect(page.text).toContain('How easy');
    const answered = await api().post(`/api/v1/public/surveys/${token}`).send({ csat: 4, nps: 9, ces: 2 }).expect(200);
    expect(answered.body.survey.answer).toMatchObject({ csat: 4, nps: null, ces: 2 });
  });

  it('heals from the event log what a process lost after commit: the facts and the survey come back', async () => {
    const ticket = await ws.webTicket('Lost in a crash', 'The API died right after this commit');
    const [{ id: before }] = await t.db.query(`SELECT coalesce(max(id), 0)::text AS id FROM ticket_events`);
    await patch(ws.admin.auth, ticket.id, { status: 'solved' });
    await eventually(async () => (await surveysOf(ticket.id)).length === 1);
    await t.app.get(FactsService).flush();
    // As if the process had died between the commit and its subscribers: no survey, no facts.
    await t.db.query(`DELETE FROM surveys WHERE ticket_id = $1`, [ticket.id]);
    await t.db.query(`DELETE FROM ticket_facts WHERE ticket_id = $1`, [ticket.id]);
    await t.db.query(`UPDATE relay_cursors SET watermark = $1 WHERE name = 'insights-facts'`, [before]);
    const facts = worker.get(FactsService);
    await facts.catchUp(5000, 0);
    await facts.catchUp(5000, 0); // a second pass (or a second worker) changes nothing
    const [row] = await t.db.query(`SELECT status, resolved_at, solves FROM ticket_facts WHERE ticket_id = $1`, [
      ticket.id,
    ]);
    expect(row).toMatchObject({ status: 'solved', solves: 1 });
    expect(row.resolved_at).not.toBeNull();
    expect(await surveysOf(ticket.id)).toHaveLength(1);
    await relay.waitFor((m) => !!m.subject?.includes(`[#${ticket.number}]`) && /How did/.test(m.subject!));
  });

  it('refreshes no facts for an internal note; the next public reply brings them up to date', async () => {
    const ticket = await ws.webTicket('Notes only', 'Is anyone looking at this?');
    const facts = t.app.get(FactsService);
    await facts.flush();
    const refresh = jest.spyOn(facts, 'refresh');
    try {
      const note = { body: 'Checking the logs first', internal: true };
      await api().post(`/api/v1/tickets/${ticket.id}/messages`).set(ws.admin.auth).send(note).expect(201);
      await facts.flush();
      expect(refresh).not.toHaveBeenCalled();
      const reply = { body: 'Found it, fixed' };
      await api().post(`/api/v1/tickets/${ticket.id}/messages`).set(ws.admin.auth).send(reply).expect(201);
      await facts.flush();
      expect(refresh).toHaveBeenCalledTimes(1);
    } finally {
      refresh.mockRestore();
    }
    const [row] = await t.db.query(
      `SELECT staff_replies, last_event_id = (SELECT max(id) FROM ticket_events WHERE ticket_id = $1) AS current
       FROM ticket_facts WHERE ticket_id = $1`,
      [ticket.id],
    );
    expect(row).toEqual({ staff_replies: 1, current: true });
  });

  it('writes the facts of a new ticket in its create statement, as a refresh from its events computes them', async () => {
    const web = await ws.webTicket('Facts from the start', 'Counted from the first commit');
    const staff = await ws.staffTicket(ws.admin.auth, { priority: 'high', tags: ['vip'] });
    const columns = `ticket_id, created_at, channel, priority, status, team_id, assignee_id, tags, first_response_at,
      first_response_s, first_responder_id, next_response_n, next_response_sum_s, resolved_at, resolution_s, solves,
      reopens, staff_replies, customer_messages, replies, last_event_id::text`;
    const factsOf = (ids: string[]) =>
      t.db.query(`SELECT ${columns} FROM ticket_facts WHERE ticket_id = ANY($1::uuid[]) ORDER BY ticket_id`, [ids]);
    const ids = [web.id, staff.id];
    // No flush: the rows exist with the tickets, before any refresh ran.
    const written = await factsOf(ids);
    expect(written).toHaveLength(2);
    expect(written.find((f: { ticket_id: string }) => f.ticket_id === web.id)).toMatchObject({ customer_messages: 1 });
    await worker.get(FactsService).refresh(ws.workspace.id, ids);
    expect(await factsOf(ids)).toEqual(written);
  });

  it('leaves alone in the catch-up the facts the writing process refreshed already', async () => {
    const [{ id: before }] = await t.db.query(`SELECT coalesce(max(id), 0)::text AS id FROM ticket_events`);
    const ticket = await ws.webTicket('Counted once', 'The writing process refreshes this');
    await t.app.get(FactsService).flush();
    const refreshedAt = async () =>
      (await t.db.query(`SELECT refreshed_at FROM ticket_facts WHERE ticket_id = $1`, [ticket.id]))[0]?.refreshed_at;
    const first = await refreshedAt();
    expect(first).toBeDefined();
    await t.db.query(`UPDATE relay_cursors SET watermark = $1 WHERE name = 'insights-facts'`, [before]);
    await worker.get(FactsService).catchUp(5000, 0);
    expect(await refreshedAt()).toEqual(first);
  });

  describe('metrics on a seeded data set, computed by hand', () => {
    // 2026-01-05 10:00 in Shanghai.
    const BASE = Date.parse('2026-01-05T02:00:00Z');
    const at = (minutes: number) => new Date(BASE + minutes * 60_000);
    const range = 'from=2026-01-05T00:00:00Z&to=2026-01-06T00:00:00Z&timezone=Asia/Shanghai';
    let w: WorkspaceSession;
    let agent: { id: string; auth: Auth };
    let engineer: { id: string; auth: Auth };
    let teamId: string;
    const ids: Record<string, string> = {};

    /** Runs `fn`, then moves the events it wrote (still stamped "now") to `minutes` after BASE. */
    const step = async (ticketId: string, minutes: number, fn: () => Promise<unknown>) => {
      await fn();
      // Seeding history: the log is append-only, so its guard is lifted for this one transaction (superuser only).
      await t.db.transaction(async (m) => {
        await m.query(`SET LOCAL session_replication_role = replica`);
        await m.query(
          `UPDATE ticket_events SET created_at = $2 WHERE ticket_id = $1 AND created_at > now() - interval '1 hour'`,
          [ticketId, at(minutes)],
        );
      });
    };
    const reply = (who: { auth: Auth }, id: string, body = 'On it') =>
      api().post(`/api/v1/tickets/${id}/messages`).set(who.auth).send({ body }).expect(201);
    const customerWrites = (c: Auth, id: string) =>
      api().post(`/api/v1/portal/tickets/${id}/messages`).set(c).send({ body: 'Still broken' }).expect(201);

    beforeAll(async () => {
      w = await WorkspaceSession.create(t);
      const a = await w.person(['agent'], [], 'Agent Wang');
      const e = await w.person(['engineer'], [], 'Engineer Chen');
      agent = a;
      engineer = e;
      teamId = await w.team('Support', [a.id, e.id]);
      const subjects = ['打印机连不上', '发票开错了', 'Printer offline', '发票没收到'];
      const made = [];
      for (const [i, s] of subjects.entries()) made.push({ key: `T${i + 1}`, ...(await w.webTicket(s, 'details')) });
      for (const m of made) {
        ids[m.key] = m.id;
        await t.db.query(`UPDATE tickets SET created_at = $2 WHERE id = $1`, [m.id, at(0)]);
        await step(m.id, 0, () =>
          patch(w.admin.auth, m.id, {
            teamId,
            assigneeId: m.key === 'T3' ? engineer.id : agent.id,
            tags: m.key === 'T1' ? ['=cmd|calc', 'printer'] : ['printer'],
          }),
        );
      }
      const [t1, t2, t3, t4] = made;
      // T1: first response 10 min, a customer turn answered in 30 min, solved at 60 min.
      await step(t1.id, 10, () => reply(agent, t1.id));
      await step(t1.id, 20, () => customerWrites(t1.customer, t1.id));
      await step(t1.id, 50, () => reply(engineer, t1.id));
      await step(t1.id, 60, () => patch(agent.auth, t1.id, { status: 'solved' }));
      // T2: first response 30 min, solved at 120, the customer reopens at 150, solved again at 180.
      await step(t2.id, 30, () => reply(agent, t2.id));
      await step(t2.id, 120, () => patch(agent.auth, t2.id, { status: 'solved' }));
      await step(t2.id, 150, () => customerWrites(t2.customer, t2.id));
      await step(t2.id, 180, () => patch(agent.auth, t2.id, { status: 'solved' }));
      // T3: first response 60 min (the engineer), still open.
      await step(t3.id, 60, () => reply(engineer, t3.id));
      // T4: first response 5 min, solved at 20.
      await step(t4.id, 5, () => reply(agent, t4.id));
      await step(t4.id, 20, () => patch(agent.auth, t4.id, { status: 'solved' }));

      // SLA timers as the engine leaves them: first response met on T1, T3, T4 and breached on T2; resolution met on
      // T1 and breached on T2; one cancelled timer that must not count.
      const timer = (ticket: string, metric: string, met: boolean, breached: boolean, status = 'met') =>
        t.db.query(
          `INSERT INTO sla_timers (tenant_id, ticket_id, metric, target_minutes, started_at, due_at, met_at, breached_at, status)
           VALUES ($1, $2, $3, 15, $4, $4, $5, $6, $7)`,
          [w.workspace.id, ticket, metric, at(0), met ? at(30) : null, breached ? at(20) : null, status],
        );
      await timer(ids.T1, 'first_response', true, false);
      await timer(ids.T2, 'first_response', true, true);
      await timer(ids.T3, 'first_response', true, false);
      await timer(ids.T4, 'first_response', true, false);
      await timer(ids.T1, 'resolution', true, false);
      await timer(ids.T2, 'resolution', false, true, 'active');
      await timer(ids.T3, 'resolution', false, false, 'cancelled');

      // Surveys of the three solved tickets, answered: CSAT 5/2/4, NPS 10/6/9, CES 2/5/3.
      const survey = (id: string) =>
        eventually(async () => {
          const rows = await surveysOf(id);
          return rows[0] ?? null;
        });
      const answers: Record<string, object> = {
        T1: { csat: 5, nps: 10, ces: 2 },
        T2: { csat: 2, nps: 6, ces: 5 },
        T4: { csat: 4, nps: 9, ces: 3 },
      };
      const surveys = t.app.get(SurveysService);
      for (const [key, answer] of Object.entries(answers)) {
        const s = await survey(ids[key]);
        await api()
          .post(`/api/v1/public/surveys/${surveys.token(w.workspace.id, s.id, s.expires_at)}`)
          .send(answer)
          .expect(200);
      }
      expect(await surveysOf(ids.T3)).toHaveLength(0);
      await t.db.query(`UPDATE surveys SET created_at = $2 WHERE tenant_id = $1`, [w.workspace.id, at(200)]);
      await t.app.get(FactsService).flush();
      const refreshed = await api().post(`/api/v1/reports/refresh?${range}`).set(w.admin.auth).expect(200);
      expect(refreshed.body.tickets).toBe(4);
    });

    it('reports first response, next response, resolution, reopens, SLA, CSAT, NPS and CES as computed by hand', async () => {
      const res = await api().get(`/api/v1/reports/overview?${range}`).set(w.admin.auth).expect(200);
      const o = res.body;
      expect(o.volume.tickets).toBe(4);
      expect(o.volume.byChannel).toEqual([{ channel: 'web', tickets: 4 }]);
      expect(o.volume.byHour).toHaveLength(24);
      expect(o.volume.byHour[10]).toEqual({ hour: 10, tickets: 4 }); // 02:00 UTC is 10:00 in Shanghai
      expect(o.volume.byDay).toEqual([{ date: '2026-01-05', tickets: 4 }]);
      // First responses 300, 600, 1800, 3600 s: median (600 + 1800) / 2, mean 6300 / 4, p90 1800 + 0.7 × 1800.
      expect(o.firstResponse).toEqual({ count: 4, medianSeconds: 1200, avgSeconds: 1575, p90Seconds: 3060 });
      // One customer turn after a staff reply, answered 30 min later (T2's reopening message is still unanswered).
      expect(o.nextResponse).toMatchObject({ waits: 1, avgSeconds: 1800, medianSeconds: 1800 });
      // Resolutions 1200, 3600, 10800 s (T2 counts to its last solve): p90 3600 + 0.8 × 7200.
      expect(o.resolution).toEqual({ count: 3, medianSeconds: 3600, avgSeconds: 5200, p90Seconds: 9360 });
      expect(o.reopens).toEqual({ solved: 3, reopened: 1, rate: 33.3 });
      expect(o.sla).toEqual([
        { metric: 'first_response', met: 3, breached: 1, running: 0, compliance: 75 },
        { metric: 'resolution', met: 1, breached: 1, running: 0, compliance: 50 },
      ]);
      expect(o.backlog).toMatchObject({ open: 1 });
      expect(o.backlog.ageBuckets.find((b: any) => b.bucket === '>7d').tickets).toBe(1);
      expect(o.answeredByRole).toEqual([
        { role: 'agent', people: 1, tickets: 3, replies: 3 },
        { role: 'engineer', people: 1, tickets: 2, replies: 2 },
      ]);
      // CSAT: 2 of 3 answers are 4–5; NPS: 2 promoters, 1 detractor of 3; CES (2 + 5 + 3) / 3.
      expect(o.satisfaction).toMatchObject({
        sent: 3,
        answered: 3,
        csat: { answers: 3, satisfied: 2, percent: 66.7, disputeRate: 33.3 },
        nps: { answers: 3, promoters: 2, passives: 0, detractors: 1, score: 33.3 },
        ces: { answers: 3, average: 3.33 },
      });
      expect(o.formulas.nps).toContain('promoters');

      const team = await api().get(`/api/v1/reports/overview?${range}&teamId=${teamId}`).set(w.admin.auth).expect(200);
      expect(team.body.firstResponse).toEqual(o.firstResponse);
      // Tenant isolation: the same period in another workspace is empty.
      const other = await api().get(`/api/v1/reports/overview?${range}`).set(ws.admin.auth).expect(200);
      expect(other.body.volume.tickets).toBe(0);
      expect(other.body.satisfaction.answered).toBe(0);
    });

    it('scores people, teams and roles with the formula shown, and lets people read only their own card', async () => {
      const people = await api()
        .get(`/api/v1/reports/scorecards?${range}&groupBy=person`)
        .set(w.admin.auth)
        .expect(200);
      expect(people.body.formula.text).toContain('score =');
      const a = people.body.items.find((i: any) => i.key === agent.id);
      expect(a).toMatchObject({
        name: 'Agent Wang',
        tickets: 3,
        resolved: 3,
        reopenRate: 33.3,
        firstResponseMedianSeconds: 600,
        answeredTickets: 3,
        replies: 3,
        components: { response: 66.7, resolution: 50, afterSales: 66.7, satisfaction: 66.7, disputes: 66.7 },
        // (20 × 66.7 + 20 × 50 + 20 × 66.7 + 30 × 66.7 + 10 × 66.7) / 100
        score: 63.4,
      });
      const e = people.body.items.find((i: any) => i.key === engineer.id);
      expect(e).toMatchObject({ tickets: 1, answeredTickets: 2, replies: 2, score: 100, reopenRate: null });
      expect(e.components).toEqual({
        response: 100,
        resolution: null,
        afterSales: null,
        satisfaction: null,
        disputes: null,
      });

      const roles = await api().get(`/api/v1/reports/scorecards?${range}&groupBy=role`).set(w.admin.auth).expect(200);
      expect(roles.body.items.find((i: any) => i.key === 'agent').score).toBe(63.4);
      const teams = await api().get(`/api/v1/reports/scorecards?${range}&groupBy=team`).set(w.admin.auth).expect(200);
      expect(teams.body.items).toHaveLength(1);
      expect(teams.body.items[0]).toMatchObject({ key: teamId, name: 'Support', tickets: 4, replies: 5 });

      // An agent has no report.read: their own card only, nothing else.
      const mine = await api().get(`/api/v1/reports/scorecards?${range}`).set(agent.auth).expect(200);
      expect(mine.body.items.map((i: any) => i.key)).toEqual([agent.id]);
      await api().get(`/api/v1/reports/scorecards?${range}&groupBy=team`).set(agent.auth).expect(403);
      const denied = await api().get(`/api/v1/reports/overview?${range}`).set(agent.auth).expect(403);
      expect(denied.body.code).toBe('FORBIDDEN');
    });

    it('exports CSV with formula-looking cells neutralised', async () => {
      const res = await api().get(`/api/v1/reports/touchpoints?${range}&format=csv`).set(w.admin.auth).expect(200);
      expect(res.headers['content-type']).toContain('text/csv');
      expect(res.headers['content-disposition']).toContain('crewdesk-touchpoints-2026-01-05-2026-01-06.csv');
      expect(res.text).toContain("topics.tags,'=cmd|calc,tickets,1");
      expect(res.text).not.toMatch(/(^|,)=cmd/m);
      const overview = await api().get(`/api/v1/reports/overview?${range}&format=csv`).set(w.admin.auth).expect(200);
      expect(overview.text).toContain('firstResponse,all,medianSeconds,1200');
      const cards = await api().get(`/api/v1/reports/scorecards?${range}&format=csv`).set(w.admin.auth).expect(200);
      expect(cards.text.split('\r\n')[0]).toContain('group,key,name,score');
    });

    it('counts the widget funnel and the topics of the period', async () => {
      for (let i = 0; i < 3; i++)
        await api().post(`/api/v1/public/${w.workspace.slug}/touchpoints`).send({ event: 'widget.opened' }).expect(204);
      await api().post(`/api/v1/public/${w.workspace.slug}/touchpoints`).send({ event: 'other' }).expect(400);
      const now = await api().get('/api/v1/reports/touchpoints').set(w.admin.auth).expect(200);
      expect(now.body.funnel[0]).toMatchObject({ step: 'widget_opened', count: 3 });
      const seeded = await api().get(`/api/v1/reports/touchpoints?${range}`).set(w.admin.auth).expect(200);
      expect(seeded.body.channels).toEqual([
        expect.objectContaining({
          channel: 'web',
          tickets: 4,
          answered: 4,
          resolved: 3,
          firstResponseMedianSeconds: 1200,
        }),
      ]);
      expect(seeded.body.topics.tags).toEqual([
        { tag: 'printer', tickets: 4 },
        { tag: '=cmd|calc', tickets: 1 },
      ]);
      expect(seeded.body.topics.keywords[0]).toEqual({ keyword: '发票', tickets: 2 });
      const bad = await api()
        .get('/api/v1/reports/overview?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z')
        .set(w.admin.auth)
        .expect(400);
      expect(bad.body.code).toBe('REPORT_RANGE_INVALID');
      await api().get('/api/v1/reports/overview?timezone=Mars/Olympus').set(w.admin.auth).expect(400);
    });
  });
});
