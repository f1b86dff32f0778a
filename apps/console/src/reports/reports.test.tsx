import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client';
import { fakeApi, ME, renderWithApp } from '../test/render';
import { emptyOverview, overview, scorecards, touchpoints } from './fixtures';
import { formatSeconds } from './format';
import Reports from './reports';

// ECharts needs real layout; the component's contract is that it draws into the chart container.
vi.mock('./echarts-setup', () => ({
  init: (el: HTMLElement) => {
    el.appendChild(document.createElementNS('http://www.w3.org/2000/svg', 'svg'));
    return { setOption: vi.fn(), resize: vi.fn(), dispose: vi.fn() };
  },
}));

const ADMIN = { ...ME, permissions: [...ME.permissions, 'report.read'] };

function routes(over: Record<string, unknown> = {}) {
  return {
    'GET /api/v1/reports/overview': overview(),
    'GET /api/v1/reports/touchpoints': touchpoints(),
    'GET /api/v1/reports/scorecards': scorecards(ME.id),
    'GET /api/v1/teams': { items: [] },
    ...over,
  };
}

describe('formatSeconds', () => {
  it('formats durations with Intl in the viewer’s language', () => {
    expect(formatSeconds(7500, 'en')).toBe('2 hr 5 min');
    expect(formatSeconds(7500, 'zh-CN')).toBe('2小时5分钟');
    expect(formatSeconds(183600, 'en')).toBe('2 days 3 hr');
    expect(formatSeconds(42, 'en')).toBe('42 sec');
    expect(formatSeconds(null, 'en')).toBe('—');
  });
});

describe('the Reports screen', () => {
  beforeEach(() => {
    history.replaceState(null, '', '/reports');
  });
  afterEach(() => vi.restoreAllMocks());

  it('renders the headline tiles, Intl-formatted, and draws the charts into their containers', async () => {
    const api = fakeApi(routes());
    renderWithApp(<Reports section="overview" />, { api, me: ADMIN });
    const tiles = await screen.findByTestId('report-tiles');
    expect(tiles.textContent).toContain('12.4K');
    expect(screen.getByTestId('tile-first-response').textContent).toContain('2 hr 5 min');
    expect(screen.getByTestId('tile-resolution').textContent).toContain('2 days 3 hr');
    expect(screen.getByTestId('tile-sla-first_response').textContent).toContain('90%');
    expect(screen.getByTestId('tile-csat').textContent).toContain('75%');
    expect(screen.getByTestId('tile-nps').textContent).toContain('50');
    expect(screen.getByTestId('tile-ces').textContent).toContain('2.5');

    const day = screen.getByTestId('chart-volume-day');
    const container = day.querySelector('[data-testid="chart-container"]')!;
    expect(container.getAttribute('role')).toBe('img');
    expect(container.getAttribute('aria-label')).toBe('Tickets per day: 12,400 in all; the most on Nov 21 (600).');
    await waitFor(() => expect(container.querySelector('svg')).not.toBeNull());
    // The same data as a table for screen readers.
    expect(day.querySelector('table')!.textContent).toContain('Nov 21');
    expect(await screen.findByTestId('chart-funnel')).toBeTruthy();
    expect(screen.getByTestId('chart-funnel').querySelector('table')!.textContent).toContain('Widget opened');

    // Scorecards with the API's formula, and the period in the viewer's zone.
    expect((await screen.findByTestId('scorecards-table')).textContent).toContain('91.3');
    expect(screen.getByTestId('score-formula').textContent).toContain('score = (20 × response');
    const call = api.calls.find((c) => c.path.startsWith('/api/v1/reports/overview'))!;
    expect(call.path).toMatch(/from=.*&to=.*&timezone=/);
  });

  it('shows the figures in Chinese with Chinese number formats', async () => {
    renderWithApp(<Reports section="overview" />, { api: fakeApi(routes()), me: ADMIN, lang: 'zh-CN' });
    const tiles = await screen.findByTestId('report-tiles');
    expect(tiles.textContent).toContain('1.2万');
    expect(screen.getByTestId('tile-first-response').textContent).toContain('2小时5分钟');
    expect(screen.getByTestId('chart-volume-day').querySelector('figcaption')!.textContent).toBe('每日工单量');
  });

  it('says why it is empty when the period has no data', async () => {
    renderWithApp(<Reports section="overview" />, {
      api: fakeApi(routes({ 'GET /api/v1/reports/overview': emptyOverview() })),
      me: ADMIN,
    });
    expect((await screen.findByTestId('report-empty')).textContent).toMatch(/No tickets were created/);
    const day = screen.getByTestId('chart-volume-day');
    expect(day.textContent).toContain('No data in this period.');
    expect(day.querySelector('[data-testid="chart-container"]')).toBeNull();
    expect(screen.getByTestId('chart-backlog-age').textContent).toContain('No open tickets right now.');
  });

  it('shows an error with Retry, and retries', async () => {
    let fail = true;
    const api = fakeApi(
      routes({
        'GET /api/v1/reports/overview': () =>
          fail ? Promise.reject(new ApiError(500, 'INTERNAL', 'Database is down')) : overview(),
      }),
    );
    renderWithApp(<Reports section="overview" />, { api, me: ADMIN });
    // One retry for a server error (as in production), then the reason and a Retry button.
    const err = await screen.findByTestId('report-error', {}, { timeout: 4000 });
    expect(err.textContent).toContain('Database is down');
    fail = false;
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Retry' })));
    expect(await screen.findByTestId('report-tiles')).toBeTruthy();
  });

  it('tells people without report.read why, and shows them their own scorecard', async () => {
    const api = fakeApi(routes());
    renderWithApp(<Reports section="overview" />, { api, me: ME });
    const mine = await screen.findByTestId('my-scorecard');
    expect(mine.textContent).toContain('91.3');
    expect(api.calls.some((c) => c.path.startsWith('/api/v1/reports/overview'))).toBe(false);
    expect(api.calls.find((c) => c.path.startsWith('/api/v1/reports/scorecards'))!.path).toContain('groupBy=person');
  });

  it('exports CSV through the authenticated client (fetch + Blob), not a bare link', async () => {
    const api = fakeApi(routes());
    const blob = vi.fn(() => Promise.resolve(new Blob(['a,b'], { type: 'text/csv' })));
    (api as unknown as { blob: typeof blob }).blob = blob;
    const created = vi.fn(() => 'blob:x');
    Object.assign(URL, { createObjectURL: created, revokeObjectURL: vi.fn() });
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined);
    renderWithApp(<Reports section="overview" />, { api, me: ADMIN });
    await screen.findByTestId('report-tiles');
    await act(async () => fireEvent.click(screen.getByTestId('export-overview')));
    expect(blob).toHaveBeenCalledWith(expect.stringMatching(/^\/api\/v1\/reports\/overview\?.*format=csv/));
    expect(created).toHaveBeenCalled();
    expect(click).toHaveBeenCalled();
  });
});
