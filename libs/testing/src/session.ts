import { randomBytes } from 'crypto';
import request from 'supertest';
import { TestApp } from './test-app';

export const PASSWORD = 'correct horse battery';
const uid = () => randomBytes(4).toString('hex');

export interface Staff {
  id: string;
  email: string;
  token: string;
  auth: { Authorization: string };
}

/**
 * A workspace of its own per test (novu's UserSession): sign-up, then people with roles and teams,
 * each signed in.
 */
export class WorkspaceSession {
  workspace: { id: string; slug: string; name: string };
  admin: Staff;

  constructor(private readonly t: TestApp) {}

  static async create(t: TestApp): Promise<WorkspaceSession> {
    const s = new WorkspaceSession(t);
    const slug = `ws-${uid()}`;
    const email = `admin-${uid()}@example.com`;
    const res = await request(t.http)
      .post('/api/v1/workspaces')
      .send({ name: `Workspace ${slug}`, slug, admin: { email, name: 'Admin', password: PASSWORD } })
      .expect(201);
    s.workspace = res.body.workspace;
    const me = await request(t.http)
      .get('/api/v1/me')
      .set('Authorization', `Bearer ${res.body.accessToken}`)
      .expect(200);
    s.admin = {
      id: me.body.id,
      email,
      token: res.body.accessToken,
      auth: { Authorization: `Bearer ${res.body.accessToken}` },
    };
    return s;
  }

  async team(name: string, memberIds: string[] = []): Promise<string> {
    const res = await request(this.t.http)
      .post('/api/v1/teams')
      .set(this.admin.auth)
      .send({ name, memberIds })
      .expect(201);
    return res.body.id;
  }

  async person(roles: string[], teamIds: string[] = [], name = 'Person'): Promise<Staff> {
    const email = `${roles[0]}-${uid()}@example.com`;
    const res = await request(this.t.http)
      .post('/api/v1/users')
      .set(this.admin.auth)
      .send({ email, name, password: PASSWORD, roles, teamIds })
      .expect(201);
    return { id: res.body.id, email, ...(await this.login(email)) };
  }

  async login(email: string): Promise<{ token: string; auth: { Authorization: string } }> {
    const res = await request(this.t.http)
      .post('/api/v1/auth/login')
      .send({ email, password: PASSWORD, workspace: this.workspace.slug })
      .expect(200);
    return { token: res.body.accessToken, auth: { Authorization: `Bearer ${res.body.accessToken}` } };
  }

  /** A ticket through the public web form, as a customer would: returns the ticket and the customer's token. */
  async webTicket(subject = 'Printer offline', body = 'My printer says offline.', email = `cust-${uid()}@example.com`) {
    const res = await request(this.t.http)
      .post(`/api/v1/public/${this.workspace.slug}/tickets`)
      // A documentation-range address of its own, so per-address rate limits of other tests never interfere.
      .set('X-Forwarded-For', `198.51.100.${Math.floor(Math.random() * 254) + 1}`)
      .send({ subject, body, email, name: 'Customer' })
      .expect(201);
    return {
      id: res.body.ticket.id as string,
      number: res.body.ticket.number as number,
      customer: { Authorization: `Bearer ${res.body.accessToken}` },
      email,
    };
  }

  /** Assigns a ticket as `by` (at its current version). */
  async assign(ticketId: string, assigneeId: string, by: { Authorization: string }): Promise<void> {
    const current = await request(this.t.http).get(`/api/v1/tickets/${ticketId}`).set(by).expect(200);
    await request(this.t.http)
      .patch(`/api/v1/tickets/${ticketId}`)
      .set(by)
      .send({ version: current.body.version, assigneeId })
      .expect(200);
  }

  async staffTicket(auth: { Authorization: string }, extra: Record<string, unknown> = {}) {
    const res = await request(this.t.http)
      .post('/api/v1/tickets')
      .set(auth)
      .send({
        subject: 'Invoice is wrong',
        body: 'Please fix the invoice.',
        requester: { email: `req-${uid()}@example.com` },
        ...extra,
      })
      .expect(201);
    return res.body;
  }
}

/** Row counts of the ticket tables, to prove a refused request wrote nothing. */
export async function counts(t: TestApp): Promise<Record<string, number>> {
  const [row] = await t.db.query(
    `SELECT (SELECT count(*) FROM tickets)::int AS tickets, (SELECT count(*) FROM messages)::int AS messages,
            (SELECT count(*) FROM ticket_events)::int AS events, (SELECT count(*) FROM audit_log)::int AS audit,
            (SELECT count(*) FROM customers)::int AS customers`,
  );
  return row;
}
