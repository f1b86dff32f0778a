import { useInfiniteQuery, useQueries, useQueryClient, type InfiniteData } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNow, useUsers } from '../api/hooks';
import { PRIORITIES, STATUSES, type Page, type SlaSummary, type Ticket } from '../api/types';
import { useApp, useCommands, useConnState, useLiveEvent } from '../app/context';
import { applyChanges, holdArrival, matchesQuery } from '../live/merge';
import { optionsOf, Select } from '../lib/fields';
import { absoluteTime, relativeTime } from '../lib/format';
import { navigate } from '../lib/router';
import { Avatar } from '../shell/avatar';
import { ChannelIcon } from '../shell/icons';
import { SlaBadge } from '../ticket/sla-badge';
import { fetchTicketPage, OPEN_STATUSES, viewQuery, type Filters } from './views';
import { isSeen } from './seen';
import { setNextTicket } from './nav';
import { ViewersBadge } from './viewers-badge';

const ROW_HEIGHT = 68;
/** Events whose `data.changes` update a row in place. */
const TICKET_CHANGES = new Set(['ticket.updated', 'ticket.assigned', 'ticket.routed', 'ticket.reassigned']);

/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * The middle pane: a virtualized, keyset-paginated list. Live changes update rows in place; arrivals are
 * held in an "N new" pill unless the list is scrolled to the top, so the row under the cursor never moves.
 */
export function TicketList({
  viewId,
  ticketId,
  filters,
  onFilters,
  onSaveView,
}: {
  viewId: string;
  ticketId: string | null;
  filters: Filters;
  onFilters: (f: Filters) => void;
  onSaveView: () => void;
}) {
  const { t, i18n } = useTranslation();
  const { api, me, live, toast } = useApp();
  const qc = useQueryClient();
  useNow(30_000); // re-render for relative times and SLA badges
  const now = Date.now();
  const users = useUsers();
  const conn = useConnState();
  const vq = useMemo(() => viewQuery(viewId, me, filters), [viewId, me, filters]);
  const key = useMemo(() => ['tickets', viewId, JSON.stringify(vq)], [viewId, vq]);
  const list = useInfiniteQuery({
    queryKey: key,
    enabled: !!vq,
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => fetchTicketPage(api, vq!.endpoint, vq!.query, pageParam),
    getNextPageParam: (last: Page<Ticket>) => last.nextCursor,
    staleTime: 30_000,
  });
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);
  const loaded = useMemo(() => new Set(rows.map((r) => r.id)), [rows]);
  const [pending, setPending] = useState<string[]>([]);
  const [unread, setUnread] = useState<Set<string>>(new Set());
  const scrollRef = useRef<HTMLDivElement>(null);

  useEffect(() => setPending([]), [key.join('|')]); // a new view starts clean

  const atTop = () => (scrollRef.current?.scrollTop ?? 0) < 4;
  const mergeArrivals = useCallback(() => {
    setPending([]);
    void qc.resetQueries({ queryKey: key, exact: true });
    if (scrollRef.current) scrollRef.current.scrollTop = 0;
  }, [qc, key]);

  const patchRow = useCallback(
    (id: string, fn: (t: Ticket) => Ticket) =>
      qc.setQueryData<InfiniteData<Page<Ticket>>>(key, (data) =>
        data
          ? { ...data, pages: data.pages.map((p) => ({ ...p, items: p.items.map((x) => (x.id === id ? fn(x) : x)) })) }
          : data,
      ),
    [qc, key],
  );

  /** Loaded row ids in chunks of 100 (the most the SLA and viewers endpoints take at once). */
  const idChunks = useMemo(() => {
    const chunks: string[][] = [];
    for (let i = 0; i < rows.length; i += 100) chunks.push(rows.slice(i, i + 100).map((r) => r.id));
    return chunks;
  }, [rows]);
  const sla = useQueries({
    queries: idChunks.map((ids) => ({
      queryKey: ['sla', ids],
      queryFn: () =>
        api.get<{ items: SlaSummary[] }>(`/api/v1/inbox/sla?ticketIds=${ids.join(',')}`).then((r) => r.items),
      staleTime: 30_000,
    })),
  });
  const slaByTicket = useMemo(() => {
    const m = new Map<string, SlaSummary>();
    for (const q of sla) for (const s of q.data ?? []) m.set(s.ticketId, s);
    return m;
  }, [sla]);

  // Who has each row's ticket open: fetched per chunk, then kept live by `ticket.viewers` in the same cache.
  const viewers = useQueries({
    queries: idChunks.map((ids) => ({
      queryKey: ['viewers', ids],
      queryFn: () => api.get<Record<string, string[]>>(`/api/v1/tickets/viewers?ids=${ids.join(',')}`),
      staleTime: 60_000,
    })),
  });
  const viewersByTicket = useMemo(() => {
    const m = new Map<string, string[]>();
    for (const q of viewers) for (const [id, userIds] of Object.entries(q.data ?? {})) m.set(id, userIds);
    return m;
  }, [viewers]);
  useEffect(
    () =>
      live?.onTicketViewers((p) => {
        for (const [queryKey, data] of qc.getQueriesData<Record<string, string[]>>({ queryKey: ['viewers'] })) {
          if (data && (queryKey[1] as string[]).includes(p.ticketId))
            qc.setQueryData(queryKey, { ...data, [p.ticketId]: p.userIds });
        }
      }),
    [live, qc],
  );

  useLiveEvent((e) => {
    const d = e.data as any;
    const known = loaded.has(e.ticketId);
    if (e.type === 'sla.warning' || e.type === 'sla.breached' || (e.type === 'message.created' && known)) {
      void qc.invalidateQueries({ queryKey: ['sla'] });
    }
    if (known) {
      if (TICKET_CHANGES.has(e.type)) patchRow(e.ticketId, (x) => applyChanges(x, d));
      if (e.type === 'message.created') {
        patchRow(e.ticketId, (x) => ({ ...x, lastMessageAt: e.createdAt, updatedAt: e.createdAt }));
        // A message may move the status (new -> open, pending -> open): refresh that row only, in place.
        void api.get<Ticket>(`/api/v1/tickets/${e.ticketId}`).then(
          (full) =>
            patchRow(e.ticketId, (x) => ({
              ...x,
              status: full.status,
              version: full.version,
              assigneeId: full.assigneeId,
              teamId: full.teamId,
            })),
          () => undefined,
        );
        if (e.ticketId !== ticketId && d?.message?.authorType === 'customer')
          setUnread((u) => new Set(u).add(e.ticketId));
      }
      return;
    }
    if (vq?.query.escalatedTo && /^(ticket\.escalated|escalation\.)/.test(e.type)) {
      if (atTop()) void qc.invalidateQueries({ queryKey: key, exact: true });
      else setPending((p) => holdArrival(p, e.ticketId, loaded));
      return;
    }
    if (!vq || vq.endpoint !== '/api/v1/tickets') return;
    let candidate: any = null;
    if (e.type === 'ticket.created') candidate = d;
    else if (e.type === 'ticket.assigned' || e.type === 'ticket.updated') {
      const c = d?.changes ?? {};
      candidate = {
        status: c.status?.to,
        assigneeId: c.assigneeId ? c.assigneeId.to : undefined,
        teamId: c.teamId ? c.teamId.to : undefined,
        priority: c.priority?.to,
      };
      // Only a change that could bring the ticket into this view counts, and only when we know its fields.
      const q = vq.query;
      const relevant =
        (q.assigneeId && 'assigneeId' in c) ||
        (q.teamId && 'teamId' in c) ||
        ('status' in c && OPEN_STATUSES.includes(c.status.to));
      if (!relevant) return;
      candidate = {
        status: candidate.status ?? 'open',
        priority: candidate.priority ?? 'normal',
        assigneeId:
          candidate.assigneeId === undefined
            ? q.assigneeId === 'none'
              ? null
              : q.assigneeId === 'me'
                ? me.id
                : q.assigneeId
            : candidate.assigneeId,
        teamId: candidate.teamId === undefined ? (q.teamId ?? null) : candidate.teamId,
      };
    } else if (e.type === 'message.created') {
      // A reply on a ticket further down (not loaded): the list is by last update, so it is news here.
      if (vq.query.assigneeId || vq.query.teamId) return;
      candidate = { status: 'open' };
    }
    if (!candidate || !matchesQuery(candidate, vq.query, me.id)) return;
    if (atTop() && pending.length === 0) void qc.invalidateQueries({ queryKey: key, exact: true });
    else setPending((p) => holdArrival(p, e.ticketId, loaded));
  });

  useEffect(
    () =>
      live?.onResync(() => {
        void qc.invalidateQueries({ queryKey: ['tickets'] });
        // Volatile `ticket.viewers` updates may have been missed while disconnected.
        void qc.invalidateQueries({ queryKey: ['viewers'] });
      }),
    [live, qc],
  );

  const virtualizer = useVirtualizer({
    count: rows.length + (list.hasNextPage ? 1 : 0),
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.length ? items[items.length - 1].index : 0;
  useEffect(() => {
    if (lastIndex >= rows.length - 5 && list.hasNextPage && !list.isFetchingNextPage) void list.fetchNextPage();
  }, [lastIndex, rows.length, list.hasNextPage, list.isFetchingNextPage]);

  // Bulk: checkboxes on hover/focus, Shift-click ranges, a selection bar with Undo.
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const anchor = useRef<string | null>(null);
  useEffect(() => setSelected(new Set()), [key.join('|')]);
  const toggle = (id: string, range: boolean) => {
    const from = anchor.current;
    anchor.current = id;
    setSelected((cur) => {
      const next = new Set(cur);
      const on = !cur.has(id);
      const a = from ? rows.findIndex((r) => r.id === from) : -1;
      const b = rows.findIndex((r) => r.id === id);
      if (range && a >= 0 && b >= 0) {
        for (let i = Math.min(a, b); i <= Math.max(a, b); i++) next.add(rows[i].id);
      } else if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  };
  const bulk = async (changes: Partial<Pick<Ticket, 'status' | 'priority' | 'assigneeId'>>, label: string) => {
    const targets = rows.filter((r) => selected.has(r.id));
    const before = new Map(
      targets.map((r) => [r.id, Object.fromEntries(Object.keys(changes).map((k) => [k, r[k as keyof Ticket]]))]),
    );
    const results = await Promise.allSettled(
      targets.map((r) =>
        api.patch<Ticket>(`/api/v1/tickets/${r.id}`, { version: r.version, ...changes }).then((saved) => {
          patchRow(r.id, (x) => ({ ...x, ...saved }));
          return saved;
        }),
      ),
    );
    const failed = results.filter((x) => x.status === 'rejected').length;
    void qc.invalidateQueries({ queryKey: ['counts'] });
    if (failed) toast({ tone: 'error', text: t('bulk.failed', { count: failed }) });
    const done = results.flatMap((x) => (x.status === 'fulfilled' ? [x.value] : []));
    if (!done.length) return;
    toast({
      text: t('bulk.done', { count: done.length, field: label }),
      action: {
        label: t('fields.undo'),
        run: () =>
          void Promise.all(
            done.map((s) =>
              api
                .patch<Ticket>(`/api/v1/tickets/${s.id}`, { version: s.version, ...before.get(s.id) })
                .then((back) => patchRow(s.id, (x) => ({ ...x, ...back })))
                .catch(() => undefined),
            ),
          ),
      },
    });
  };

  const open = useCallback(
    (id: string) => {
      setUnread((u) => {
        if (!u.has(id)) return u;
        const n = new Set(u);
        n.delete(id);
        return n;
      });
      navigate({ name: 'inbox', view: viewId, ticketId: id });
    },
    [viewId],
  );

  const step = (dir: 1 | -1) => {
    if (!rows.length) return;
    const i = ticketId ? rows.findIndex((r) => r.id === ticketId) : -1;
    const next = rows[Math.max(0, Math.min(rows.length - 1, i === -1 ? 0 : i + dir))];
    if (next) {
      open(next.id);
      virtualizer.scrollToIndex(rows.indexOf(next), { align: 'auto' });
    }
  };
  useCommands('list', [
    { id: 'next', label: t('actions.next'), keys: 'j', single: true, run: () => step(1) },
    { id: 'prev', label: t('actions.prev'), keys: 'k', single: true, run: () => step(-1) },
    { id: 'next-alt', label: t('actions.next'), keys: 'alt+j', run: () => step(1) },
    { id: 'prev-alt', label: t('actions.prev'), keys: 'alt+k', run: () => step(-1) },
    {
      id: 'search',
      label: t('actions.search'),
      keys: '/',
      single: true,
      run: () => document.getElementById('ticket-search')?.focus(),
    },
  ]);
  // Solve-and-next needs the neighbour of the open ticket.
  const stepRef = useRef(step);
  stepRef.current = step;
  useEffect(() => {
    setNextTicket(() => stepRef.current(1));
    return () => setNextTicket(null);
  }, []);

  const userName = (id: string | null) => users.data?.find((u) => u.id === id)?.name ?? null;
  const hasFilter = !!(filters.q || filters.status?.length || filters.priority?.length);

  return (
    <section className="list-pane" aria-labelledby="list-title">
      <h2 id="list-title" className="visually-hidden">
        {t('list.label')}
      </h2>
      <form className="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label className="visually-hidden" htmlFor="ticket-search">
          {t('list.search')}
        </label>
        <input
          id="ticket-search"
          type="search"
          placeholder={t('list.searchPrompt')}
          defaultValue={filters.q ?? ''}
          key={`${viewId}-${filters.q ?? ''}`}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.nativeEvent.isComposing && e.keyCode !== 229)
              onFilters({ ...filters, q: (e.target as HTMLInputElement).value.trim() || undefined });
            if (e.key === 'Escape') (e.target as HTMLInputElement).blur();
          }}
        />
        <div className="filter-row">
          <label>
            <span className="visually-hidden">{t('list.filterStatus')}</span>
            <Select
              value={filters.status?.[0] ?? ''}
              onChange={(v) => onFilters({ ...filters, status: v ? [v] : undefined })}
              empty={t('list.anyStatus')}
              options={optionsOf(STATUSES, (s) => t(`status.${s}`))}
            />
          </label>
          <label>
            <span className="visually-hidden">{t('list.filterPriority')}</span>
            <Select
              value={filters.priority?.[0] ?? ''}
              onChange={(v) => onFilters({ ...filters, priority: v ? [v] : undefined })}
              empty={t('list.anyPriority')}
              options={optionsOf(PRIORITIES, (p) => t(`priority.${p}`))}
            />
          </label>
          {hasFilter && (
            <>
              <button type="button" className="btn small" onClick={() => onFilters({})}>
                {t('list.clear')}
              </button>
              <button
                type="button"
                className="btn small"
                onClick={onSaveView}
                title={t('nav.saveView')}
                aria-label={t('nav.saveView')}
              >
                ☆
              </button>
            </>
          )}
        </div>
      </form>
      {selected.size > 0 && (
        <div className="bulk-bar" role="toolbar" aria-label={t('bulk.label')} data-testid="bulk-bar">
          <span>{t('bulk.selected', { count: selected.size })}</span>
          {me.permissions.includes('ticket.update') && (
            <>
              <button className="btn small" onClick={() => void bulk({ assigneeId: me.id }, t('fields.assignee'))}>
                {t('fields.assignMe')}
              </button>
              {(
                [
                  ['status', ['open', 'pending', 'on_hold', 'solved']],
                  ['priority', PRIORITIES],
                ] as const
              ).map(([field, values]) => (
                <Select
                  key={field}
                  aria-label={t(`fields.${field}`)}
                  value=""
                  onChange={(v) => v && void bulk({ [field]: v }, t(`fields.${field}`))}
                  empty={`${t(`fields.${field}`)}…`}
                  options={optionsOf(values, (v) => t(`${field}.${v}`))}
                />
              ))}
            </>
          )}
          <button className="icon-btn" aria-label={t('bulk.clear')} onClick={() => setSelected(new Set())}>
            ×
          </button>
        </div>
      )}
      {pending.length > 0 && (
        <button className="new-pill" onClick={mergeArrivals} data-testid="new-pill">
          {t('list.newPill', { count: pending.length })}
        </button>
      )}
      <div
        ref={scrollRef}
        className={`list-scroll ${selected.size ? 'selecting' : ''}`}
        data-testid="ticket-list"
        onScroll={() => atTop() && pending.length && mergeArrivals()}
      >
        {list.isPending && vq ? (
          <div className="skeletons" aria-busy="true" aria-label={t('list.loading')}>
            {Array.from({ length: 6 }, (_, i) => (
              <div key={i} className="skeleton-row" />
            ))}
          </div>
        ) : list.isError ? (
          <div className="empty" role="alert">
            <p>{t('list.error', { message: (list.error as Error).message })}</p>
            <button className="btn" onClick={() => list.refetch()}>
              {t('list.retry')}
            </button>
          </div>
        ) : rows.length === 0 ? (
          <div className="empty">
            <p>
              {conn === 'offline' || conn === 'reconnecting'
                ? t('list.emptyOffline')
                : hasFilter
                  ? t('list.emptyFilter')
                  : t('list.emptyDone')}
            </p>
            {hasFilter && (
              <button className="btn" onClick={() => onFilters({})}>
                {t('list.clear')}
              </button>
            )}
          </div>
        ) : (
          <div
            role="list"
            aria-label={t('list.label')}
            style={{ height: virtualizer.getTotalSize(), position: 'relative' }}
          >
            {items.map((v) => {
              const row = rows[v.index];
              if (!row)
                return (
                  <div
                    key="more"
                    role="listitem"
                    className="row-more"
                    style={{ transform: `translateY(${v.start}px)`, height: v.size }}
                  >
                    {t('list.loadingMore')}
                  </div>
                );
              const isUnread = unread.has(row.id) || (!isSeen(row.id, row.lastMessageAt) && row.status === 'new');
              const timer = slaByTicket.get(row.id);
              const assignee = userName(row.assigneeId);
              return (
                <div
                  key={row.id}
                  role="listitem"
                  aria-setsize={rows.length}
                  aria-posinset={v.index + 1}
                  className={`row ${row.id === ticketId ? 'active' : ''} ${isUnread ? 'unread' : ''}`}
                  style={{ transform: `translateY(${v.start}px)`, height: v.size }}
                  data-testid="ticket-row"
                  data-ticket-id={row.id}
                >
                  <label className="row-check">
                    <input
                      type="checkbox"
                      checked={selected.has(row.id)}
                      aria-label={t('bulk.select', { number: row.number })}
                      onClick={(e) => {
                        e.preventDefault();
                        toggle(row.id, e.shiftKey);
                      }}
                      onChange={() => undefined}
                    />
                  </label>
                  <a
                    href={`/inbox/${viewId}/${row.id}`}
                    aria-current={row.id === ticketId ? 'page' : undefined}
                    onClick={(e) => {
                      if (e.metaKey || e.ctrlKey || e.shiftKey) return;
                      e.preventDefault();
                      open(row.id);
                    }}
                  >
                    <span className="row-line">
                      <span
                        className="channel-icon"
                        role="img"
                        aria-label={t(`channel.${row.channel}`, { defaultValue: row.channel })}
                      >
                        <ChannelIcon channel={row.channel} />
                      </span>
                      <span className="row-customer">
                        {row.requester.name ?? row.requester.email ?? t('list.visitor')}
                      </span>
                      {isUnread && <span className="visually-hidden">{t('list.unread')}</span>}
                      <time
                        className="row-time"
                        dateTime={row.updatedAt}
                        title={absoluteTime(row.updatedAt, i18n.language)}
                      >
                        {relativeTime(row.lastMessageAt ?? row.updatedAt, i18n.language, now)}
                      </time>
                    </span>
                    <span className="row-line">
                      <span className="row-subject">
                        #{row.number} {row.subject}
                      </span>
                    </span>
                    <span className="row-line row-meta">
                      <span className={`priority priority-${row.priority}`}>{t(`priority.${row.priority}`)}</span>
                      <span className="status-chip">{t(`status.${row.status}`)}</span>
                      {timer && <SlaBadge timer={timer} now={now} compact />}
                      <span className="row-spacer" />
                      <ViewersBadge userIds={viewersByTicket.get(row.id)} me={me.id} />
                      {row.assigneeId ? (
                        <Avatar id={row.assigneeId} name={assignee} size={20} label={assignee ?? ''} />
                      ) : (
                        <span className="muted small">{t('list.unassigned')}</span>
                      )}
                    </span>
                  </a>
                </div>
              );
            })}
          </div>
        )}
      </div>
    </section>
  );
}
