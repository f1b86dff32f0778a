import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Message, Page, TicketDetail } from '../api/types';
import { message, ticket } from '../test/fixtures';
import { fakeApi, renderWithApp } from '../test/render';
import { TicketPage } from './ticket-page';

const ID = 't1';
const LATEST = `GET /api/v1/tickets/${ID}/messages?order=desc&limit=50`;
const OLDER = `${LATEST}&cursor=`;

const detail = (cursor: string | null): TicketDetail => ({
  ...ticket(7, {
    id: ID,
    subject: 'Refund',
    status: 'open',
    channel: 'chat',
    requester: { id: 'c1', name: '小李', email: null },
  }),
  sla: [],
  messages: [message('m5'), message('m6')],
  messagesNextCursor: cursor,
});

/** A page as the API sends it with `order=desc`: newest first. */
const desc = (ids: string[], nextCursor: string | null): Page<Message> => ({
  items: ids.map((id) => message(id)).reverse(),
  nextCursor,
});

/** Stands in for jsdom's missing IntersectionObserver; `reveal` reports every observed target as in view. */
class FakeObserver {
  static all = new Set<FakeObserver>();
  targets = new Set<Element>();
  constructor(private cb: IntersectionObserverCallback) {
    FakeObserver.all.add(this);
  }
  observe(el: Element) {
    this.targets.add(el);
  }
  unobserve(el: Element) {
    this.targets.delete(el);
  }
  disconnect() {
    this.targets.clear();
    FakeObserver.all.delete(this);
  }
  takeRecords() {
    return [];
  }
  static reveal() {
    for (const o of [...FakeObserver.all]) {
      const entries = [...o.targets].map((target) => ({ target, isIntersecting: true }) as IntersectionObserverEntry);
      if (entries.length) o.cb(entries, o as unknown as IntersectionObserver);
    }
  }
}

/** A promise settled from the test, to hold a fetch in flight. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

function setup(routes: Record<string, unknown>) {
  const api = fakeApi(routes);
  const r = renderWithApp(<TicketPage ticketId={ID} viewId="mine" sideOpen={false} />, { api });
  const olderCalls = () => api.calls.filter((c) => `${c.method} ${c.path}`.startsWith(OLDER));
  const ids = () => screen.getAllByTestId('message').map((m) => m.dataset.id);
  return { ...r, api, olderCalls, ids };
}

describe('TicketPage: earlier messages', () => {
  beforeEach(() => vi.stubGlobal('IntersectionObserver', FakeObserver));
  afterEach(() => {
    vi.unstubAllGlobals();
    FakeObserver.all.clear();
  });

  it('loads the previous page once when scrolled to the top and prepends it in order', async () => {
    const older = deferred<Page<Message>>();
    const { olderCalls, ids } = setup({
      [OLDER]: () => older.promise,
      [LATEST]: desc(['m3', 'm4', 'm5', 'm6'], 'cur-1'),
      [`GET /api/v1/tickets/${ID}`]: detail('cur-0'),
    });
    await waitFor(() => expect(ids()).toEqual(['m3', 'm4', 'm5', 'm6']));

    // The sentinel reports "in view" twice while the first fetch is in flight: still one request.
    act(() => FakeObserver.reveal());
    act(() => FakeObserver.reveal());
    expect(olderCalls()).toHaveLength(1);
    expect(olderCalls()[0].path).toContain('cursor=cur-1');
    expect(screen.getByTestId('load-earlier').textContent).toContain('Loading earlier messages…');
    expect(screen.getByTestId('load-earlier').getAttribute('aria-disabled')).toBe('true');

    await act(async () => older.resolve(desc(['m1', 'm2'], null)));
    await waitFor(() => expect(ids()).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6']));
    // Nothing older now: no button, and the observer no longer asks.
    expect(screen.queryByTestId('load-earlier')).toBeNull();
    act(() => FakeObserver.reveal());
    expect(olderCalls()).toHaveLength(1);
  });

  it('keeps the loaded earlier pages when the ticket is refetched', async () => {
    const { qc, ids } = setup({
      [OLDER]: desc(['m1', 'm2'], null),
      [LATEST]: desc(['m3', 'm4'], 'cur-1'),
      [`GET /api/v1/tickets/${ID}`]: detail('cur-0'),
    });
    await waitFor(() => expect(ids()).toEqual(['m3', 'm4']));
    act(() => FakeObserver.reveal());
    await waitFor(() => expect(ids()).toEqual(['m1', 'm2', 'm3', 'm4']));
    await act(() => qc.invalidateQueries({ queryKey: ['ticket', ID] }));
    expect(ids()).toEqual(['m1', 'm2', 'm3', 'm4']);
    expect(screen.queryByTestId('load-earlier')).toBeNull();
  });

  it('says when the previous page fails and retries only from the button', async () => {
    let fail = true;
    const { olderCalls, ids } = setup({
      [OLDER]: () => (fail ? Promise.reject(new Error('offline')) : desc(['m1', 'm2'], null)),
      [LATEST]: desc(['m3', 'm4'], 'cur-1'),
      [`GET /api/v1/tickets/${ID}`]: detail('cur-0'),
    });
    await waitFor(() => expect(ids()).toEqual(['m3', 'm4']));
    act(() => FakeObserver.reveal());
    expect((await screen.findByRole('alert')).textContent).toBe(
      'Earlier messages could not be loaded. Try again with the button above.',
    );
    act(() => FakeObserver.reveal()); // no retry loop from the observer
    expect(olderCalls()).toHaveLength(1);
    fail = false;
    fireEvent.click(screen.getByRole('button', { name: 'Show earlier messages' }));
    await waitFor(() => expect(ids()).toEqual(['m1', 'm2', 'm3', 'm4']));
    expect(olderCalls()).toHaveLength(2);
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('does not fetch when there is nothing older', async () => {
    const { api, olderCalls, ids } = setup({ [`GET /api/v1/tickets/${ID}`]: detail(null) });
    await waitFor(() => expect(ids()).toEqual(['m5', 'm6']));
    act(() => FakeObserver.reveal());
    expect(screen.queryByTestId('load-earlier')).toBeNull();
    expect(olderCalls()).toHaveLength(0);
    expect(api.calls.map((c) => c.path)).not.toContain(LATEST.slice(4));
  });

  it('keeps the button working without IntersectionObserver', async () => {
    vi.stubGlobal('IntersectionObserver', undefined);
    const { olderCalls, ids } = setup({
      [OLDER]: desc(['m1', 'm2'], 'cur-2'),
      [LATEST]: desc(['m3', 'm4'], 'cur-1'),
      [`GET /api/v1/tickets/${ID}`]: detail('cur-0'),
    });
    const button = await screen.findByRole('button', { name: 'Show earlier messages' });
    fireEvent.click(button);
    await waitFor(() => expect(ids()).toEqual(['m1', 'm2', 'm3', 'm4']));
    expect(olderCalls()).toHaveLength(1);
    // There is still more: the button stays for the next page.
    expect(screen.getByTestId('load-earlier').textContent).toBe('Show earlier messages');
  });

  it('keeps the message on screen in place when older ones are prepended', async () => {
    // jsdom has no layout: each message is 100 px tall, below a 40 px button, in a 150 px high thread.
    const count = (el: Element) => el.querySelectorAll('[data-testid="message"]').length;
    const layout: Record<string, (el: HTMLElement) => number> = {
      offsetTop: (el) =>
        el.dataset.testid === 'message'
          ? 40 + [...el.parentElement!.querySelectorAll('[data-testid="message"]')].indexOf(el) * 100
          : 0,
      scrollHeight: (el) => (el.dataset.testid === 'thread' ? 40 + count(el) * 100 : 0),
      clientHeight: (el) => (el.dataset.testid === 'thread' ? 150 : 0),
    };
    const original = Object.keys(layout).map(
      (k) => [k, Object.getOwnPropertyDescriptor(HTMLElement.prototype, k)] as const,
    );
    for (const [k, get] of Object.entries(layout))
      Object.defineProperty(HTMLElement.prototype, k, {
        configurable: true,
        get(this: HTMLElement) {
          return get(this);
        },
      });
    try {
      const { ids } = setup({
        [OLDER]: desc(['m1', 'm2'], null),
        [LATEST]: desc(['m3', 'm4'], 'cur-1'),
        [`GET /api/v1/tickets/${ID}`]: detail('cur-0'),
      });
      await waitFor(() => expect(ids()).toEqual(['m3', 'm4']));
      const thread = screen.getByTestId('thread');
      expect(thread.scrollTop).toBe(240); // opened at its end
      thread.scrollTop = 10; // m3 is 30 px below the viewport's top
      fireEvent.scroll(thread);
      act(() => FakeObserver.reveal());
      await waitFor(() => expect(ids()).toEqual(['m1', 'm2', 'm3', 'm4']));
      // m3 now starts at 240 px; the view follows it, so it stays 30 px below the top.
      expect(thread.scrollTop).toBe(210);
      expect(screen.queryByRole('button', { name: /new message/ })).toBeNull();
    } finally {
      for (const [k, d] of original) if (d) Object.defineProperty(HTMLElement.prototype, k, d);
    }
  });
});
