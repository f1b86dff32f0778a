import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'fs';
import { resolve } from 'path';
import request from 'supertest';
import { createTestApp, PASSWORD, TestApp, WorkspaceSession } from '@crewdesk/testing';

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
    if (!schema?.$ref && !schema?.oneOf) throw new Error(`${key}: no response schema documented`);
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
  afterAll(() => t.close());

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
