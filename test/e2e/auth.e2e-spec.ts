import request from 'supertest';
import { createTestApp, PASSWORD, TestApp, WorkspaceSession } from '@crewdesk/testing';

describe('staff auth, API keys and RBAC', () => {
  let t: TestApp;
  let ws: WorkspaceSession;

  beforeAll(async () => {
    t = await createTestApp();
    ws = await WorkspaceSession.create(t);
  });
  afterAll(() => t.close());

  it('signs up a workspace with its admin and refuses a taken slug', async () => {
    const res = await request(t.http)
      .post('/api/v1/workspaces')
      .send({ name: 'Dup', slug: ws.workspace.slug, admin: { email: 'x@example.com', name: 'X', password: PASSWORD } })
      .expect(409);
    expect(res.body.code).toBe('SLUG_TAKEN');
    const weak = await request(t.http)
      .post('/api/v1/workspaces')
      .send({ name: 'Weak', slug: 'weak-pass', admin: { email: 'x@example.com', name: 'X', password: 'short' } })
      .expect(400);
    expect(weak.body.code).toBe('VALIDATION_FAILED');
    const me = await request(t.http).get('/api/v1/me').set(ws.admin.auth).expect(200);
    expect(me.body).toMatchObject({ roles: ['admin'], workspace: { slug: ws.workspace.slug } });
    expect(me.body.permissions).toContain('user.manage');
    expect(me.body).not.toHaveProperty('passwordHash');
  });

  it('logs in, refreshes with rotation, detects refresh-token reuse and logs out at once', async () => {
    const wrong = await request(t.http)
      .post('/api/v1/auth/login')
      .send({ email: ws.admin.email, password: 'wrong password', workspace: ws.workspace.slug })
      .expect(401);
    expect(wrong.body.code).toBe('INVALID_CREDENTIALS');
    const nobody = await request(t.http)
      .post('/api/v1/auth/login')
      .send({ email: 'nobody@example.com', password: PASSWORD, workspace: ws.workspace.slug })
      .expect(401);
    expect(nobody.body.code).toBe('INVALID_CREDENTIALS');

    const login = await request(t.http)
      .post('/api/v1/auth/login')
      .send({ email: ws.admin.email.toUpperCase(), password: PASSWORD, workspace: ws.workspace.slug })
      .expect(200);
    expect(login.body.user.email).toBe(ws.admin.email);
    const refreshed = await request(t.http)
      .post('/api/v1/auth/refresh')
      .send({ refreshToken: login.body.refreshToken })
      .expect(200);
    await request(t.http).get('/api/v1/me').set('Authorization', `Bearer ${refreshed.body.accessToken}`).expect(200);
    // The old refresh token was rotated out: presenting it again ends the whole session.
    await request(t.http).post('/api/v1/auth/refresh').send({ refreshToken: login.body.refreshToken }).expect(401);
    await request(t.http).post('/api/v1/auth/refresh').send({ refreshToken: refreshed.body.refreshToken }).expect(401);
    await request(t.http).get('/api/v1/me').set('Authorization', `Bearer ${refreshed.body.accessToken}`).expect(401);

    const again = await request(t.http)
      .post('/api/v1/auth/login')
      .send({ email: ws.admin.email, password: PASSWORD, workspace: ws.workspace.slug })
      .expect(200);
    const auth = { Authorization: `Bearer ${again.body.accessToken}` };
    await request(t.http).post('/api/v1/auth/logout').set(auth).expect(204);
    const after = await request(t.http).get('/api/v1/me').set(auth).expect(401);
    expect(after.body.code).toBe('UNAUTHENTICATED');
    await request(t.http).post('/api/v1/auth/refresh').send({ refreshToken: again.body.refreshToken }).expect(401);
  });

  it('enforces role permissions: engineers answer tickets but cannot manage people', async () => {
    const team = await ws.team('Backend');
    const engineer = await ws.person(['engineer'], [team]);
    const product = await ws.person(['product'], [team]);
    const denied = await request(t.http)
      .post('/api/v1/users')
      .set(engineer.auth)
      .send({ email: 'e@example.com', name: 'E', password: PASSWORD, roles: ['admin'] })
      .expect(403);
    expect(denied.body).toMatchObject({ code: 'FORBIDDEN', details: { missing: ['user.manage'] } });
    await request(t.http)
      .post('/api/v1/api-keys')
      .set(product.auth)
      .send({ name: 'k', permissions: ['ticket.create'] })
      .expect(403);
    // Same ticket powers as an agent on the tickets they can see.
    const ticket = await ws.staffTicket(engineer.auth, { teamId: team });
    await request(t.http)
      .post(`/api/v1/tickets/${ticket.id}/messages`)
      .set(product.auth)
      .send({ body: 'We plan this for May.' })
      .expect(201);
    await request(t.http)
      .patch(`/api/v1/tickets/${ticket.id}`)
      .set(product.auth)
      .send({ version: 2, tags: ['feature-request'] })
      .expect(200);
  });

  it('supports roles as data: a custom role, and disabling a person ends their sessions', async () => {
    const role = await request(t.http)
      .post('/api/v1/roles')
      .set(ws.admin.auth)
      .send({ name: 'triage', permissions: ['ticket.view_all', 'ticket.note'] })
      .expect(201);
    expect(role.body).toMatchObject({ name: 'triage', builtin: false });
    const bad = await request(t.http)
      .post('/api/v1/roles')
      .set(ws.admin.auth)
      .send({ name: 'oops', permissions: ['everything'] })
      .expect(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
    const triage = await ws.person(['triage']);
    const ticket = await ws.staffTicket(ws.admin.auth);
    await request(t.http)
      .post(`/api/v1/tickets/${ticket.id}/messages`)
      .set(triage.auth)
      .send({ body: 'Looks like billing', internal: true })
      .expect(201);
    const reply = await request(t.http)
      .post(`/api/v1/tickets/${ticket.id}/messages`)
      .set(triage.auth)
      .send({ body: 'Hello customer' })
      .expect(403);
    expect(reply.body.details).toEqual({ missing: ['ticket.reply'] });
    await request(t.http)
      .patch(`/api/v1/users/${triage.id}`)
      .set(ws.admin.auth)
      .send({ status: 'disabled' })
      .expect(200);
    await request(t.http).get('/api/v1/me').set(triage.auth).expect(401);
    await request(t.http)
      .post('/api/v1/auth/login')
      .send({ email: triage.email, password: PASSWORD, workspace: ws.workspace.slug })
      .expect(401);
    const builtin = (await request(t.http).get('/api/v1/roles').set(ws.admin.auth).expect(200)).body.items.find(
      (r: { name: string }) => r.name === 'agent',
    );
    await request(t.http).delete(`/api/v1/roles/${builtin.id}`).set(ws.admin.auth).expect(403);
  });

  it('issues API keys that work until revoked', async () => {
    const created = await request(t.http)
      .post('/api/v1/api-keys')
      .set(ws.admin.auth)
      .send({ name: 'CRM', permissions: ['ticket.create'] })
      .expect(201);
    expect(created.body.key).toMatch(/^cdk_/);
    const key = { Authorization: `Bearer ${created.body.key}` };
    const ticket = await request(t.http)
      .post('/api/v1/tickets')
      .set(key)
      .send({ subject: 'From CRM', body: 'Sync', requester: { email: 'crm@example.com' } })
      .expect(201);
    expect(ticket.body.channel).toBe('api');
    const list = await request(t.http).get('/api/v1/api-keys').set(ws.admin.auth).expect(200);
    expect(JSON.stringify(list.body)).not.toContain(created.body.key);
    await request(t.http).delete(`/api/v1/api-keys/${created.body.id}`).set(ws.admin.auth).expect(204);
    const revoked = await request(t.http)
      .post('/api/v1/tickets')
      .set(key)
      .send({ subject: 'x', body: 'y', requester: { email: 'crm@example.com' } })
      .expect(401);
    expect(revoked.body.code).toBe('UNAUTHENTICATED');
    const audit = await request(t.http).get('/api/v1/audit-log').set(ws.admin.auth).expect(200);
    expect(audit.body.items.map((a: { action: string }) => a.action)).toEqual(
      expect.arrayContaining(['apikey.created', 'apikey.revoked']),
    );
  });
});
