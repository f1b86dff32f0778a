import type { QueryClient } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { ApiError, type ApiClient } from '../api/client';
import type { MacroActions, Team, Ticket, TicketDetail, User } from '../api/types';

/** One ticket change of a macro, shown in the picker's summary and as a removable chip. */
export interface MacroChange {
  /** `status`, `priority`, `teamId`, `assigneeId`, or `tag:<tag>`. */
  key: string;
  label: string;
}

/** A macro's changes in reading order, named for people (team and person names where known). */
export function macroChanges(
  a: MacroActions | undefined,
  t: TFunction,
  names: { teams?: Team[]; users?: User[] } = {},
): MacroChange[] {
  if (!a) return [];
  const list: MacroChange[] = [];
  if (a.status) list.push({ key: 'status', label: t('macro.status', { value: t(`status.${a.status}`) }) });
  if (a.priority) list.push({ key: 'priority', label: t('macro.priority', { value: t(`priority.${a.priority}`) }) });
  for (const tag of a.addTags ?? []) list.push({ key: `tag:${tag}`, label: t('macro.addTag', { tag }) });
  if (a.teamId) {
    const team = names.teams?.find((x) => x.id === a.teamId)?.name ?? a.teamId.slice(0, 8);
    list.push({ key: 'teamId', label: t('macro.team', { value: team }) });
  }
  if (a.assigneeId !== undefined) {
    const person = a.assigneeId
      ? (names.users?.find((x) => x.id === a.assigneeId)?.name ?? a.assigneeId.slice(0, 8))
      : t('macro.unassign');
    list.push({ key: 'assigneeId', label: t('macro.assignee', { value: person }) });
  }
  return list;
}

/** The actions without one change (a chip's ×). */
export function dropChange(a: MacroActions, key: string): MacroActions {
  if (key.startsWith('tag:')) {
    const addTags = (a.addTags ?? []).filter((x) => x !== key.slice(4));
    const { addTags: _old, ...rest } = a;
    return addTags.length ? { ...rest, addTags } : rest;
  }
  const { [key as keyof MacroActions]: _dropped, ...rest } = a;
  return rest;
}

/** Whether the actions change anything (a plain canned reply's are `{}`). */
export const hasChanges = (a: MacroActions | undefined): a is MacroActions =>
  !!a && Object.values(a).some((v) => v !== undefined && !(Array.isArray(v) && !v.length));

/** The PATCH body for a ticket: the macro's fields, its tags added to the ticket's own, and the ticket's version. */
export function macroPatch(a: MacroActions, ticket: Pick<Ticket, 'version' | 'tags'>) {
  const { addTags, ...fields } = a;
  const tags = addTags?.length ? [...new Set([...ticket.tags, ...addTags])] : undefined;
  return { version: ticket.version, ...fields, ...(tags ? { tags } : {}) };
}

/**
 * Applies a macro's changes with one PATCH at the ticket's current version (from the cache, else fetched).
 * On a version conflict the ticket is fetched again and the PATCH retried once, tags merged anew.
 */
export async function applyMacro(api: ApiClient, qc: QueryClient, ticketId: string, a: MacroActions): Promise<Ticket> {
  const key = ['ticket', ticketId];
  const path = `/api/v1/tickets/${ticketId}`;
  const load = () => api.get<TicketDetail>(path);
  let current: Pick<Ticket, 'version' | 'tags'> = qc.getQueryData<TicketDetail>(key) ?? (await load());
  let saved: Ticket;
  try {
    saved = await api.patch<Ticket>(path, macroPatch(a, current));
  } catch (err) {
    if (!(err instanceof ApiError && err.code === 'VERSION_CONFLICT')) throw err;
    current = await load();
    saved = await api.patch<Ticket>(path, macroPatch(a, current));
  }
  qc.setQueryData<TicketDetail>(key, (c) => (c ? { ...c, ...saved } : c));
  void qc.invalidateQueries({ queryKey: ['counts'] });
  return saved;
}
