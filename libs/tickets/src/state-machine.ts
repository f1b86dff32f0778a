import { AppError, ErrorCode } from '@crewdesk/common';
import type { TicketStatus } from '@crewdesk/db';

/**
 * Allowed status moves. `closed` is final (a customer who writes again opens a follow-up); `solved` can be
 * reopened. Setting the status a ticket already has is not a move.
 */
export const TRANSITIONS: Record<TicketStatus, readonly TicketStatus[]> = {
  new: ['open', 'pending', 'on_hold', 'solved', 'closed'],
  open: ['pending', 'on_hold', 'solved', 'closed'],
  pending: ['open', 'on_hold', 'solved', 'closed'],
  on_hold: ['open', 'pending', 'solved', 'closed'],
  solved: ['open', 'pending', 'closed'],
  closed: [],
};

export function canTransition(from: TicketStatus, to: TicketStatus): boolean {
  return from === to || TRANSITIONS[from].includes(to);
}

export function assertTransition(from: TicketStatus, to: TicketStatus): void {
  if (!canTransition(from, to)) {
    throw new AppError(ErrorCode.INVALID_TRANSITION, `A ${from} ticket cannot become ${to}`, {
      from,
      to,
      allowed: TRANSITIONS[from],
    });
  }
}

/** The status after a new message: staff replies open new tickets, customer replies reopen waiting ones. */
export function statusAfterMessage(
  current: TicketStatus,
  author: 'staff' | 'customer',
  internal: boolean,
): TicketStatus {
  if (internal) return current;
  if (author === 'staff') return current === 'new' ? 'open' : current;
  return current === 'pending' || current === 'solved' ? 'open' : current;
}
