import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client';
import type { CannedReply } from '../api/types';
import type { Toast } from '../app/context';
import { clearDraft } from '../lib/drafts';
import { ticket } from '../test/fixtures';
import { fakeApi, renderWithApp } from '../test/render';
import { Composer, filterCanned, tokenAt, type SendInput } from './composer';

const canned = (id: string, shortcut: string, title: string, body: string): CannedReply => ({
  id,
  shortcut,
  title,
  body,
  actions: {},
  createdAt: '2026-11-01T00:00:00.000Z',
  updatedAt: '2026-11-01T00:00:00.000Z',
});
const CANNED = [
  canned('c1', 'refund', 'Refund policy', 'Refunds take 3 days.'),
  canned('c2', 'hello', 'Greeting', '您好，感谢联系我们！'),
  canned('c3', 'bye', 'Closing (refund done)', 'Bye!'),
];
const USERS = {
  items: [
    { id: 'u2', name: '老陈 Chen', email: 'chen@example.com', status: 'active', roles: ['engineer'], teamIds: [] },
  ],
  nextCursor: null,
};

function setup(props: Partial<Parameters<typeof Composer>[0]> = {}) {
  const onSend = vi.fn().mockResolvedValue(undefined);
  const onTyping = vi.fn();
  const api = fakeApi({
    'GET /api/v1/canned-replies': { items: CANNED, nextCursor: null },
    'GET /api/v1/users': USERS,
  });
  const r = renderWithApp(
    <Composer ticketId="t1" chat={false} canReply canNote onSend={onSend} onTyping={onTyping} {...props} />,
    { api },
  );
  return { ...r, onSend, onTyping, input: () => screen.getByTestId('composer-input') as HTMLTextAreaElement };
}

describe('Composer', () => {
  it('shows reply and internal note unmistakably apart', async () => {
    const { input } = setup();
    expect(screen.getByTestId('composer').dataset.mode).toBe('reply');
    expect(screen.getByTestId('composer-send').textContent).toBe('Send to customer');
    expect(screen.queryByTestId('note-hint')).toBeNull();
    await userEvent.click(screen.getByTestId('tab-note'));
    expect(screen.getByTestId('composer').dataset.mode).toBe('note');
    expect(screen.getByTestId('composer').className).toContain('composer-note');
    expect(screen.getByTestId('composer-send').textContent).toContain('Add note');
    expect(screen.getByTestId('note-hint').textContent).toContain('Internal only');
    expect(screen.getByRole('tab', { name: /Internal note/ }).getAttribute('aria-selected')).toBe('true');
    expect(input().placeholder).toMatch(/internal note/);
  });

  it('keeps one draft per mode', async () => {
    const { input, unmount } = setup();
    await userEvent.type(input(), 'public words');
    await userEvent.click(screen.getByTestId('tab-note'));
    expect(input().value).toBe('');
    await userEvent.type(input(), 'private words');
    await userEvent.click(screen.getByTestId('tab-reply'));
    expect(input().value).toBe('public words');
    unmount();
    setup();
    expect((screen.getByTestId('composer-input') as HTMLTextAreaElement).value).toBe('public words');
  });

  it('never sends on the Enter that picks an IME candidate', () => {
    const { input, onSend } = setup({ chat: true });
    fireEvent.change(input(), { target: { value: 'nihao' } });
    fireEvent.keyDown(input(), { key: 'Enter', isComposing: true });
    fireEvent.keyDown(input(), { key: 'Enter', keyCode: 229 });
    expect(onSend).not.toHaveBeenCalled();
    fireEvent.keyDown(input(), { key: 'Enter', shiftKey: true });
    expect(onSend).not.toHaveBeenCalled();
    fireEvent.keyDown(input(), { key: 'Enter' });
    expect(onSend).toHaveBeenCalledWith({ body: 'nihao', internal: false, mentions: [], attachments: [] });
  });

  it('sends mail replies with Ctrl+Enter only', () => {
    const { input, onSend } = setup({ chat: false });
    fireEvent.change(input(), { target: { value: 'Dear customer' } });
    fireEvent.keyDown(input(), { key: 'Enter' });
    expect(onSend).not.toHaveBeenCalled();
    fireEvent.keyDown(input(), { key: 'Enter', ctrlKey: true });
    expect(onSend).toHaveBeenCalledOnce();
  });

  it('inserts a canned reply with / and leaves it editable', async () => {
    const { input } = setup();
    await waitFor(() => expect(screen.queryByRole('listbox')).toBeNull());
    fireEvent.change(input(), { target: { value: '/hel', selectionStart: 4 } });
    await screen.findByRole('option', { name: /\/hello/ });
    fireEvent.keyDown(input(), { key: 'Enter' });
    expect(input().value).toBe('您好，感谢联系我们！');
    expect(screen.queryByRole('listbox')).toBeNull();
  });

  it('mentions a person in a note and sends their id', async () => {
    const { input, onSend } = setup();
    await userEvent.click(screen.getByTestId('tab-note'));
    fireEvent.change(input(), { target: { value: 'Please look @老', selectionStart: 14 } });
    const option = await screen.findByRole('option', { name: /@老陈 Chen/ });
    fireEvent.mouseDown(option);
    expect(input().value).toBe('Please look @老陈 Chen ');
    await act(async () => {
      fireEvent.click(screen.getByTestId('composer-send'));
    });
    expect(onSend).toHaveBeenCalledWith({
      body: 'Please look @老陈 Chen',
      internal: true,
      mentions: ['u2'],
      attachments: [],
    });
  });

  it('signals typing with the mode', () => {
    const { input, onTyping } = setup();
    fireEvent.change(input(), { target: { value: 'h' } });
    expect(onTyping).toHaveBeenCalledWith('reply', true);
  });
});

describe('Composer macros', () => {
  const MACRO = {
    id: 'm1',
    shortcut: 'refunded',
    title: 'Refund done',
    body: 'Your refund is on its way.',
    actions: { status: 'solved', priority: 'high', addTags: ['refund'] },
  };

  /** A composer whose onSend posts the message through the fake API, so the calls show their order. */
  function setupMacro(routes: Record<string, unknown> = {}) {
    const api = fakeApi({
      'GET /api/v1/canned-replies': { items: [...CANNED, MACRO], nextCursor: null },
      'GET /api/v1/users': USERS,
      'GET /api/v1/tickets/t1': ticket(1, { id: 't1', version: 7, tags: ['vip'] }),
      'PATCH /api/v1/tickets/t1': (b: object) => ticket(1, { id: 't1', ...b }),
      ...routes,
    });
    const onSend = vi.fn((input: SendInput) =>
      api.post('/api/v1/tickets/t1/messages', { body: input.body }).then(() => undefined),
    );
    const r = renderWithApp(
      <Composer ticketId="t1" chat={false} canReply canNote onSend={onSend} onTyping={vi.fn()} />,
      {
        api,
      },
    );
    const input = () => screen.getByTestId('composer-input') as HTMLTextAreaElement;
    return { ...r, api, onSend, input };
  }

  async function pickMacro(input: () => HTMLTextAreaElement, before = '') {
    const value = `${before}/refu`;
    fireEvent.change(input(), { target: { value, selectionStart: value.length } });
    const option = await screen.findByRole('option', { name: /\/refunded/ });
    return option;
  }

  // Drafts outlive a test in memory; each test starts from an empty reply.
  beforeEach(() => clearDraft('t1', 'reply'));

  it('shows what a macro will change in the / picker', async () => {
    const { input } = setupMacro();
    const option = await pickMacro(input);
    expect(option.querySelector('[data-testid="macro-summary"]')?.textContent).toBe(
      'Status → Solved · Priority → High · +tag refund',
    );
    // A plain canned reply has no summary.
    const plain = screen.getByRole('option', { name: /\/refund Refund policy/ });
    expect(plain.querySelector('[data-testid="macro-summary"]')).toBeNull();
  });

  it('inserts the text, stages the changes as chips, and drops a chip with its ×', async () => {
    const { input } = setupMacro();
    fireEvent.mouseDown(await pickMacro(input));
    expect(input().value).toBe('Your refund is on its way.');
    expect(screen.getByTestId('macro-staged').textContent).toContain('Will also set:');
    const chips = () => screen.queryAllByTestId('macro-chip').map((c) => c.textContent?.replace('×', '').trim());
    expect(chips()).toEqual(['Status → Solved', 'Priority → High', '+tag refund']);
    await userEvent.click(screen.getByRole('button', { name: 'Don’t apply “Priority → High”' }));
    expect(chips()).toEqual(['Status → Solved', '+tag refund']);
    // The text stays editable.
    fireEvent.change(input(), { target: { value: 'Your refund is on its way!' } });
    expect(input().value).toBe('Your refund is on its way!');
  });

  it('undoes a macro: its unchanged text and every chip go', async () => {
    const { input } = setupMacro();
    fireEvent.mouseDown(await pickMacro(input, 'Hello,\n'));
    expect(input().value).toBe('Hello,\nYour refund is on its way.');
    await userEvent.click(screen.getByTestId('macro-undo'));
    expect(input().value).toBe('Hello,\n');
    expect(screen.queryByTestId('macro-staged')).toBeNull();
    expect(screen.queryAllByTestId('macro-chip')).toEqual([]);
  });

  it('sends the reply, then PATCHes the staged changes once with the ticket version', async () => {
    const { input, api, onSend } = setupMacro();
    fireEvent.mouseDown(await pickMacro(input));
    await userEvent.click(screen.getByRole('button', { name: 'Don’t apply “Priority → High”' }));
    await act(async () => {
      fireEvent.click(screen.getByTestId('composer-send'));
    });
    expect(onSend).toHaveBeenCalledWith(
      expect.objectContaining({ body: 'Your refund is on its way.', internal: false }),
    );
    const writes = api.calls.filter((c) => c.method !== 'GET');
    expect(writes).toEqual([
      { method: 'POST', path: '/api/v1/tickets/t1/messages', body: { body: 'Your refund is on its way.' } },
      { method: 'PATCH', path: '/api/v1/tickets/t1', body: { version: 7, status: 'solved', tags: ['vip', 'refund'] } },
    ]);
    expect(screen.queryByTestId('macro-staged')).toBeNull();
  });

  it('refetches the ticket and retries once on a version conflict, and reports a failure', async () => {
    let version = 7;
    let patches = 0;
    const toasts: Array<Omit<Toast, 'id'>> = [];
    const api = fakeApi({
      'GET /api/v1/canned-replies': { items: [MACRO], nextCursor: null },
      'GET /api/v1/tickets/t1': () => ticket(1, { id: 't1', version: version++, tags: [] }),
      'PATCH /api/v1/tickets/t1': () => {
        patches++;
        throw new ApiError(409, 'VERSION_CONFLICT', 'The ticket changed');
      },
    });
    renderWithApp(
      <Composer
        ticketId="t1"
        chat={false}
        canReply
        canNote
        onSend={vi.fn().mockResolvedValue(undefined)}
        onTyping={vi.fn()}
      />,
      {
        api,
        toasts,
      },
    );
    const input = () => screen.getByTestId('composer-input') as HTMLTextAreaElement;
    fireEvent.mouseDown(await pickMacro(input));
    await act(async () => {
      fireEvent.click(screen.getByTestId('composer-send'));
    });
    const versions = api.calls.filter((c) => c.method === 'PATCH').map((c) => (c.body as { version: number }).version);
    expect(versions).toEqual([7, 8]);
    expect(patches).toBe(2);
    expect(toasts).toEqual([{ tone: 'error', text: expect.stringContaining('The ticket changed') }]);
  });
});

describe('composer helpers', () => {
  it('finds the / or @ word at the caret', () => {
    expect(tokenAt('/ref', 4)).toEqual({ trigger: '/', query: 'ref', start: 0 });
    expect(tokenAt('line\n/ref', 9)).toEqual({ trigger: '/', query: 'ref', start: 5 });
    expect(tokenAt('1/2', 3)).toBeNull();
    expect(tokenAt('hi @张', 5)).toEqual({ trigger: '@', query: '张', start: 3 });
    expect(tokenAt('mail@example', 12)).toBeNull();
  });
  it('filters canned replies by shortcut first, then text', () => {
    expect(filterCanned(CANNED, 'ref').map((c) => c.id)).toEqual(['c1', 'c3']);
    expect(filterCanned(CANNED, '感谢').map((c) => c.id)).toEqual(['c2']);
  });
});
