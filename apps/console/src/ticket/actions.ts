import type { TFunction } from 'i18next';
import type { Me, TicketDetail } from '../api/types';
import type { FieldPatch } from './sidebar';

export interface TicketActionContext {
  ticket: TicketDetail;
  me: Me;
  t: TFunction;
  patch: (p: FieldPatch, label: string) => Promise<boolean>;
  next: () => void;
  /** Opens one of the ticket page's dialogs. */
  open: (dialog: 'escalate' | 'link-issue') => void;
}

export interface TicketAction {
  id: string;
  label: string;
  keys?: string;
  single?: boolean;
  primary?: boolean;
  run: () => void;
}

/**
 * The ticket header's actions, also registered as palette commands and shortcuts. New actions (escalate,
 * link an issue) are one more entry here, each shown only when the API and the person's permissions allow it.
 */
export function ticketActions(c: TicketActionContext): TicketAction[] {
  const canUpdate = c.me.permissions.includes('ticket.update');
  if (!canUpdate) return [];
  const solved = c.ticket.status === 'solved' || c.ticket.status === 'closed';
  const list: TicketAction[] = [];
  if (!solved) {
    list.push({
      id: 'solve',
      label: c.t('actions.solve'),
      keys: 'e',
      single: true,
      primary: true,
      run: () => void c.patch({ status: 'solved' }, c.t('fields.status')),
    });
    list.push({
      id: 'solve-next',
      label: c.t('actions.solveNext'),
      keys: 'shift+e',
      single: true,
      run: () => void c.patch({ status: 'solved' }, c.t('fields.status')).then((ok) => ok && c.next()),
    });
  }
  list.push({ id: 'escalate', label: c.t('actions.escalate'), run: () => c.open('escalate') });
  list.push({ id: 'link-issue', label: c.t('actions.linkIssue'), run: () => c.open('link-issue') });
  if (c.ticket.assigneeId !== c.me.id)
    list.push({
      id: 'assign-me',
      label: c.t('actions.assign'),
      keys: 'a',
      single: true,
      run: () => void c.patch({ assigneeId: c.me.id }, c.t('fields.assignee')),
    });
  return list;
}
