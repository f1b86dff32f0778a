import { resolve } from 'path';
import type { Browser } from 'playwright-core';
import request from 'supertest';
import {
  openPage,
  RecordingClient,
  startWidgetBrowser,
  TEST_OUTPUT,
  TestApp,
  WidgetBrowser,
  WorkspaceSession,
} from '@crewdesk/testing';

const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000010000000100802000000909168360000001749444154789c63fccf80002606620000ec7c0c1fd31e2ad80000000049454e44ae426082',
  'hex',
);

describe('the chat widget in Chromium, on /widget-demo', () => {
  let t: TestApp;
  let ws: WorkspaceSession;
  let browser: Browser;
  let stack: WidgetBrowser;

  beforeAll(async () => {
    stack = await startWidgetBrowser();
    ({ t, ws, browser } = stack);
  });
  afterAll(() => stack?.close());

  it('sends a message and an image, and shows the agent reply as it arrives', async () => {
    const agent = await ws.person(['agent'], [], '小王');
    const console_ = await RecordingClient.connect(t.url, '/agents', agent.token);
    const { context, page, errors } = await openPage(browser);
    try {
      await page.goto(`${t.url}/widget-demo?workspace=${ws.workspace.slug}`);
      await page.getByTestId('crewdesk-launcher').click();
      await page.getByTestId('crewdesk-input').fill('你好，我的订单还没发货 <img src=x onerror=alert(1)>');
      await page.getByTestId('crewdesk-send').click();
      const mine = page.locator('[data-testid="crewdesk-message"][data-author="customer"]').first();
      await mine.waitFor();
      await page
        .locator('[data-testid="crewdesk-message"][data-author="customer"][data-state="sent"]')
        .first()
        .waitFor();
      await expectText(mine, '你好，我的订单还没发货 <img src=x onerror=alert(1)>');

      const created = await console_.waitFor((e) => e.some((x) => x.type === 'ticket.created'));
      const ticketId = created.find((x) => x.type === 'ticket.created')!.ticketId;

      await page
        .getByTestId('crewdesk-file-input')
        .setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: PNG });
      await page
        .locator(
          '[data-testid="crewdesk-message"][data-author="customer"][data-state="sent"] [data-testid="crewdesk-image"]',
        )
        .first()
        .waitFor();
      await console_.waitFor((e) =>
        e.some((x) => x.type === 'message.created' && ((x.data as any).message.attachmentIds ?? []).length === 1),
      );

      await request(t.http)
        .post(`/api/v1/tickets/${ticketId}/messages`)
        .set(agent.auth)
        .send({ body: '您好，马上为您查询订单。' })
        .expect(201);
      const reply = page.locator('[data-testid="crewdesk-message"][data-author="staff"]').last();
      await reply.waitFor();
      await expectText(reply, '您好，马上为您查询订单。');

      const stored = await request(t.http).get(`/api/v1/tickets/${ticketId}`).set(agent.auth).expect(200);
      expect(stored.body.channel).toBe('chat');
      expect(stored.body.messages.map((m: any) => m.attachments.length)).toEqual([0, 1, 0]);
      await page.screenshot({ path: resolve(TEST_OUTPUT, 'widget-demo.png') });
      expect(errors).toEqual([]);
    } finally {
      console_.close();
      await context.close();
    }
  });
});

async function expectText(locator: import('playwright-core').Locator, text: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    if ((await locator.textContent())?.includes(text)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(await locator.textContent()).toContain(text);
}
