import request from 'supertest';
import { createTestApp, TestApp, WorkspaceSession } from '@crewdesk/testing';

describe('public endpoints: rate limits, sign-up switch, attachments', () => {
  let t: TestApp;
  let ws: WorkspaceSession;
  const saved = { ...process.env };

  beforeAll(async () => {
    process.env.PUBLIC_RATE_LIMIT = '5';
    process.env.SIGNUP_ENABLED = 'false';
    process.env.MAX_ATTACHMENT_BYTES = String(64 * 1024);
    t = await createTestApp();
    ws = new WorkspaceSession(t);
    // Sign-up is off for this app: make the workspace directly through the service.
    const { WorkspacesService } = await import('../../apps/api/src/modules/workspaces/workspaces.service');
    const made = await t.app.get(WorkspacesService).create({
      name: 'Limits',
      slug: `limits-${Date.now()}`,
      admin: { email: 'admin@limits.example', name: 'A', password: 'correct horse battery' },
    });
    ws.workspace = made.workspace as never;
    const login = await ws.login('admin@limits.example');
    ws.admin = { id: made.adminId, email: 'admin@limits.example', ...login };
  });
  afterAll(async () => {
    process.env = saved;
    await t.close();
  });

  it('turns sign-up off by config', async () => {
    const res = await request(t.http)
      .post('/api/v1/workspaces')
      .set('X-Forwarded-For', '192.0.2.77')
      .send({ name: 'N', slug: 'nope-nope', admin: { email: 'a@b.co', name: 'A', password: 'correct horse battery' } })
      .expect(403);
    expect(res.body.code).toBe('SIGNUP_DISABLED');
  });

  it('rate-limits the web form per address with RATE_LIMITED and Retry-After', async () => {
    const statuses: number[] = [];
    let last: request.Response | undefined;
    for (let i = 0; i < 7; i++) {
      last = await request(t.http)
        .post(`/api/v1/public/${ws.workspace.slug}/tickets`)
        .set('X-Forwarded-For', '203.0.113.9')
        .send({ subject: `s${i}`, body: 'b', email: 'rl@example.com' });
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 4).every((s) => s === 201)).toBe(true);
    expect(statuses.slice(-1)).toEqual([429]);
    expect(last!.body.code).toBe('RATE_LIMITED');
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('stores attachments with the type sniffed from the bytes, and shows customers only public ones', async () => {
    const png = Buffer.from(
      '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201e2b6c1d90000000049454e44ae426082',
      'hex',
    );
    const up = await request(t.http)
      .post('/api/v1/attachments')
      .set(ws.admin.auth)
      .attach('file', png, { filename: 'report.txt', contentType: 'text/plain' })
      .expect(201);
    expect(up.body).toMatchObject({ filename: 'report.txt', contentType: 'image/png', size: png.length });
    const secret = await request(t.http)
      .post('/api/v1/attachments')
      .set(ws.admin.auth)
      .attach('file', Buffer.from('internal stack trace'), 'trace.log')
      .expect(201);
    expect(secret.body.contentType).toBe('text/plain');

    const webTicket = await ws.webTicket();
    await request(t.http)
      .post(`/api/v1/tickets/${webTicket.id}/messages`)
      .set(ws.admin.auth)
      .send({ body: 'Screenshot attached', attachmentIds: [up.body.id] })
      .expect(201);
    await request(t.http)
      .post(`/api/v1/tickets/${webTicket.id}/messages`)
      .set(ws.admin.auth)
      .send({ body: 'log', internal: true, attachmentIds: [secret.body.id] })
      .expect(201);
    // An attachment can be used once.
    const reuse = await request(t.http)
      .post(`/api/v1/tickets/${webTicket.id}/messages`)
      .set(ws.admin.auth)
      .send({ body: 'again', attachmentIds: [up.body.id] })
      .expect(400);
    expect(reuse.body.code).toBe('ATTACHMENT_INVALID');

    const file = await request(t.http)
      .get(`/api/v1/portal/attachments/${up.body.id}`)
      .set(webTicket.customer)
      .expect(200);
    expect(file.headers['content-type']).toBe('image/png');
    expect(file.headers['x-content-type-options']).toBe('nosniff');
    await request(t.http).get(`/api/v1/portal/attachments/${secret.body.id}`).set(webTicket.customer).expect(404);
    const staff = await request(t.http).get(`/api/v1/attachments/${secret.body.id}`).set(ws.admin.auth).expect(200);
    expect(staff.headers['content-disposition']).toMatch(/^inline; filename="trace.log"/);

    const big = await request(t.http)
      .post('/api/v1/attachments')
      .set(ws.admin.auth)
      .attach('file', Buffer.alloc(100 * 1024, 1), 'big.bin');
    expect(big.status).toBe(413);
    expect(big.body.code).toBe('PAYLOAD_TOO_LARGE');
    const notMultipart = await request(t.http)
      .post('/api/v1/attachments')
      .set(ws.admin.auth)
      .send({ file: 'x' })
      .expect(415);
    expect(notMultipart.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });
});
