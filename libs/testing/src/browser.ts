import { execFileSync } from 'child_process';
import { existsSync, mkdirSync } from 'fs';
import { resolve } from 'path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CONSOLE_DIST } from '../../../apps/api/src/modules/console/console-assets.service';
import { WIDGET_BUNDLE } from '../../../apps/api/src/modules/widget/widget-assets.controller';
import { PASSWORD, WorkspaceSession } from './session';
import { createTestApp, TestApp } from './test-app';

const ROOT = resolve(__dirname, '../../..');
/** Debian's Chromium (`apt-get install chromium`), or the one CHROMIUM_PATH names. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Where the browser tests leave their screenshots. */
export const TEST_OUTPUT = resolve(ROOT, 'test-output');

/** Fails early, with what to do, when there is no Chromium; makes the screenshot folder. */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH`);
  mkdirSync(TEST_OUTPUT, { recursive: true });
}

/**
 * Launches the apt Chromium headless through playwright-core: no sandbox (containers have no user namespaces for
 * it), no GPU, and nothing that reaches out (QUIC, first-run, background networking, component updates, sync).
 */
export async function launchChromium(): Promise<Browser> {
  requireChromium();
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Builds what the browser loads (the console, the widget) when a plain `jest test/e2e/…` runs before `npm run build`. */
export function ensureBuilt(what: { console?: boolean; widget?: boolean }): void {
  const vite = resolve(ROOT, 'node_modules/vite/bin/vite.js');
  const build = (config: string) =>
    // NODE_ENV is `test` under jest, which would make Vite compile JSX for React's development runtime (a bundle that
    // fails in the browser with "jsxDEV is not a function"); the apps are always built for production.
    execFileSync(process.execPath, [vite, 'build', '--config', config], {
      cwd: ROOT,
      stdio: 'ignore',
      env: { ...process.env, NODE_ENV: 'production' },
    });
  if (what.console && !existsSync(resolve(CONSOLE_DIST, 'index.html'))) build('apps/console/vite.config.mts');
  if (what.widget && !existsSync(WIDGET_BUNDLE)) build('apps/widget/vite.config.mts');
}

/** Signs in to the console at `baseUrl` (in English or Chinese) and waits for the ticket list. */
export async function signInToConsole(page: Page, baseUrl: string, workspace: string, email: string): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.getByLabel(/Workspace|工作区/).fill(workspace);
  await page.getByLabel(/^(Email|邮箱)$/).fill(email);
  await page.getByLabel(/^(Password|密码)$/).fill(PASSWORD);
  await page.getByRole('button', { name: /Sign in|登录/ }).click();
  await page.getByTestId('ticket-list').waitFor();
}

export interface WidgetBrowser {
  t: TestApp;
  ws: WorkspaceSession;
  browser: Browser;
  /** Closes Chromium, then the API. */
  close(): Promise<void>;
}

/**
 * The API with a workspace, and Chromium, for the widget's tests (the built widget bundle is required). If a part
 * fails to start, what did start is closed before the error is thrown.
 */
export async function startWidgetBrowser(): Promise<WidgetBrowser> {
  if (!existsSync(WIDGET_BUNDLE)) throw new Error(`${WIDGET_BUNDLE} is missing: run npm run build:widget first`);
  requireChromium();
  let t: TestApp | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    await t?.close();
  };
  try {
    t = await createTestApp();
    const ws = await WorkspaceSession.create(t);
    browser = await launchChromium();
    return { t, ws, browser, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * A page in a context of its own (Chinese, 1280×800 unless said otherwise); `errors` collects its uncaught errors,
 * `trace` what it did on the wire and said on its console (requests, websocket frames), for a failure to explain itself.
 */
export async function openPage(
  browser: Browser,
  locale = 'zh-CN',
  viewport = { width: 1280, height: 800 },
): Promise<{ context: BrowserContext; page: Page; errors: string[]; trace: string[] }> {
  const context = await browser.newContext({ locale, viewport });
  const page = await context.newPage();
  const errors: string[] = [];
  const trace: string[] = [];
  const started = Date.now();
  const note = (line: string) => trace.push(`${String(Date.now() - started).padStart(6)} ms ${line.slice(0, 300)}`);
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (m) => note(`console.${m.type()} ${m.text()}`));
  page.on('requestfailed', (r) => note(`FAILED ${r.method()} ${r.url()} ${r.failure()?.errorText ?? ''}`));
  page.on('response', (r) => note(`${r.status()} ${r.request().method()} ${r.url()}`));
  page.on('websocket', (ws) => {
    note(`websocket ${ws.url()}`);
    ws.on('framesent', (f) => note(`ws> ${String(f.payload)}`));
    ws.on('framereceived', (f) => note(`ws< ${String(f.payload)}`));
    ws.on('close', () => note('websocket closed'));
  });
  return { context, page, errors, trace };
}

/** Runs `step`; when it fails, the error also carries the page's trace. */
export async function explained<T>(trace: string[], step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (err instanceof Error) {
      const told = `\n\nWhat the page did:\n${trace.join('\n')}\n`;
      err.message += told;
      if (err.stack) err.stack += told;
    }
    throw err;
  }
}
