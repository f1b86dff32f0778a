import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { I18nextProvider } from 'react-i18next';
import type { ApiClient } from '../api/client';
import type { Me } from '../api/types';
import { AppProvider, type Toast } from '../app/context';
import { createI18n, type Lang } from '../i18n';
import type { Live, TicketViewersPayload } from '../live/live';
import type { TicketEventPayload } from '@crewdesk/realtime-client';

export const ME: Me = {
  id: '00000000-0000-4000-8000-000000000001',
  email: 'wang@example.com',
  name: '小王',
  status: 'active',
  roles: ['agent'],
  teamIds: [],
  locale: 'en',
  timezone: 'UTC',
  skills: [],
  capacity: 20,
  createdAt: '2026-01-05T08:00:00.000Z',
  lastLoginAt: null,
  permissions: ['ticket.reply', 'ticket.note', 'ticket.update', 'user.read', 'customer.read', 'ticket.view_all'],
  workspace: { id: '00000000-0000-4000-8000-0000000000aa', name: 'Acme', slug: 'acme' },
};

/** A fake API answering by path prefix. */
export function fakeApi(routes: Record<string, unknown> = {}) {
  const calls: Array<{ method: string; path: string; body?: unknown }> = [];
  const answer = (method: string, path: string, body?: unknown) => {
    calls.push({ method, path, body });
    const key = Object.keys(routes).find((k) => `${method} ${path}`.startsWith(k));
    const v = key ? routes[key] : { items: [], nextCursor: null };
    return Promise.resolve(typeof v === 'function' ? (v as (b: unknown) => unknown)(body) : v);
  };
  const api = {
    calls,
    get: (p: string) => answer('GET', p),
    post: (p: string, b?: unknown) => answer('POST', p, b),
    patch: (p: string, b?: unknown) => answer('PATCH', p, b),
    del: (p: string) => answer('DELETE', p),
    upload: () => Promise.resolve({ id: 'a1', filename: 'x.png', contentType: 'image/png', size: 1 }),
    blob: () => Promise.resolve(new Blob()),
  };
  return api as unknown as ApiClient & { calls: typeof calls };
}

/** A stand-in for the socket: `emit` delivers a ticket event to the console's handlers. */
export function fakeLive() {
  const handlers = new Set<(e: TicketEventPayload) => void>();
  const viewerHandlers = new Set<(p: TicketViewersPayload) => void>();
  let seq = 100;
  const live = {
    state: 'online',
    onEvent: (fn: (e: TicketEventPayload) => void) => (handlers.add(fn), () => handlers.delete(fn)),
    onResync: () => () => undefined,
    onNotification: () => () => undefined,
    onState: () => () => undefined,
    onTyping: () => () => undefined,
    onViewing: () => () => undefined,
    onTicketViewers: (fn: (p: TicketViewersPayload) => void) => (
      viewerHandlers.add(fn),
      () => viewerHandlers.delete(fn)
    ),
    view: () => Promise.resolve(null),
    leave: () => undefined,
    typing: () => undefined,
    read: () => undefined,
    emit(type: string, ticketId: string, data: unknown) {
      const e = {
        id: String(++seq),
        type,
        ticketId,
        data: data as Record<string, unknown>,
        createdAt: new Date().toISOString(),
      };
      handlers.forEach((h) => h(e));
    },
    /** Delivers a `ticket.viewers` update (who has a ticket open). */
    emitViewers(ticketId: string, userIds: string[]) {
      viewerHandlers.forEach((h) => h({ ticketId, userIds }));
    },
  };
  return live as unknown as Live & { emit: typeof live.emit; emitViewers: typeof live.emitViewers };
}

export function renderWithApp(
  ui: ReactElement,
  opts: { api?: ApiClient; live?: Live; lang?: Lang; toasts?: Array<Omit<Toast, 'id'>>; me?: Me } = {},
) {
  const i18n = createI18n(opts.lang ?? 'en');
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const api = opts.api ?? fakeApi();
  const toasts = opts.toasts ?? [];
  const result = render(
    <I18nextProvider i18n={i18n}>
      <QueryClientProvider client={qc}>
        <AppProvider
          api={api}
          live={opts.live ?? null}
          me={opts.me ?? ME}
          setMe={() => undefined}
          toast={(t) => toasts.push(t)}
        >
          {ui}
        </AppProvider>
      </QueryClientProvider>
    </I18nextProvider>,
  );
  return { ...result, api, i18n, qc, toasts };
}
