import { existsSync, mkdirSync } from 'fs';
import { resolve } from 'path';
import { Browser, chromium } from 'playwright-core';
import request from 'supertest';
import { createTestApp, eventually, RecordingClient, TestApp, WorkspaceSession } from '@crewdesk/testing';
import { WIDGET_BUNDLE } from '../../apps/api/src/modules/widget/widget-assets.controller';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUTPUT = resolve(__dirname, '../../test-output');

describe('the survey card in the chat widget, in Chromium', () => {
  let t: TestApp;
  let ws: WorkspaceSession;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(WIDGET_BUNDLE)) throw new Error(`${WIDGET_BUNDLE} is missing: run npm run build:widget first`);
    if (!existsSync(CHROMIUM))
      throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH`);
    mkdirSync(OUTPUT, { recursive: true });
    t = await createTestApp();
    ws = await WorkspaceSession.create(t);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('counts the open, asks after the conversation is solved, stores the answer, and asks again after a reload', async () => {
    const agent = await ws.person(['agent'], [], '小王');
    const console_ = await RecordingClient.connect(t.url, '/agents', agent.token);
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    try {
      await page.goto(`${t.url}/widget-demo?workspace=${ws.workspace.slug}`);
      await page.getByTestId('crewdesk-launcher').click();
      await page.getByTestId('crewdesk-input').fill('发票开错了');
      await page.getByTestId('crewdesk-send').click();
      const created = await console_.waitFor((e) => e.some((x) => x.type === 'ticket.created'));
      const ticketId = created.find((x) => x.type === 'ticket.created')!.ticketId;
      const opened = await eventually(async () => {
        const [r] = await t.db.query(
          `SELECT coalesce(sum(count), 0)::int AS n FROM touchpoint_counts WHERE tenant_id = $1 AND metric = 'widget.opened'`,
          [ws.workspace.id],
        );
        return r.n >= 1 ? r.n : null;
      });
      expect(opened).toBe(1);

      const current = await request(t.http).get(`/api/v1/tickets/${ticketId}`).set(agent.auth).expect(200);
      await request(t.http)
        .patch(`/api/v1/tickets/${ticketId}`)
        .set(agent.auth)
        .send({ version: current.body.version, status: 'solved' })
        .expect(200);

      const card = page.getByTestId('crewdesk-survey');
      await card.waitFor();
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
      await page.screenshot({ path: resolve(OUTPUT, 'widget-survey.png') });

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
});
