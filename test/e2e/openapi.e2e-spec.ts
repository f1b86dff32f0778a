import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'fs';
import { resolve } from 'path';
import request from 'supertest';
import { SurveysService } from '@crewdesk/insights';
import { createTestApp, eventually, PASSWORD, RecordingClient, TestApp, WorkspaceSession } from '@crewdesk/testing';

/**
 * The committed openapi.json (written from a build, checked by `npm test`) describes what the API answers: real
 * responses must match the documented schemas, with no field left undocumented.
 */
const doc = JSON.parse(readFileSync(resolve(__dirname, '../../openapi.json'), 'utf8'));

/** The schemas with every described object closed: a field the API answers but the document omits fails. */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) out[k] = k === 'properties' ? closedProps(v) : closed(v);
  if (out.properties && out.additionalProperties === undefined && !out.allOf) out.additionalProperties = false;
  // OpenAPI 3.0 writes a nullable reference as `nullable` beside `allOf: [{ $ref }]`; in JSON Schema that is:
  if (out.nullable === true && Array.isArray(out.allOf)) {
    const { allOf, description } = out;
    return { description, anyOf: [{ allOf }, { type: 'null' }] };
  }
  return out;
}
const closedProps = (props: object) => Object.fromEntries(Object.entries(props).map(([k, v]) => [k, closed(v)]));

describe('openapi.json describes what the API answers', () => {
  let t: TestApp;
  let ws: WorkspaceSession;
  const open: RecordingClient[] = [];
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: 'openapi', components: closed(doc.components) });
  const validators = new Map<string, ValidateFunction>();

  /** The response schema documented for an operation and status. */
  const documented = (method: string, path: string, status: number): ValidateFunction => {
    const key = `${method} ${path} ${status}`;
    const known = validators.get(key);
    if (known) return known;
    const schema = doc.paths[path]?.[method]?.responses?.[status]?.content?.['application/json']?.schema;
    if (!schema?.$ref && !schema?.oneOf && !schema?.type) throw new Error(`${key}: no response schema documented`);
    // The document's references, resolved against the copy registered above.
    const validate = ajv.compile(
      JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, '"openapi#/components/')),
    );
    validators.set(key, validate);
    return validate;
  };
  const expectDocumented = (method: string, path: string, res: { status: number; body: unknown }) => {
    const validate = documented(method, path, res.status);
    const ok = validate(res.body);
    expect(ok ? [] : validate.errors).toEqual([]);
  };

  beforeAll(async () => {
    t = await createTestApp();
    ws = await WorkspaceSession.create(t);
    await request(t.http)
      .post('/api/v1/sla-policies')
      .set(ws.admin.auth)
      .send({ name: 'Standard', targets: { normal: { firstResponseMinutes: 30, resolutionMinutes: 600 } } })
      .expect(201);
  });
  afterEach(() => open.splice(0).forEach((c) => c.close()));
  afterAll(() => t.close());

  /** A chat conversation started in the widget: the visitor's token and the ticket it became. */
  const chat = async (body: string) => {
    const start = await request(t.http)
      .post(`/api/v1/public/${ws.workspace.slug}/widget/session`)
      .set('X-Forwarded-For', '198.51.100.90')
      .send({})
      .expect(200);
    const visitor = await RecordingClient.connect(t.url, '/widget', start.body.visitorToken);
    open.push(visitor);
    const ack = await visitor.emit<{ ticketId: string }>('message.send', { clientMessageId: `c-${Date.now()}`, body });
    return { ticketId: ack.ticketId, token: start.body.visitorToken as string, start };
  };
  const solve = async (id: string) => {
    const current = await request(t.http).get(`/api/v1/tickets/${id}`).set(ws.admin.auth).expect(200);
    await request(t.http)
      .patch(`/api/v1/tickets/${id}`)
      .set(ws.admin.auth)
      .send({ version: current.body.version, status: 'solved' })
      .expect(200);
  };

  it('for tickets and their messages, with every field the API sends', async () => {
    const auth = ws.admin.auth;
    const created = await request(t.http)
      .post('/api/v1/tickets')
      .set(auth)
      .send({ subject: 'Export fails', body: 'Since Monday', requester: { email: 'doc@example.com' }, tags: ['csv'] })
      .expect(201);
    expectDocumented('post', '/api/v1/tickets', created);
    const id = created.body.id;

    const file = await request(t.http)
      .post('/api/v1/attachments')
      .set(auth)
      .attach('file', Buffer.from('trace'), 'trace.log')
      .expect(201);
    const reply = await request(t.http)
      .post(`/api/v1/tickets/${id}/messages`)
      .set(auth)
      .send({ body: 'Looking into it', attachmentIds: [file.body.id] })
      .expect(201);
    expectDocumented('post', '/api/v1/tickets/{id}/messages', reply);
    const detail = await request(t.http).get(`/api/v1/tickets/${id}`).set(auth).expect(200);
    expect(detail.body.sla.length).toBeGreaterThan(0);
    expectDocumented('get', '/api/v1/tickets/{id}', detail);
    const byNumber = await request(t.http).get(`/api/v1/tickets/number/${created.body.number}`).set(auth).expect(200);
    expectDocumented('get', '/api/v1/tickets/number/{number}', byNumber);
    expectDocumented('get', '/api/v1/tickets', await request(t.http).get('/api/v1/tickets').set(auth).expect(200));
    expectDocumented(
      'get',
      '/api/v1/tickets/{id}/messages',
      await request(t.http).get(`/api/v1/tickets/${id}/messages`).set(auth).expect(200),
    );
    const patched = await request(t.http)
      .patch(`/api/v1/tickets/${id}`)
      .set(auth)
      .send({ version: detail.body.version, status: 'pending', priority: 'high' })
      .expect(200);
    expectDocumented('patch', '/api/v1/tickets/{id}', patched);
    const events = await request(t.http).get(`/api/v1/tickets/${id}/events`).set(auth).expect(200);
    expect(events.body.items.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(['ticket.created', 'message.created', 'ticket.updated']),
    );
    expectDocumented('get', '/api/v1/tickets/{id}/events', events);

    // Who has it open: a map of ticket id to the people viewing it.
    const viewer = await RecordingClient.connect(t.url, '/agents', ws.admin.token);
    open.push(viewer);
    await viewer.emit('ticket.view', { ticketId: id });
    const viewers = await eventually(async () => {
      const res = await request(t.http).get(`/api/v1/tickets/viewers?ids=${id}`).set(auth).expect(200);
      return res.body[id]?.length ? res : null;
    });
    expect(viewers.body).toEqual({ [id]: [ws.admin.id] });
    expectDocumented('get', '/api/v1/tickets/viewers', viewers);
    expect(documented('get', '/api/v1/tickets/viewers', 200)({ [id]: ['not a uuid'] })).toBe(false);
  });

  it('for the web form, the customer portal and uploads', async () => {
    const form = await request(t.http)
      .post(`/api/v1/public/${ws.workspace.slug}/tickets`)
      .send({ subject: 'Where is my order?', body: 'Ordered last week.', email: 'portal@example.com', name: 'Ann' })
      .expect(201);
    expectDocumented('post', '/api/v1/public/{workspace}/tickets', form);
    const id = form.body.ticket.id;
    const customer = { Authorization: `Bearer ${form.body.accessToken}` };

    const staffFile = await request(t.http)
      .post('/api/v1/attachments')
      .set(ws.admin.auth)
      .attach('file', Buffer.from('tracking: 42'), 'tracking.txt')
      .expect(201);
    expectDocumented('post', '/api/v1/attachments', staffFile);
    await request(t.http)
      .post(`/api/v1/tickets/${id}/messages`)
      .set(ws.admin.auth)
      .send({ body: 'It ships today.', attachmentIds: [staffFile.body.id] })
      .expect(201);
    const file = await request(t.http)
      .post('/api/v1/portal/attachments')
      .set(customer)
      .attach('file', Buffer.from('receipt'), 'receipt.txt')
      .expect(201);
    expectDocumented('post', '/api/v1/portal/attachments', file);
    const reply = await request(t.http)
      .post(`/api/v1/portal/tickets/${id}/messages`)
      .set(customer)
      .send({ body: 'Thanks!', attachmentIds: [file.body.id] })
      .expect(201);
    expectDocumented('post', '/api/v1/portal/tickets/{id}/messages', reply);

    const list = await request(t.http).get('/api/v1/portal/tickets').set(customer).expect(200);
    expect(list.body.items).toHaveLength(1);
    expectDocumented('get', '/api/v1/portal/tickets', list);
    const detail = await request(t.http).get(`/api/v1/portal/tickets/${id}`).set(customer).expect(200);
    expect(detail.body.messages.map((m: { author: { type: string } }) => m.author.type)).toEqual([
      'customer',
      'staff',
      'customer',
    ]);
    expectDocumented('get', '/api/v1/portal/tickets/{id}', detail);
    expectDocumented(
      'get',
      '/api/v1/portal/tickets/{id}/messages',
      await request(t.http).get(`/api/v1/portal/tickets/${id}/messages`).set(customer).expect(200),
    );
  });

  it('for signing up a workspace and its audit trail', async () => {
    const slug = `docs-${ws.workspace.slug}`;
    const created = await request(t.http)
      .post('/api/v1/workspaces')
      .send({ name: 'Docs', slug, admin: { email: `owner@${slug}.example`, name: 'Owner', password: PASSWORD } })
      .expect(201);
    expectDocumented('post', '/api/v1/workspaces', created);
    const own = await request(t.http)
      .get('/api/v1/audit-log')
      .set({ Authorization: `Bearer ${created.body.accessToken}` })
      .expect(200);
    expect(own.body.items).toMatchObject([{ action: 'workspace.created', data: { slug } }]);
    expectDocumented('get', '/api/v1/audit-log', own);
    const trail = await request(t.http).get('/api/v1/audit-log?limit=5').set(ws.admin.auth).expect(200);
    expect(trail.body.items.length).toBeGreaterThan(0);
    expectDocumented('get', '/api/v1/audit-log', trail);
  });

  it('for signing in, the signed-in person or API key, and the people of the workspace', async () => {
    const login = await request(t.http)
      .post('/api/v1/auth/login')
      .send({ workspace: ws.workspace.slug, email: ws.admin.email, password: PASSWORD });
    expectDocumented('post', '/api/v1/auth/login', login);
    const refreshed = await request(t.http)
      .post('/api/v1/auth/refresh')
      .send({ refreshToken: login.body.refreshToken })
      .expect(200);
    expectDocumented('post', '/api/v1/auth/refresh', refreshed);
    expectDocumented('get', '/api/v1/me', await request(t.http).get('/api/v1/me').set(ws.admin.auth).expect(200));
    const key = await request(t.http)
      .post('/api/v1/api-keys')
      .set(ws.admin.auth)
      .send({ name: 'docs', permissions: ['ticket.view_all'] })
      .expect(201);
    const asKey = await request(t.http)
      .get('/api/v1/me')
      .set({ Authorization: `Bearer ${key.body.key}` });
    expectDocumented('get', '/api/v1/me', asKey);

    const agent = await ws.person(['agent']);
    const users = await request(t.http).get('/api/v1/users').set(ws.admin.auth).expect(200);
    expect(users.body.items.length).toBeGreaterThan(1);
    expectDocumented('get', '/api/v1/users', users);
    const one = await request(t.http).get(`/api/v1/users/${agent.id}`).set(ws.admin.auth).expect(200);
    expectDocumented('get', '/api/v1/users/{id}', one);
    const changed = await request(t.http)
      .patch(`/api/v1/users/${agent.id}`)
      .set(ws.admin.auth)
      .send({ capacity: 5 })
      .expect(200);
    expectDocumented('patch', '/api/v1/users/{id}', changed);
    const created = await request(t.http)
      .post('/api/v1/users')
      .set(ws.admin.auth)
      .send({ email: 'docs-person@example.com', name: 'Docs', password: 'long-enough-pass', roles: ['engineer'] })
      .expect(201);
    expectDocumented('post', '/api/v1/users', created);
  });

  it('for teams and mailboxes', async () => {
    const auth = ws.admin.auth;
    const agent = await ws.person(['agent']);
    const team = await request(t.http)
      .post('/api/v1/teams')
      .set(auth)
      .send({ name: 'Billing', memberIds: [agent.id], leadIds: [agent.id], backlogAlertMinutes: 30 })
      .expect(201);
    expectDocumented('post', '/api/v1/teams', team);
    expectDocumented('get', '/api/v1/teams', await request(t.http).get('/api/v1/teams').set(auth).expect(200));
    expectDocumented(
      'patch',
      '/api/v1/teams/{id}',
      await request(t.http)
        .patch(`/api/v1/teams/${team.body.id}`)
        .set(auth)
        .send({ assignment: 'round_robin' })
        .expect(200),
    );

    const box = await request(t.http)
      .post('/api/v1/channels')
      .set(auth)
      .send({
        type: 'email',
        address: `docs-${ws.workspace.slug}@mail.test`,
        imap: { host: '127.0.0.1', port: 1, secure: false, user: 'docs', password: 'secret' },
      })
      .expect(201);
    expectDocumented('post', '/api/v1/channels', box);
    expect(box.body.imap).not.toHaveProperty('password');
    expectDocumented('get', '/api/v1/channels', await request(t.http).get('/api/v1/channels').set(auth).expect(200));
    const id = box.body.id;
    expectDocumented('get', '/api/v1/channels/{id}', await request(t.http).get(`/api/v1/channels/${id}`).set(auth));
    expectDocumented(
      'patch',
      '/api/v1/channels/{id}',
      await request(t.http)
        .patch(`/api/v1/channels/${id}`)
        .set(auth)
        .send({ acknowledge: false, imap: null })
        .expect(200),
    );
    const inbound = await request(t.http)
      .post(`/api/v1/channels/${id}/inbound`)
      .set('Authorization', `Bearer ${box.body.inboundToken}`)
      .set('Content-Type', 'message/rfc822')
      .send(
        `From: hook@example.com\r\nTo: ${box.body.address}\r\nSubject: Via webhook\r\n` +
          `Message-ID: <docs-${ws.workspace.slug}@example.com>\r\n\r\nHello\r\n`,
      )
      .expect(202);
    expectDocumented('post', '/api/v1/channels/{id}/inbound', inbound);
  });

  it('for the chat widget: sessions, a contact address and the settings', async () => {
    const started = await chat('Can I change my order?');
    expectDocumented('post', '/api/v1/public/{workspace}/widget/session', started.start);
    const again = await request(t.http)
      .post(`/api/v1/public/${ws.workspace.slug}/widget/session`)
      .set('Accept-Language', 'zh-CN')
      .send({ visitorToken: started.token })
      .expect(200);
    expect(again.body.conversation).toEqual({ ticketId: started.ticketId, status: 'new' });
    expectDocumented('post', '/api/v1/public/{workspace}/widget/session', again);
    expectDocumented(
      'post',
      '/api/v1/public/{workspace}/widget/contact',
      await request(t.http)
        .post(`/api/v1/public/${ws.workspace.slug}/widget/contact`)
        .set({ Authorization: `Bearer ${again.body.visitorToken}` })
        .send({ email: 'visitor@example.com' })
        .expect(200),
    );

    const auth = ws.admin.auth;
    expectDocumented('get', '/api/v1/widget/settings', await request(t.http).get('/api/v1/widget/settings').set(auth));
    const changed = await request(t.http)
      .patch('/api/v1/widget/settings')
      .set(auth)
      .send({
        greeting: { en: 'Hello!', 'zh-CN': '您好！' },
        businessHours: {
          timezone: 'Asia/Shanghai',
          days: {
            mon: [
              ['09:00', '12:00'],
              ['13:00', '18:00'],
            ],
          },
        },
      })
      .expect(200);
    expect(changed.body.businessHours.days.mon).toHaveLength(2);
    expectDocumented('patch', '/api/v1/widget/settings', changed);
    expectDocumented(
      'patch',
      '/api/v1/widget/settings',
      await request(t.http).patch('/api/v1/widget/settings').set(auth).send({ businessHours: null }).expect(200),
    );
  });

  it('for the inbox: counts, SLA badges, the at-risk view, preferences and canned replies', async () => {
    const auth = ws.admin.auth;
    const ticket = await ws.staffTicket(auth);
    expectDocumented(
      'get',
      '/api/v1/inbox/counts',
      await request(t.http).get('/api/v1/inbox/counts').set(auth).expect(200),
    );
    const badges = await request(t.http).get(`/api/v1/inbox/sla?ticketIds=${ticket.id}`).set(auth).expect(200);
    expect(badges.body.items).toHaveLength(1);
    expectDocumented('get', '/api/v1/inbox/sla', badges);
    expectDocumented(
      'get',
      '/api/v1/inbox/sla-at-risk',
      await request(t.http).get('/api/v1/inbox/sla-at-risk').set(auth).expect(200),
    );
    expectDocumented(
      'patch',
      '/api/v1/me/preferences',
      await request(t.http).patch('/api/v1/me/preferences').set(auth).send({ locale: 'zh-CN' }).expect(200),
    );
    const macro = await request(t.http)
      .post('/api/v1/canned-replies')
      .set(auth)
      .send({
        shortcut: 'refund',
        title: '退款',
        body: '已为您退款。',
        actions: { status: 'solved', addTags: ['refund'] },
      })
      .expect(201);
    expectDocumented('post', '/api/v1/canned-replies', macro);
    expectDocumented(
      'patch',
      '/api/v1/canned-replies/{id}',
      await request(t.http)
        .patch(`/api/v1/canned-replies/${macro.body.id}`)
        .set(auth)
        .send({ shortcut: 'refund', title: 'Refund', body: 'Refunded.' })
        .expect(200),
    );
    expectDocumented(
      'get',
      '/api/v1/canned-replies',
      await request(t.http).get('/api/v1/canned-replies').set(auth).expect(200),
    );
  });

  it('for roles and API keys', async () => {
    const auth = ws.admin.auth;
    const role = await request(t.http)
      .post('/api/v1/roles')
      .set(auth)
      .send({ name: 'billing-lead', description: 'Billing', permissions: ['ticket.view_all', 'ticket.reply'] })
      .expect(201);
    expectDocumented('post', '/api/v1/roles', role);
    expectDocumented(
      'patch',
      '/api/v1/roles/{id}',
      await request(t.http).patch(`/api/v1/roles/${role.body.id}`).set(auth).send({ description: 'Bills' }).expect(200),
    );
    expectDocumented('get', '/api/v1/roles', await request(t.http).get('/api/v1/roles').set(auth).expect(200));
    const key = await request(t.http)
      .post('/api/v1/api-keys')
      .set(auth)
      .send({ name: 'crm', permissions: ['ticket.create'] })
      .expect(201);
    expectDocumented('post', '/api/v1/api-keys', key);
    await request(t.http)
      .get('/api/v1/me')
      .set({ Authorization: `Bearer ${key.body.key}` })
      .expect(200);
    await request(t.http).delete(`/api/v1/api-keys/${key.body.id}`).set(auth).expect(204);
    expectDocumented('get', '/api/v1/api-keys', await request(t.http).get('/api/v1/api-keys').set(auth).expect(200));
  });

  it('for SLA policies and business calendars', async () => {
    const auth = ws.admin.auth;
    const calendar = await request(t.http)
      .post('/api/v1/calendars')
      .set(auth)
      .send({
        name: 'Shanghai office',
        definition: { timezone: 'Asia/Shanghai', weekly: { mon: [['09:00', '18:00']] }, holidays: ['2026-10-01'] },
      })
      .expect(201);
    expectDocumented('post', '/api/v1/calendars', calendar);
    expectDocumented('get', '/api/v1/calendars', await request(t.http).get('/api/v1/calendars').set(auth).expect(200));
    const policy = await request(t.http)
      .post('/api/v1/sla-policies')
      .set(auth)
      .send({
        name: 'VIP',
        position: 1,
        conditions: { priorities: ['urgent'], tags: ['vip'] },
        targets: { urgent: { firstResponseMinutes: 10, resolutionMinutes: 240 } },
        calendarId: calendar.body.id,
        escalation: [{ afterMinutes: 5, action: 'notify_team_lead' }],
        warnAt: 0.5,
      })
      .expect(201);
    expectDocumented('post', '/api/v1/sla-policies', policy);
    expectDocumented(
      'patch',
      '/api/v1/sla-policies/{id}',
      await request(t.http)
        .patch(`/api/v1/sla-policies/${policy.body.id}`)
        .set(auth)
        .send({ name: 'VIP', targets: { urgent: { firstResponseMinutes: 15 } } })
        .expect(200),
    );
    expectDocumented(
      'get',
      '/api/v1/sla-policies',
      await request(t.http).get('/api/v1/sla-policies').set(auth).expect(200),
    );
  });

  it('for routing rules', async () => {
    const auth = ws.admin.auth;
    const team = await ws.team('Refunds');
    const rule = await request(t.http)
      .post('/api/v1/routing-rules')
      .set(auth)
      .send({
        name: '退款 to billing',
        conditions: { channels: ['email'], keywords: ['退款', 'refund'] },
        actions: { teamId: team, priority: 'high', addTags: ['refund'] },
      })
      .expect(201);
    expectDocumented('post', '/api/v1/routing-rules', rule);
    const id = rule.body.id;
    expectDocumented(
      'get',
      '/api/v1/routing-rules/{id}',
      await request(t.http).get(`/api/v1/routing-rules/${id}`).set(auth),
    );
    expectDocumented(
      'patch',
      '/api/v1/routing-rules/{id}',
      await request(t.http).patch(`/api/v1/routing-rules/${id}`).set(auth).send({ enabled: false }).expect(200),
    );
    expectDocumented(
      'get',
      '/api/v1/routing-rules',
      await request(t.http).get('/api/v1/routing-rules').set(auth).expect(200),
    );
    await request(t.http).patch(`/api/v1/routing-rules/${id}`).set(auth).send({ enabled: true }).expect(200);
    const dryRun = await request(t.http)
      .post('/api/v1/routing-rules/dry-run')
      .set(auth)
      .send({ channel: 'email', subject: '申请退款', body: '请帮我退款' })
      .expect(200);
    expect(dryRun.body.matched).toMatchObject({ id });
    expectDocumented('post', '/api/v1/routing-rules/dry-run', dryRun);
    const none = await request(t.http)
      .post('/api/v1/routing-rules/dry-run')
      .set(auth)
      .send({ channel: 'chat', subject: 'Hello' })
      .expect(200);
    expect(none.body.matched).toBeNull();
    expectDocumented('post', '/api/v1/routing-rules/dry-run', none);
  });

  it('for escalations, expert review, grants, followers, notifications and tag subscriptions', async () => {
    const rv = await WorkspaceSession.create(t);
    expectDocumented('get', '/api/v1/workspace', await request(t.http).get('/api/v1/workspace').set(rv.admin.auth));
    const settings = await request(t.http)
      .patch('/api/v1/workspace')
      .set(rv.admin.auth)
      .send({ settings: { expertReview: true, locale: 'zh-CN' } })
      .expect(200);
    expectDocumented('patch', '/api/v1/workspace', settings);
    const agent = await rv.person(['agent'], [], 'Agent');
    const engineer = await rv.person(['engineer'], [], 'Engineer');
    const web = await rv.webTicket('Sync fails', 'Sync fails every night.');
    await rv.assign(web.id, agent.id, agent.auth);

    const escalated = await request(t.http)
      .post(`/api/v1/tickets/${web.id}/escalations`)
      .set(agent.auth)
      .send({ target: { type: 'user', id: engineer.id }, reason: 'Why does sync fail?', grantMinutes: 60 })
      .expect(201);
    expectDocumented('post', '/api/v1/tickets/{id}/escalations', escalated);
    const listed = await eventually(async () => {
      const r = await request(t.http).get(`/api/v1/tickets/${web.id}/escalations`).set(agent.auth).expect(200);
      return r.body.items[0].handoff.length ? r : null;
    });
    expectDocumented('get', '/api/v1/tickets/{id}/escalations', listed);
    const acknowledged = await request(t.http)
      .post(`/api/v1/tickets/${web.id}/escalations/${escalated.body.id}/acknowledge`)
      .set(engineer.auth)
      .expect(200);
    expect(acknowledged.body.status).toBe('acknowledged');
    expectDocumented('post', '/api/v1/tickets/{id}/escalations/{escalationId}/acknowledge', acknowledged);
    const mine = await request(t.http).get('/api/v1/escalations/mine').set(engineer.auth).expect(200);
    expect(mine.body.items).toHaveLength(1);
    expectDocumented('get', '/api/v1/escalations/mine', mine);
    const grants = await request(t.http).get(`/api/v1/tickets/${web.id}/grants`).set(agent.auth).expect(200);
    expect(grants.body.items).toMatchObject([{ userId: engineer.id, reason: 'escalation' }]);
    expectDocumented('get', '/api/v1/tickets/{id}/grants', grants);

    const held = await request(t.http)
      .post(`/api/v1/tickets/${web.id}/messages`)
      .set(engineer.auth)
      .send({ body: 'A token expired; it is fixed now.' })
      .expect(202);
    const approved = await request(t.http)
      .post(`/api/v1/tickets/${web.id}/messages/${held.body.id}/approve`)
      .set(agent.auth)
      .expect(200);
    expect(approved.body).toMatchObject({ kind: 'public', author: { id: engineer.id } });
    expectDocumented('post', '/api/v1/tickets/{id}/messages/{messageId}/approve', approved);

    const followed = await request(t.http)
      .post(`/api/v1/tickets/${web.id}/followers`)
      .set(agent.auth)
      .send({ userId: engineer.id })
      .expect(200);
    expectDocumented('post', '/api/v1/tickets/{id}/followers', followed);
    expectDocumented(
      'get',
      '/api/v1/tickets/{id}/followers',
      await request(t.http).get(`/api/v1/tickets/${web.id}/followers`).set(agent.auth).expect(200),
    );

    const bell = await eventually(async () => {
      const r = await request(t.http).get('/api/v1/notifications').set(engineer.auth).expect(200);
      return r.body.items.some((n: { type: string }) => n.type === 'escalated') ? r : null;
    });
    expectDocumented('get', '/api/v1/notifications', bell);
    const read = await request(t.http).post('/api/v1/notifications/read').set(engineer.auth).send({ all: true });
    expect(read.body.marked).toBeGreaterThan(0);
    expectDocumented('post', '/api/v1/notifications/read', read);

    const subscribed = await request(t.http)
      .put('/api/v1/me/tag-subscriptions')
      .set(engineer.auth)
      .send({ tags: ['Sync', 'export'], digest: false })
      .expect(200);
    expect(subscribed.body).toEqual({ tags: ['export', 'sync'], digest: false });
    expectDocumented('put', '/api/v1/me/tag-subscriptions', subscribed);
    expectDocumented(
      'get',
      '/api/v1/me/tag-subscriptions',
      await request(t.http).get('/api/v1/me/tag-subscriptions').set(engineer.auth).expect(200),
    );
  });

  it('for linked issues', async () => {
    const auth = ws.admin.auth;
    const ticket = await ws.staffTicket(auth);
    const issue = await request(t.http)
      .post('/api/v1/linked-issues')
      .set(auth)
      .send({ key: 'DOC-1', title: 'Export times out', url: 'https://tracker.example/DOC-1' })
      .expect(201);
    expectDocumented('post', '/api/v1/linked-issues', issue);
    const id = issue.body.id;
    const link = await request(t.http)
      .post(`/api/v1/linked-issues/${id}/tickets`)
      .set(auth)
      .send({ ticketId: ticket.id })
      .expect(201);
    expectDocumented('post', '/api/v1/linked-issues/{id}/tickets', link);
    expectDocumented(
      'post',
      '/api/v1/linked-issues/{id}/tickets',
      await request(t.http).post(`/api/v1/linked-issues/${id}/tickets`).set(auth).send({ ticketId: ticket.id }),
    );
    expectDocumented(
      'patch',
      '/api/v1/linked-issues/{id}',
      await request(t.http)
        .patch(`/api/v1/linked-issues/${id}`)
        .set(auth)
        .send({ status: 'in_progress', shipMessage: 'Fixed: {{issue.title}}' })
        .expect(200),
    );
    const shipped = await request(t.http).post(`/api/v1/linked-issues/${id}/ship`).set(auth).send({}).expect(200);
    expect(shipped.body).toMatchObject({ shipped: true, ticketsToNotify: 1, issue: { shippedBy: { type: 'user' } } });
    expectDocumented('post', '/api/v1/linked-issues/{id}/ship', shipped);
    expectDocumented(
      'get',
      '/api/v1/linked-issues/{id}',
      await request(t.http).get(`/api/v1/linked-issues/${id}`).set(auth).expect(200),
    );
    expectDocumented(
      'get',
      '/api/v1/linked-issues',
      await request(t.http).get('/api/v1/linked-issues').set(auth).expect(200),
    );
    const ofTicket = await request(t.http).get(`/api/v1/tickets/${ticket.id}/linked-issues`).set(auth).expect(200);
    expect(ofTicket.body.items).toMatchObject([{ id, link: { notifiedAt: null } }]);
    expectDocumented('get', '/api/v1/tickets/{id}/linked-issues', ofTicket);
  });

  it('for surveys: the settings, the staff view, the link and the chat card', async () => {
    const auth = ws.admin.auth;
    expectDocumented(
      'get',
      '/api/v1/surveys/settings',
      await request(t.http).get('/api/v1/surveys/settings').set(auth).expect(200),
    );
    expectDocumented(
      'patch',
      '/api/v1/surveys/settings',
      await request(t.http).patch('/api/v1/surveys/settings').set(auth).send({ ces: true }).expect(200),
    );
    const web = await ws.webTicket('Refund please', 'Order 42');
    const none = await request(t.http).get(`/api/v1/tickets/${web.id}/survey`).set(auth).expect(200);
    expect(none.body).toEqual({ survey: null });
    expectDocumented('get', '/api/v1/tickets/{id}/survey', none);
    await solve(web.id);
    const [survey] = await eventually(async () => {
      const rows = await t.db.query(`SELECT * FROM surveys WHERE ticket_id = $1`, [web.id]);
      return rows.length ? rows : null;
    });
    const token = t.app.get(SurveysService).token(ws.workspace.id, survey.id, survey.expires_at);
    expectDocumented(
      'get',
      '/api/v1/public/surveys/{token}',
      await request(t.http).get(`/api/v1/public/surveys/${token}`).set('Accept', 'application/json').expect(200),
    );
    const answered = await request(t.http)
      .post(`/api/v1/public/surveys/${token}`)
      .send({ csat: 5, nps: 10, ces: 1, comment: 'Quick, thanks' })
      .expect(200);
    expectDocumented('post', '/api/v1/public/surveys/{token}', answered);
    const staff = await request(t.http).get(`/api/v1/tickets/${web.id}/survey`).set(auth).expect(200);
    expect(staff.body.survey.answer).toMatchObject({ csat: 5, changes: 0 });
    expectDocumented('get', '/api/v1/tickets/{id}/survey', staff);

    const conversation = await chat('My parcel is late');
    const visitor = { Authorization: `Bearer ${conversation.token}` };
    const noCard = await request(t.http).get('/api/v1/portal/surveys').set(visitor).expect(200);
    expect(noCard.body).toEqual({ survey: null });
    expectDocumented('get', '/api/v1/portal/surveys', noCard);
    await solve(conversation.ticketId);
    const card = await request(t.http).get('/api/v1/portal/surveys').set(visitor).expect(200);
    expect(card.body.survey).toMatchObject({ ticketId: conversation.ticketId, token: expect.any(String) });
    expectDocumented('get', '/api/v1/portal/surveys', card);
  });

  it('for reports: overview, scorecards, touchpoints and a refresh', async () => {
    const auth = ws.admin.auth;
    const team = await ws.team('Reports');
    const agent = await ws.person(['agent'], [team], 'Reporter');
    const ticket = await ws.staffTicket(auth, { teamId: team, assigneeId: agent.id, tags: ['report'] });
    await request(t.http).post(`/api/v1/tickets/${ticket.id}/messages`).set(agent.auth).send({ body: 'On it' });
    await solve(ticket.id);
    await request(t.http)
      .post(`/api/v1/public/${ws.workspace.slug}/touchpoints`)
      .send({ event: 'widget.opened' })
      .expect(204);
    const refreshed = await request(t.http).post('/api/v1/reports/refresh').set(auth).expect(200);
    expect(refreshed.body.tickets).toBeGreaterThan(0);
    expectDocumented('post', '/api/v1/reports/refresh', refreshed);

    const overview = await request(t.http).get('/api/v1/reports/overview?timezone=Asia/Shanghai').set(auth);
    expect(overview.body.volume.tickets).toBeGreaterThan(0);
    expectDocumented('get', '/api/v1/reports/overview', overview);
    for (const groupBy of ['person', 'team', 'role']) {
      const cards = await request(t.http).get(`/api/v1/reports/scorecards?groupBy=${groupBy}`).set(auth).expect(200);
      expect(cards.body.items.length).toBeGreaterThan(0);
      expectDocumented('get', '/api/v1/reports/scorecards', cards);
    }
    const touchpoints = await request(t.http).get('/api/v1/reports/touchpoints').set(auth).expect(200);
    expect(touchpoints.body.topics.tags).toEqual(expect.arrayContaining([{ tag: 'report', tickets: 1 }]));
    expectDocumented('get', '/api/v1/reports/touchpoints', touchpoints);
  });

  it('describes every JSON request body field by field', () => {
    const bare: string[] = [];
    for (const [path, item] of Object.entries<Record<string, any>>(doc.paths))
      for (const [method, op] of Object.entries<any>(item)) {
        const ref: string | undefined = op.requestBody?.content?.['application/json']?.schema?.$ref;
        const schema = ref ? doc.components.schemas[ref.split('/').pop()!] : undefined;
        if (ref && !schema?.properties && !schema?.allOf) bare.push(`${method.toUpperCase()} ${path}`);
      }
    expect(bare).toEqual([]);
  });

  it('catches a field the document does not describe', async () => {
    const ticket = await ws.staffTicket(ws.admin.auth);
    const validate = documented('patch', '/api/v1/tickets/{id}', 200);
    expect(validate(ticket)).toBe(true);
    expect(validate({ ...ticket, secret: 'x' })).toBe(false);
    expect(validate.errors).toEqual([expect.objectContaining({ keyword: 'additionalProperties' })]);
  });
});
