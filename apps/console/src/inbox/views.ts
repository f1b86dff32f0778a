import { qs, type ApiClient } from '../api/client';
import type { Counts, ListQuery, Me, Page, Ticket } from '../api/types';

export const OPEN_STATUSES = ['new', 'open', 'pending', 'on_hold'];
/** Open escalations that name me (the view's count). */
export const ESCALATED = '/api/v1/escalations/mine';

/**
 * The built-in views of the left rail. A view is a query on `GET /tickets` or its own endpoint; adding one
 * (e.g. "Escalated to me" once escalations exist) is one entry here plus its label.
 */
export interface ViewDef {
  id: string;
  /** i18n key of the label. */
  label: string;
  countKey?: keyof Counts;
  available?: (me: Me) => boolean;
  query?: (me: Me) => ListQuery;
  /** Another list endpoint answering `{ items, nextCursor }` of tickets. */
  endpoint?: string;
}

export const VIEWS: ViewDef[] = [
  { id: 'mine', label: 'views.mine', countKey: 'mine', query: () => ({ assigneeId: 'me', status: OPEN_STATUSES }) },
  {
    id: 'unassigned',
    label: 'views.unassigned',
    countKey: 'unassigned',
    query: () => ({ assigneeId: 'none', status: OPEN_STATUSES }),
  },
  {
    id: 'team',
    label: 'views.team',
    countKey: 'team',
    available: (me) => me.teamIds.length > 0,
    query: (me) => ({ teamId: me.teamIds[0], status: OPEN_STATUSES }),
  },
  {
    id: 'escalated',
    label: 'views.escalated',
    available: (me) => me.permissions.includes('ticket.reply') || me.permissions.includes('ticket.note'),
    // Tickets with an open escalation naming me, one keyset-paginated query.
    query: () => ({ escalatedTo: 'me' }),
  },
  { id: 'sla_at_risk', label: 'views.sla_at_risk', countKey: 'slaAtRisk', endpoint: '/api/v1/inbox/sla-at-risk' },
  { id: 'all', label: 'views.all', countKey: 'all', query: () => ({ status: OPEN_STATUSES }) },
];

export interface SavedView {
  id: string;
  name: string;
  query: ListQuery;
}

const savedKey = (me: Me) => `crewdesk.views.${me.id}`;

/** Saved filters are personal and kept in this browser. */
export function loadSavedViews(me: Me): SavedView[] {
  try {
    return JSON.parse(localStorage.getItem(savedKey(me)) ?? '[]');
  } catch {
    return [];
  }
}

export function storeSavedViews(me: Me, views: SavedView[]): void {
  localStorage.setItem(savedKey(me), JSON.stringify(views));
}

export interface Filters {
  q?: string;
  status?: string[];
  priority?: string[];
}

/** The query a view runs with the list's own filters on top. */
export function viewQuery(viewId: string, me: Me, filters: Filters): { endpoint: string; query: ListQuery } | null {
  const saved = viewId.startsWith('saved-') ? loadSavedViews(me).find((v) => `saved-${v.id}` === viewId) : undefined;
  const def = VIEWS.find((v) => v.id === viewId);
  if (!saved && !def) return null;
  if (def?.endpoint) return { endpoint: def.endpoint, query: {} };
  const base = saved ? saved.query : def!.query!(me);
  const query: ListQuery = { ...base };
  if (filters.q) query.q = filters.q;
  if (filters.status?.length) query.status = filters.status;
  if (filters.priority?.length) query.priority = filters.priority;
  return { endpoint: '/api/v1/tickets', query };
}

export function fetchTicketPage(api: ApiClient, endpoint: string, query: ListQuery, cursor?: string | null) {
  const params =
    endpoint === '/api/v1/tickets' ? { ...query, sort: 'updated', limit: 50, cursor } : { limit: 50, cursor };
  return api.get<Page<Ticket>>(endpoint + qs(params as Record<string, string | string[] | number | undefined | null>));
}
