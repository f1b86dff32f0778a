import { resolve } from 'path';
import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { SurveysService } from '@crewdesk/insights';
import {
  ensureBuilt,
  eventually,
  launchChromium,
  MailStack,
  requireChromium,
  signInToConsole,
  startMailStack,
  TEST_OUTPUT,
  TestApp,
  WorkspaceSession,
} from '@crewdesk/testing';

/**
 * Reports in Chromium against the real API, worker and database: a ticket is answered and solved, its customer
 * answers the survey, and the admin opens Reports: tiles, ECharts drawings (in their lazy chunk), the survey on
 * the ticket, then the same screen in Chinese.
 */
describe('console reports in Chromium', () => {
  let t: TestApp;
  let ws: WorkspaceSession;
  let browser: Browser;
  let stack: MailStack;
  const errors: string[] = [];

  beforeAll(async () => {
    requireChromium();
    ensureBuilt({ console: true });
    stack = await startMailStack();
    t = stack.t;
    ws = await WorkspaceSession.create(t);
    browser = await launchChromium();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  const signIn = (page: Page, email: string) => signInToConsole(page, t.url, ws.workspace.slug, email);

  it('shows an admin the tiles and charts after a solved ticket and an answered survey, also in Chinese', async () => {
    const api = () => request(t.http);
    // 1. A web ticket, answered and solved by the admin; its survey is answered through the signed link.
    const ticket = await ws.webTicket('发票抬头错了', '请帮我修改发票抬头');
    await api()
      .post(`/api/v1/tickets/${ticket.id}/messages`)
      .set(ws.admin.auth)
      .send({ body: '好的，马上处理' })
      .expect(201);
    const current = await api().get(`/api/v1/tickets/${ticket.id}`).set(ws.admin.auth).expect(200);
    await api()
      .patch(`/api/v1/tickets/${ticket.id}`)
      .set(ws.admin.auth)
      .send({ version: current.body.version, status: 'solved', tags: ['billing'] })
      .expect(200);
    const survey = await eventually(async () => {
      const rows = await t.db.query(`SELECT id, expires_at FROM surveys WHERE ticket_id = $1`, [ticket.id]);
      return rows[0];
    });
    const token = t.app.get(SurveysService).token(ws.workspace.id, survey.id, survey.expires_at);
    await api()
      .post(`/api/v1/public/surveys/${token}`)
      .send({ csat: 5, nps: 10, ces: 2, comment: '很快，谢谢' })
      .expect(200);
    // A visitor opened the chat widget: the funnel's first step.
    await api()
      .post(`/api/v1/public/${ws.workspace.slug}/touchpoints`)
      .set('X-Forwarded-For', '198.51.100.77')
      .send({ event: 'widget.opened' })
      .expect(204);
    // The facts follow the event bus within ~200 ms; a rebuild makes the test independent of that timing.
    await api().post('/api/v1/reports/refresh').set(ws.admin.auth).expect(200);
    await eventually(async () => {
      const o = await api().get('/api/v1/reports/overview').set(ws.admin.auth).expect(200);
      return o.body.satisfaction.answered === 1 && o.body.volume.tickets >= 1;
    });

    // 2. The admin opens Reports from the top bar: tiles and drawn charts.
    const context = await browser.newContext({
      locale: 'en-US',
      timezoneId: 'Asia/Shanghai',
      viewport: { width: 1440, height: 1900 },
    });
    const page = await context.newPage();
    page.on('pageerror', (err) => errors.push(err.message));
    await signIn(page, ws.admin.email);
    await page.getByTestId('rail-reports').waitFor();
    await page.getByTestId('nav-reports').click();
    await page.getByTestId('report-tiles').waitFor();
    expect(await page.getByTestId('tile-csat').textContent()).toContain('100%');
    expect(await page.getByTestId('tile-nps').textContent()).toContain('100');
    const volume = page.getByTestId('chart-volume-day').getByTestId('chart-container');
    await volume.locator('svg, canvas').first().waitFor({ timeout: 15_000 });
    expect(await volume.getAttribute('aria-label')).toMatch(/Tickets per day: 1 in all/);
    await page.getByTestId('chart-by-role').getByTestId('chart-container').locator('svg').first().waitFor();
    await page.getByTestId('chart-funnel').getByTestId('chart-container').locator('svg').first().waitFor();
    expect(await page.getByTestId('chart-funnel').getByTestId('chart-container').getAttribute('aria-label')).toMatch(
      /^Widget opened 1 → Message sent 0/,
    );
    expect(await page.getByTestId('report-zone').textContent()).toContain('Asia/Shanghai');
    await page.getByTestId('scorecards-table').waitFor();
    expect(await page.getByTestId('score-formula').textContent()).toContain('score =');
    await page.screenshot({ path: resolve(TEST_OUTPUT, 'console-reports-1-en.png') });

    // 3. The CSV export downloads through the authenticated client.
    const download = page.waitForEvent('download');
    await page.getByTestId('export-overview').click();
    expect((await download).suggestedFilename()).toMatch(/^crewdesk-overview-.*\.csv$/);

    // 4. The survey on the ticket's sidebar.
    await page.goto(`${t.url}/tickets/${ticket.id}`);
    const panel = page.getByTestId('survey-panel');
    await panel.waitFor({ timeout: 15_000 });
    expect(await panel.getByTestId('survey-stars').getAttribute('aria-label')).toBe('5 of 5 stars');
    expect(await panel.textContent()).toContain('很快，谢谢');
    await page.screenshot({ path: resolve(TEST_OUTPUT, 'console-reports-2-survey.png') });

    // 5. Survey settings in admin: CES switched off.
    await page.goto(`${t.url}/admin/surveys`);
    await page.getByTestId('survey-ces-toggle').uncheck();
    await page.getByRole('button', { name: 'Save' }).click();
    await eventually(async () => {
      const s = await api().get('/api/v1/surveys/settings').set(ws.admin.auth).expect(200);
      return s.body.nps === true && s.body.ces === false;
    });

    // 6. Back to Reports, in Chinese.
    await page.getByTestId('nav-reports').click();
    await page.getByTestId('report-tiles').waitFor();
    await page.getByTestId('lang-select').selectOption('zh-CN');
    await page.locator('figcaption', { hasText: '每日工单量' }).waitFor();
    await page.getByTestId('chart-volume-day').getByTestId('chart-container').locator('svg').first().waitFor();
    expect(await page.getByTestId('tile-first-response').textContent()).toContain('首次响应');
    await page.screenshot({ path: resolve(TEST_OUTPUT, 'console-reports-3-zh.png') });
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});
