import { resolve } from 'path';
import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import {
  eventually,
  explained,
  openPage,
  RecordingClient,
  startWidgetBrowser,
  TEST_OUTPUT,
  TestApp,
  WidgetBrowser,
  WorkspaceSession,
} from '@crewdesk/testing';

describe('the survey card in the chat widget, in Chromium', () => {
  let t: TestApp;
  let ws: WorkspaceSession;
  let browser: Browser;
  let stack: WidgetBrowser;

  beforeAll(async () => {
    stack = await startWidgetBrowser();
    ({ t, ws, browser } = stack);
  });
  afterAll(() => stack?.close());

  /** Opens the widget on its demo page and sends `text`: the new ticket's id, as the agent's socket saw it. */
  async function chat(page: Page, agentSocket: RecordingClient, text: string): Promise<string> {
    await page.goto(`${t.url}/widget-demo?workspace=${ws.workspace.slug}`);
    await page.getByTestId('crewdesk-launcher').click();
    await page.getByTestId('crewdesk-input').fill(text);
    await page.getByTestId('crewdesk-send').click();
    const created = await agentSocket.waitFor((e) => e.some((x) => x.type === 'ticket.created'));
    return created.find((x) => x.type === 'ticket.created')!.ticketId;
  }

  async function solve(ticketId: string, auth: { Authorization: string }): Promise<void> {
    const current = await request(t.http).get(`/api/v1/tickets/${ticketId}`).set(auth).expect(200);
    await request(t.http)
      .patch(`/api/v1/tickets/${ticketId}`)
      .set(auth)
      .send({ version: current.body.version, status: 'solved' })
      .expect(200);
  }

  it('counts the open, asks after the conversation is solved, stores the answer, and asks again after a reload', async () => {
    const agent = await ws.person(['agent'], [], '小王');
    const console_ = await RecordingClient.connect(t.url, '/agents', agent.token);
    const { context, page, errors, trace } = await openPage(browser);
    try {
      const ticketId = await chat(page, console_, '发票开错了');
      const opened = await eventually(async () => {
        const [r] = await t.db.query(
          `SELECT coalesce(sum(count), 0)::int AS n FROM touchpoint_counts WHERE tenant_id = $1 AND metric = 'widget.opened'`,
          [ws.workspace.id],
        );
        return r.n >= 1 ? r.n : null;
      });
      expect(opened).toBe(1);

      await solve(ticketId, agent.auth);

      const card = page.getByTestId('crewdesk-survey');
      await explained(trace, () => card.waitFor());
      expect(await card.textContent()).toContain('您对本次服务满意吗？');
      await card.getByRole('button', { name: /^5 \/ 5/ }).click();
      await card.getByRole('button', { name: /^9 \/ 10/ }).click();
      await card.getByRole('button', { name: '提交' }).click();
      await card.getByText('感谢您的反馈！').waitFor();
      const [survey] = await eventually(async () => {
        const rows = await t.db.query(`SELECT * FROM surveys WHERE ticket_id = $1 AND csat IS NOT NULL`, [ticketId]);
        return rows.length ? rows : null;
      });
      expect(survey).toMatchObject({ channel: 'chat', csat: 5, nps: 9, ces: null });
      await page.screenshot({ path: resolve(TEST_OUTPUT, 'widget-survey.png') });

      // Durable: after a reload (a new connection) the card is back, with the answer to change.
      await page.reload();
      await page.getByTestId('crewdesk-launcher').click();
      await page.getByTestId('crewdesk-survey').getByRole('button', { name: '修改' }).waitFor();
      expect(errors).toEqual([]);
    } finally {
      console_.close();
      await context.close();
    }
  });

  it('asks after a conversation solved before the ack of its first message reached the widget', async () => {
    const agent = await ws.person(['agent'], [], '小李');
    const console_ = await RecordingClient.connect(t.url, '/agents', agent.token);
    const { context, page, errors, trace } = await openPage(browser);
    // The widget's acks are held back until the solve's event has reached it: the order a busy server can produce
    // (the event is published at commit, the ack follows the handler's remaining work).
    let solveSeen = false;
    const held: Array<string | Buffer> = [];
    await page.routeWebSocket(/\/socket\.io\//, (route) => {
      const server = route.connectToServer();
      route.onMessage((m) => server.send(m));
      server.onMessage((m) => {
        const frame = String(m);
        if (!solveSeen && frame.startsWith('43/widget,')) return void held.push(m);
        route.send(m);
        if (!solveSeen && frame.includes('"ticket.updated"') && frame.includes('"solved"')) {
          solveSeen = true;
          for (const h of held.splice(0)) route.send(h);
        }
      });
    });
    try {
      await solve(await chat(page, console_, '退款还没到账'), agent.auth);
      await explained(trace, () => page.getByTestId('crewdesk-survey').getByRole('button', { name: '提交' }).waitFor());
      expect(solveSeen).toBe(true);
      expect(await page.getByTestId('crewdesk-panel').textContent()).toContain('退款还没到账');
      expect(errors).toEqual([]);
    } finally {
      console_.close();
      await context.close();
    }
  });
});
