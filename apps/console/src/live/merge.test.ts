import { describe, expect, it } from 'vitest';
import type { Message, TicketDetail } from '../api/types';
import { message } from '../test/fixtures';
import { appendMessage, applyChanges, holdArrival, matchesQuery, messageFromEvent } from './merge';

const msg = (id: string, createdAt: string, extra: Partial<Message> = {}): Message =>
  message(id, { createdAt, ...extra });

const detail = (messages: Message[]): TicketDetail =>
  ({
    id: 't1',
    version: 3,
    status: 'open',
    lastMessageAt: messages.at(-1)?.createdAt ?? '',
    messages,
    sla: [],
  }) as unknown as TicketDetail;

describe('live merging', () => {
  it('adds a message once, in time order, whether it comes live, replayed or from our POST', () => {
    let d = detail([msg('a', '2026-01-01T00:00:01Z')]);
    d = appendMessage(d, msg('c', '2026-01-01T00:00:03Z'));
    d = appendMessage(d, msg('b', '2026-01-01T00:00:02Z'));
    d = appendMessage(d, msg('c', '2026-01-01T00:00:03Z'));
    expect(d.messages.map((m) => m.id)).toEqual(['a', 'b', 'c']);
    expect(d.lastMessageAt).toBe('2026-01-01T00:00:03Z');
  });

  it('replaces our optimistic copy when the real message arrives first by the socket', () => {
    const mine: Message['author'] = { type: 'user', id: 'u1', name: '小王' };
    let d = detail([
      msg('a', '2026-01-01T00:00:01Z'),
      msg('tmp', '2026-01-01T00:00:02Z', { pending: true, author: mine, body: 'hi' }),
    ]);
    d = appendMessage(d, msg('real', '2026-01-01T00:00:02Z', { author: mine, body: 'hi' }));
    expect(d.messages.map((m) => m.id)).toEqual(['a', 'real']);
  });

  it('reads the event shape of message.created', () => {
    const m = messageFromEvent(
      {
        id: 'm1',
        ticketId: 't1',
        kind: 'internal',
        internal: true,
        authorType: 'user',
        authorId: 'u1',
        authorName: '老陈',
        body: 'hi',
        mentions: ['u2'],
        attachmentIds: ['a1'],
      },
      '2026-01-01T00:00:00Z',
    );
    expect(m).toMatchObject({
      internal: true,
      author: { id: 'u1', name: '老陈' },
      mentions: ['u2'],
      attachments: [{ id: 'a1' }],
    });
  });

  it('applies a ticket event’s changes and version in place', () => {
    const t = applyChanges(detail([]), {
      changes: { status: { from: 'open', to: 'solved' }, assigneeId: { from: null, to: 'u1' } },
      version: 4,
    });
    expect(t).toMatchObject({ status: 'solved', assigneeId: 'u1', version: 4 });
  });

  it('decides whether an arrival belongs to a view', () => {
    const me = 'u1';
    expect(matchesQuery({ status: 'new', assigneeId: null }, { assigneeId: 'none', status: ['new', 'open'] }, me)).toBe(
      true,
    );
    expect(matchesQuery({ status: 'new', assigneeId: 'u2' }, { assigneeId: 'none' }, me)).toBe(false);
    expect(matchesQuery({ status: 'open', assigneeId: 'u1' }, { assigneeId: 'me' }, me)).toBe(true);
    expect(matchesQuery({ status: 'solved' }, {}, me)).toBe(false);
    expect(matchesQuery({ status: 'new', teamId: 'x' }, { teamId: 'y' }, me)).toBe(false);
    expect(matchesQuery({ status: 'new' }, { q: 'printer' }, me)).toBe(false);
  });

  it('holds arrivals for the pill once each, never ones already listed', () => {
    const loaded = new Set(['t1']);
    let p = holdArrival([], 't2', loaded);
    p = holdArrival(p, 't2', loaded);
    p = holdArrival(p, 't1', loaded);
    expect(p).toEqual(['t2']);
  });
});
