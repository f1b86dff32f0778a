import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ticket } from '../api/types';
import { ticket } from '../test/fixtures';
import { fakeApi, fakeLive, ME, renderWithApp } from '../test/render';
import { TicketList } from './ticket-list';

// jsdom has no layout: give the scroller a size so the virtualizer renders rows.
const sizes = { offsetHeight: 600, offsetWidth: 340, clientHeight: 600, clientWidth: 340 };
const original: Record<string, PropertyDescriptor | undefined> = {};
beforeAll(() => {
  for (const [k, v] of Object.entries(sizes)) {
    original[k] = Object.getOwnPropertyDescriptor(HTMLElement.prototype, k);
    Object.defineProperty(HTMLElement.prototype, k, { configurable: true, get: () => v });
  }
});
afterAll(() => {
  for (const [k, d] of Object.entries(original)) if (d) Object.defineProperty(HTMLElement.prototype, k, d);
});

function setup(pages: Ticket[][], routes: Record<string, unknown> = {}) {
  let call = 0;
  const api = fakeApi({
    ...routes,
    'GET /api/v1/tickets?': () => ({ items: pages[Math.min(call++, pages.length - 1)], nextCursor: null }),
    'GET /api/v1/inbox/sla': { items: [] },
    'GET /api/v1/users': { items: [], nextCursor: null },
  });
  const live = fakeLive();
  const r = renderWithApp(
    <TicketList
      viewId="unassigned"
      ticketId={null}
      filters={{}}
      onFilters={() => undefined}
      onSaveView={() => undefined}
    />,
    { api, live },
  );
  return { ...r, api, live, listCalls: () => api.calls.filter((c) => c.path.startsWith('/api/v1/tickets?')).length };
}

describe('TicketList', () => {
  it('asks the API for the view with keyset paging and shows rows with the state in text', async () => {
    const { api } = setup([[ticket(1), ticket(2, { priority: 'urgent', status: 'open' })]]);
    await screen.findByText('#2 Subject 2');
    const call = (api as unknown as { calls: Array<{ path: string }> }).calls.find((c) =>
      c.path.startsWith('/api/v1/tickets?'),
    )!;
    expect(call.path).toContain('assigneeId=none');
    expect(call.path).toContain('status=new%2Copen%2Cpending%2Con_hold');
    expect(call.path).toContain('sort=updated');
    expect(call.path).toContain('limit=50');
    expect(screen.getAllByTestId('ticket-row')).toHaveLength(2);
    expect(within(screen.getAllByTestId('ticket-row')[1]).getByText('Urgent')).toBeTruthy();
  });

  it('holds arrivals in an "N new" pill while scrolled down, never moving the rows', async () => {
    const { live, listCalls } = setup([
      [ticket(1), ticket(2)],
      [ticket(3), ticket(1), ticket(2)],
    ]);
    await screen.findByText('#1 Subject 1');
    const scroller = screen.getByTestId('ticket-list');
    scroller.scrollTop = 200;
    act(() => live.emit('ticket.created', ticket(3).id, { status: 'new', assigneeId: null, priority: 'normal' }));
    const pill = await screen.findByTestId('new-pill');
    expect(pill.textContent).toBe('1 new ticket');
    expect(screen.getAllByTestId('ticket-row').map((r) => r.textContent)).not.toContain(
      expect.stringContaining('Subject 3'),
    );
    expect(listCalls()).toBe(1);
    // An arrival that does not belong here (assigned to someone) is not counted.
    act(() => live.emit('ticket.created', ticket(4).id, { status: 'new', assigneeId: 'someone' }));
    expect(pill.textContent).toBe('1 new ticket');
    fireEvent.click(pill);
    await screen.findByText('#3 Subject 3');
    expect(screen.queryByTestId('new-pill')).toBeNull();
  });

  it('merges at once when at the top, and updates known rows in place', async () => {
    const { live, listCalls } = setup([
      [ticket(1), ticket(2)],
      [ticket(5), ticket(1), ticket(2)],
    ]);
    await screen.findByText('#1 Subject 1');
    act(() =>
      live.emit('ticket.updated', ticket(2).id, { changes: { priority: { from: 'normal', to: 'high' } }, version: 2 }),
    );
    await waitFor(() => expect(within(screen.getAllByTestId('ticket-row')[1]).queryByText('High')).toBeTruthy());
    expect(listCalls()).toBe(1);
    act(() => live.emit('ticket.created', ticket(5).id, { status: 'new', assigneeId: null }));
    await screen.findByText('#5 Subject 5');
    await waitFor(() => expect(listCalls()).toBe(2));
    expect(screen.queryByTestId('new-pill')).toBeNull();
  });

  it('shows an eye on rows someone else has open, from the viewers endpoint and then live', async () => {
    const other = '00000000-0000-4000-8000-0000000000aa';
    const { api, live } = setup([[ticket(1), ticket(2)]], {
      'GET /api/v1/tickets/viewers': { [ticket(1).id]: [other, ME.id], [ticket(2).id]: [ME.id] },
    });
    const eye = await screen.findByTestId('row-viewers');
    const rows = () => screen.getAllByTestId('ticket-row');
    expect(rows()[0].contains(eye)).toBe(true);
    expect(eye.getAttribute('aria-label')).toBe('Open by 1 other');
    expect(eye.getAttribute('title')).toBe('Open by 1 other');
    // Only I have the second one open: no eye.
    expect(within(rows()[1]).queryByTestId('row-viewers')).toBeNull();
    const call = api.calls.find((c) => c.path.startsWith('/api/v1/tickets/viewers'))!;
    expect(call.path).toBe(`/api/v1/tickets/viewers?ids=${ticket(1).id},${ticket(2).id}`);

    act(() => live.emitViewers(ticket(1).id, []));
    await waitFor(() => expect(within(rows()[0]).queryByTestId('row-viewers')).toBeNull());
    act(() => live.emitViewers(ticket(2).id, [ME.id, other, '00000000-0000-4000-8000-0000000000bb']));
    const second = await within(rows()[1]).findByRole('img', { name: 'Open by 2 others' });
    expect(second.querySelector('svg')).toBeTruthy();
  });

  it('selects a range with Shift-click and changes them together, with Undo', async () => {
    const { api, toasts } = setup([[ticket(1), ticket(2), ticket(3)]]);
    await screen.findByText('#3 Subject 3');
    fireEvent.click(screen.getByLabelText('Select ticket #1'));
    fireEvent.click(screen.getByLabelText('Select ticket #3'), { shiftKey: true });
    const bar = screen.getByTestId('bulk-bar');
    expect(bar.textContent).toContain('3 selected');
    await act(async () => {
      fireEvent.change(within(bar).getByLabelText('Priority'), { target: { value: 'high' } });
    });
    const patches = (api as unknown as { calls: Array<{ method: string; path: string; body?: unknown }> }).calls.filter(
      (c) => c.method === 'PATCH',
    );
    expect(patches.map((c) => c.body)).toEqual([1, 2, 3].map(() => ({ version: 1, priority: 'high' })));
    await waitFor(() => expect(toasts.some((x) => x.action?.label === 'Undo')).toBe(true));
  });

  it('says why it is empty', async () => {
    setup([[]]);
    await screen.findByText(/Nothing to do here/);
    expect(ME.id).toBeTruthy();
  });
});
