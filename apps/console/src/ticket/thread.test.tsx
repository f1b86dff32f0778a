import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { message } from '../test/fixtures';
import { ME, renderWithApp } from '../test/render';
import { Thread } from './thread';

const m = message;

describe('Thread', () => {
  const messages = [
    m('hello', {}),
    m('reply', { author: { type: 'user', id: ME.id, name: ME.name } }),
    m('secret', { kind: 'internal', internal: true, author: { type: 'user', id: 'u9', name: '老陈' } }),
  ];

  it('is a log with internal notes labelled, not only coloured', () => {
    renderWithApp(<Thread messages={messages} meId={ME.id} chat readUpTo={null} />);
    const log = screen.getByRole('log', { name: 'Conversation' });
    const items = within(log).getAllByTestId('message');
    expect(items.map((x) => x.dataset.kind)).toEqual(['public', 'public', 'internal']);
    expect(items[2].className).toContain('msg-note');
    expect(items[2].textContent).toContain('Internal note');
    expect(items[2].getAttribute('aria-label')).toBe('Internal note: 老陈');
    expect(items[1].textContent).toContain('You');
  });

  it('shows a quiet "Read" under the last reply the customer has read', () => {
    renderWithApp(<Thread messages={[...messages, m('later', {})]} meId={ME.id} chat readUpTo="later" />, {
      lang: 'zh-CN',
    });
    const marks = screen.getAllByTestId('read-mark');
    expect(marks).toHaveLength(1);
    expect(marks[0].textContent).toBe('已读');
    expect(marks[0].closest('[data-testid="message"]')!.textContent).toContain('reply');
  });
});
