import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { fakeApi, renderWithApp } from '../test/render';
import { Composer, filterCanned, tokenAt } from './composer';

const CANNED = [
  { id: 'c1', shortcut: 'refund', title: 'Refund policy', body: 'Refunds take 3 days.' },
  { id: 'c2', shortcut: 'hello', title: 'Greeting', body: '您好，感谢联系我们！' },
  { id: 'c3', shortcut: 'bye', title: 'Closing (refund done)', body: 'Bye!' },
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
