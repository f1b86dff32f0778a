import type { Message, Ticket } from '../api/types';

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

/** Ticket number `n` of customer 客户 n, new and unassigned; its id is a UUID made from `n`. */
export const ticket = (n: number, extra: Partial<Ticket> = {}): Ticket => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  number: n,
  subject: `Subject ${n}`,
  status: 'new',
  priority: 'normal',
  channel: 'email',
  requester: { id: `c${n}`, name: `客户 ${n}`, email: null },
  assigneeId: null,
  teamId: null,
  tags: [],
  customFields: {},
  version: 1,
  createdAt: '2026-11-23T09:00:00Z',
  updatedAt: '2026-11-23T09:00:00Z',
  lastMessageAt: '2026-11-23T09:00:00Z',
  firstResponseAt: null,
  solvedAt: null,
  closedAt: null,
  ...extra,
});
