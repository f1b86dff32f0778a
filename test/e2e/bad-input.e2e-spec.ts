import request from 'supertest';
import { counts, createTestApp, TestApp, WorkspaceSession } from '@crewdesk/testing';

describe('bad input gets a 4xx with a stable code and writes nothing', () => {
  let t: TestApp;
  let ws: WorkspaceSession;
  const valid = { subject: 'Hello', body: 'Body', requester: { email: 'x@example.com' } };

  beforeAll(async () => {
    t = await createTestApp();
    ws = await WorkspaceSession.create(t);
  });
  afterAll(() => t.close());

  const cases: Array<[string, Record<string, unknown> | string, number, string]> = [
    ['an unknown field', { ...valid, hacker: true }, 400, 'VALIDATION_FAILED'],
    [
      'an unknown nested field',
      { ...valid, requester: { email: 'x@example.com', admin: true } },
      400,
      'VALIDATION_FAILED',
    ],
    ['a wrong priority', { ...valid, priority: 'asap' }, 400, 'VALIDATION_FAILED'],
    ['an over-long subject', { ...valid, subject: 'x'.repeat(501) }, 400, 'VALIDATION_FAILED'],
    ['a missing body', { subject: 'Hello', requester: { email: 'x@example.com' } }, 400, 'VALIDATION_FAILED'],
    ['a blank body', { ...valid, body: '   ' }, 400, 'VALIDATION_FAILED'],
    ['a body over 64 KB', { ...valid, body: 'x'.repeat(65537) }, 400, 'VALIDATION_FAILED'],
    ['a bad email', { ...valid, requester: { email: 'not-an-email' } }, 400, 'VALIDATION_FAILED'],
    ['no requester', { subject: 'Hello', body: 'Body' }, 400, 'VALIDATION_FAILED'],
    ['a requester with neither email nor phone', { ...valid, requester: { name: 'Nobody' } }, 400, 'VALIDATION_FAILED'],
    ['51 tags', { ...valid, tags: Array.from({ length: 51 }, (_, i) => `t${i}`) }, 400, 'VALIDATION_FAILED'],
    ['nested custom fields', { ...valid, customFields: { a: { b: 1 } } }, 400, 'VALIDATION_FAILED'],
    ['a string where an object belongs', { ...valid, requester: 'x@example.com' }, 400, 'VALIDATION_FAILED'],
    ['malformed JSON', '{"subject": "Hello", ', 400, 'MALFORMED_JSON'],
    ['a JSON array', '[1, 2]', 400, 'VALIDATION_FAILED'],
    ['a NUL character in the subject', { ...valid, subject: 'Hel\u0000lo' }, 400, 'VALIDATION_FAILED'],
    ['a NUL character in the body', { ...valid, body: '\u0000' }, 400, 'VALIDATION_FAILED'],
    ['a NUL character in a key', { ...valid, customFields: { ['a\u0000']: 'x' } }, 400, 'VALIDATION_FAILED'],
    ['10,000 nested arrays', `{"subject": ${'['.repeat(10_000)}${']'.repeat(10_000)}}`, 400, 'VALIDATION_FAILED'],
  ];

  it.each(cases)('refuses %s', async (_name, body, status, code) => {
    const before = await counts(t);
    const req = request(t.http).post('/api/v1/tickets').set(ws.admin.auth).set('content-type', 'application/json');
    const res = await req.send(typeof body === 'string' ? body : JSON.stringify(body)).expect(status);
    expect(res.body).toMatchObject({ code, message: expect.any(String) });
    expect(await counts(t)).toEqual(before);
  });

  it('names the basic problem first: a type before a range, a missing field before its length', async () => {
    const list = await request(t.http).get('/api/v1/tickets?limit=abc').set(ws.admin.auth).expect(400);
    expect(list.body.message).toBe('limit: limit must be an integer number');
    const create = await request(t.http)
      .post('/api/v1/tickets')
      .set(ws.admin.auth)
      .send({ body: 'Body', requester: { email: 'x@example.com' } })
      .expect(400);
    expect(create.body.message).toBe('subject: subject must be a string');
  });

  it('refuses a NUL character in a query string and in the public form', async () => {
    for (const [path, field] of [
      ['/api/v1/tickets?q=%00', 'q'],
      ['/api/v1/tickets?q=a%00b&status=open', 'q'],
      ['/api/v1/users?role=%00', 'role'],
    ]) {
      const res = await request(t.http).get(path).set(ws.admin.auth).expect(400);
      expect(res.body).toMatchObject({
        code: 'VALIDATION_FAILED',
        message: `${field}: must not contain NUL characters (U+0000)`,
      });
    }
    const before = await counts(t);
    const res = await request(t.http)
      .post(`/api/v1/public/${ws.workspace.slug}/tickets`)
      .send({ subject: 'Hi', body: 'a\u0000b', email: 'nul@example.com' })
      .expect(400);
    expect(res.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: 'body: must not contain NUL characters (U+0000)',
    });
    expect(await counts(t)).toEqual(before);
  });

  it('refuses half of a surrogate pair in a body, a key and a query string', async () => {
    const before = await counts(t);
    const problem = 'must be valid Unicode text (it holds half of a surrogate pair)';
    const res = await request(t.http)
      .post(`/api/v1/public/${ws.workspace.slug}/tickets`)
      .send({ subject: 'Hi \ud83d', body: 'ok', email: 'lone@example.com' })
      .expect(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', message: `subject: ${problem}` });
    const key = await request(t.http)
      .post('/api/v1/tickets')
      .set(ws.admin.auth)
      .send({ ...valid, customFields: { ['k\udc00']: 1 } })
      .expect(400);
    expect(key.body.message).toBe(`customFields.k\udc00: ${problem}`);
    const query = await request(t.http).get('/api/v1/tickets?q=%F0%9F%98%80%20ok').set(ws.admin.auth).expect(200);
    expect(query.body.items).toEqual([]);
    expect(await counts(t)).toEqual(before);
  });

  it('takes an upload cut short inside its format’s header as bytes, not a 500', async () => {
    const res = await request(t.http)
      .post('/api/v1/attachments')
      .set(ws.admin.auth)
      .attach('file', Buffer.from('89504e470d0a1a0a', 'hex'), { filename: 'logo.png', contentType: 'image/png' })
      .expect(201);
    expect(res.body).toMatchObject({ filename: 'logo.png', contentType: 'application/octet-stream', size: 8 });
  });

  it('refuses a requester id that names no customer of the workspace, with or without an Idempotency-Key', async () => {
    const other = await WorkspaceSession.create(t);
    const theirs = await request(t.http)
      .post('/api/v1/tickets')
      .set(other.admin.auth)
      .send({ ...valid, requester: { email: 'theirs@example.com' } })
      .expect(201);
    const before = await counts(t);
    for (const customerId of [theirs.body.requester.id, '00000000-0000-4000-8000-000000000000']) {
      for (const key of [undefined, `unknown-requester-${customerId}`]) {
        const req = request(t.http).post('/api/v1/tickets').set(ws.admin.auth);
        if (key) req.set('Idempotency-Key', key);
        const res = await req.send({ ...valid, requester: { customerId } }).expect(404);
        expect(res.body).toMatchObject({ code: 'NOT_FOUND', details: { field: 'requester.customerId' } });
      }
    }
    expect(await counts(t)).toEqual(before);
    // The workspace's own customer, by id, still works.
    const mine = await request(t.http).post('/api/v1/tickets').set(ws.admin.auth).send(valid).expect(201);
    const again = await request(t.http)
      .post('/api/v1/tickets')
      .set(ws.admin.auth)
      .send({ ...valid, requester: { customerId: mine.body.requester.id } })
      .expect(201);
    expect(again.body.requester.id).toBe(mine.body.requester.id);
  });

  it('refuses a 50 MB body with PAYLOAD_TOO_LARGE', async () => {
    const before = await counts(t);
    const huge = JSON.stringify({ ...valid, body: 'x'.repeat(50 * 1024 * 1024) });
    const res = await request(t.http)
      .post('/api/v1/tickets')
      .set(ws.admin.auth)
      .set('content-type', 'application/json')
      .send(huge);
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await counts(t)).toEqual(before);
  });

  it('refuses an invalid status transition with INVALID_TRANSITION and leaves the ticket as it was', async () => {
    const ticket = await ws.staffTicket(ws.admin.auth);
    const closed = await request(t.http)
      .patch(`/api/v1/tickets/${ticket.id}`)
      .set(ws.admin.auth)
      .send({ version: 1, status: 'solved' })
      .expect(200);
    const before = await counts(t);
    const res = await request(t.http)
      .patch(`/api/v1/tickets/${ticket.id}`)
      .set(ws.admin.auth)
      .send({ version: closed.body.version, status: 'new' })
      .expect(422);
    expect(res.body).toMatchObject({ code: 'INVALID_TRANSITION', details: { from: 'solved', to: 'new' } });
    const bad = await request(t.http)
      .patch(`/api/v1/tickets/${ticket.id}`)
      .set(ws.admin.auth)
      .send({ version: closed.body.version, status: 'done' })
      .expect(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
    expect(await counts(t)).toEqual(before);
    const [row] = await t.db.query(`SELECT status, version FROM tickets WHERE id = $1`, [ticket.id]);
    expect(row).toEqual({ status: 'solved', version: 2 });
  });

  it('refuses bad ids, cursors and headers with clear codes', async () => {
    const notUuid = await request(t.http).get('/api/v1/tickets/not-a-uuid').set(ws.admin.auth).expect(400);
    expect(notUuid.body.code).toBe('VALIDATION_FAILED');
    // A ticket number is a positive integer JavaScript counts exactly; larger ones (past PostgreSQL's bigint too) are
    // refused, not looked up.
    for (const [n, problem] of [
      ['99999999999999999999', 'number must not be greater than 9007199254740991'],
      ['abc', 'number must be an integer number'],
      ['0', 'number must not be less than 1'],
    ]) {
      const res = await request(t.http).get(`/api/v1/tickets/number/${n}`).set(ws.admin.auth).expect(400);
      expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', message: `number: ${problem}` });
    }
    await request(t.http).get('/api/v1/tickets/number/9007199254740991').set(ws.admin.auth).expect(404);
    const cursor = await request(t.http)
      .get('/api/v1/tickets')
      .query({ cursor: 'garbage' })
      .set(ws.admin.auth)
      .expect(400);
    expect(cursor.body.code).toBe('VALIDATION_FAILED');
    const limit = await request(t.http).get('/api/v1/tickets').query({ limit: 1000 }).set(ws.admin.auth).expect(400);
    expect(limit.body.code).toBe('VALIDATION_FAILED');
    const status = await request(t.http)
      .get('/api/v1/tickets')
      .query({ status: 'open,bogus' })
      .set(ws.admin.auth)
      .expect(400);
    expect(status.body.code).toBe('VALIDATION_FAILED');
    const key = await request(t.http)
      .post('/api/v1/tickets')
      .set(ws.admin.auth)
      .set('Idempotency-Key', 'x'.repeat(300))
      .send(valid)
      .expect(400);
    expect(key.body.code).toBe('VALIDATION_FAILED');
    const route = await request(t.http).get('/api/v1/nothing-here').set(ws.admin.auth).expect(404);
    expect(route.body.code).toBe('ROUTE_NOT_FOUND');
    const noAuth = await request(t.http).get('/api/v1/tickets').expect(401);
    expect(noAuth.body.code).toBe('UNAUTHENTICATED');
    const badToken = await request(t.http)
      .get('/api/v1/tickets')
      .set('Authorization', 'Bearer abc.def.ghi')
      .expect(401);
    expect(badToken.body.code).toBe('UNAUTHENTICATED');
  });

  it('refuses bad input on the public form and on replies', async () => {
    const before = await counts(t);
    const form = await request(t.http)
      .post(`/api/v1/public/${ws.workspace.slug}/tickets`)
      .send({ subject: 'x', body: 'y' })
      .expect(400);
    expect(form.body.code).toBe('VALIDATION_FAILED');
    const missing = await request(t.http)
      .post('/api/v1/public/no-such-workspace/tickets')
      .send({ subject: 'x', body: 'y', email: 'a@b.co' })
      .expect(404);
    expect(missing.body.code).toBe('NOT_FOUND');
    expect(await counts(t)).toEqual(before);
    const ticket = await ws.staffTicket(ws.admin.auth);
    const afterTicket = await counts(t);
    await request(t.http).post(`/api/v1/tickets/${ticket.id}/messages`).set(ws.admin.auth).send({}).expect(400);
    await request(t.http)
      .post(`/api/v1/tickets/${ticket.id}/messages`)
      .set(ws.admin.auth)
      .send({ body: 'x', internal: 'yes' })
      .expect(400);
    const mention = await request(t.http)
      .post(`/api/v1/tickets/${ticket.id}/messages`)
      .set(ws.admin.auth)
      .send({ body: 'x', mentions: ['00000000-0000-4000-8000-000000000000'] })
      .expect(400);
    expect(mention.body.code).toBe('VALIDATION_FAILED');
    expect(await counts(t)).toEqual(afterTicket);
  });

  it('stores HTML from a customer as text, never as markup', async () => {
    const res = await request(t.http)
      .post(`/api/v1/public/${ws.workspace.slug}/tickets`)
      .send({ subject: '<b>hi</b>', body: '<img src=x onerror=alert(1)>', email: 'xss@example.com' })
      .expect(201);
    const ticket = await request(t.http).get(`/api/v1/tickets/${res.body.ticket.id}`).set(ws.admin.auth).expect(200);
    expect(ticket.body.messages[0].body).toBe('<img src=x onerror=alert(1)>');
    expect(ticket.body.messages[0].html).toBe('<p>&lt;img src=x onerror=alert(1)&gt;</p>');
  });
});
