import type { Message } from '../api/types';

/** A public chat message from the customer 小李 on ticket t1; its body is its id. */
export const message = (id: string, extra: Partial<Message> = {}): Message => ({
  id,
  ticketId: 't1',
  kind: 'public',
  internal: false,
  author: { type: 'customer', id: 'c1', name: '小李' },
  body: id,
  channel: 'chat',
  mentions: [],
  attachments: [],
  createdAt: '2026-11-23T09:00:00Z',
  ...extra,
});
