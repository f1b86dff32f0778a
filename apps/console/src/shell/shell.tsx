import { useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCounts, useEscalatedCount } from '../api/hooks';
import type { PreferencesResult } from '../api/types';
import { useApp, useCommands, useConnState, useLiveEvent } from '../app/context';
import { LANG_KEY, SUPPORTED } from '../i18n';
import { TicketList } from '../inbox/ticket-list';
import { loadSavedViews, storeSavedViews, VIEWS, type Filters, type SavedView } from '../inbox/views';
import type { ConnState } from '../live/live';
import { optionsOf, Select } from '../lib/fields';
import { compactNumber } from '../lib/format';
import { dispatchShortcut, showKeys } from '../lib/keys';
import { navigate, useRoute } from '../lib/router';
import { TicketPage } from '../ticket/ticket-page';
import { Bell } from './bell';
import { CheatSheet, Palette } from './palette';

const Admin = lazy(() => import('../admin/admin'));
// Reports (and ECharts, in a chunk of its own behind them) load only when opened.
const Reports = lazy(() => import('../reports/reports'));

/** Online / Away: away people get no new tickets from their team's assignment. */
function PresenceSelect() {
  const { t } = useTranslation();
  const { live, me } = useApp();
  const conn = useConnState();
  const [status, setStatus] = useState<'online' | 'away'>('online');
  useEffect(() => {
    if (!live || (conn !== 'online' && conn !== 'reconnected')) return;
    void live.status(me.id).then((s) => s === 'away' && setStatus('away'));
  }, [live, conn, me.id]);
  return (
    <label className="presence-select">
      <span className={`presence-dot ${status}`} aria-hidden="true" />
      <span className="visually-hidden">{t('presence.label')}</span>
      <select
        value={status}
        onChange={(e) => {
          const s = e.target.value as 'online' | 'away';
          setStatus(s);
          live?.setStatus(s);
        }}
        data-testid="presence-select"
      >
        <option value="online">{t('presence.online')}</option>
        <option value="away">{t('presence.away')}</option>
      </select>
    </label>
  );
}

function ConnectionBanner() {
  const { t } = useTranslation();
  const state = useConnState() as ConnState;
  if (state === 'online' || state === 'connecting') return <div role="status" className="visually-hidden" />;
  const text =
    state === 'offline' ? t('conn.offline') : state === 'reconnecting' ? t('conn.reconnecting') : t('conn.reconnected');
  return (
    <div className={`conn-banner conn-${state}`} role="status" data-testid="conn-banner">
      {text}
    </div>
  );
}

const ADMIN_PERMS = ['user.manage', 'team.manage', 'settings.manage', 'role.manage'];

export function Shell({ onSignOut }: { onSignOut: () => void }) {
  const { t, i18n } = useTranslation();
  const { me, setMe, api, commands, singleKeys, setSingleKeys, live } = useApp();
  const qc = useQueryClient();
  const route = useRoute();
  const counts = useCounts();
  const [railOpen, setRailOpen] = useState(true);
  const [sideOpen, setSideOpen] = useState(true);
  const [palette, setPalette] = useState(false);
  const [cheat, setCheat] = useState(false);
  const [filters, setFilters] = useState<Filters>({});
  const [saved, setSaved] = useState<SavedView[]>(() => loadSavedViews(me));
  const isAdmin = ADMIN_PERMS.some((p) => me.permissions.includes(p));
  const canReport = me.permissions.includes('report.read');
  const views = VIEWS.filter((v) => !v.available || v.available(me));
  const viewId = route.name === 'inbox' ? route.view : 'mine';
  const escalated = useEscalatedCount(views.some((v) => v.id === 'escalated'));

  // Counts follow every change, at most once a second.
  const countTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useLiveEvent((e) => {
    if (!/^(ticket\.|sla\.|escalation\.)/.test(e.type) && e.type !== 'message.created') return;
    clearTimeout(countTimer.current);
    countTimer.current = setTimeout(() => {
      void qc.invalidateQueries({ queryKey: ['counts'] });
      if (/escalat/.test(e.type)) void qc.invalidateQueries({ queryKey: ['escalations-mine'] });
    }, 1000);
  });
  useEffect(() => live?.onResync(() => void qc.invalidateQueries({ queryKey: ['counts'] })), [live, qc]);

  useEffect(() => setFilters({}), [viewId]);

  async function switchLanguage(lng: string) {
    localStorage.setItem(LANG_KEY, lng);
    await i18n.changeLanguage(lng);
    try {
      const r = await api.patch<PreferencesResult>('/api/v1/me/preferences', { locale: lng });
      setMe({ ...me, locale: r.locale });
    } catch {
      /* the choice still holds in this browser */
    }
  }

  const otherLang = SUPPORTED.find((l) => l !== i18n.language) ?? 'en';
  useCommands('shell', [
    { id: 'palette', label: t('actions.palette'), keys: 'mod+k', run: () => setPalette(true) },
    { id: 'cheat', label: t('actions.cheatSheet'), keys: '?', single: true, run: () => setCheat(true) },
    ...views.map((v) => ({
      id: `view-${v.id}`,
      label: t('actions.goView', { view: t(v.label) }),
      run: () => navigate({ name: 'inbox', view: v.id, ticketId: null }),
    })),
    {
      id: 'lang',
      label: t('actions.switchLang', { lang: t(`lang.${otherLang}`) }),
      run: () => void switchLanguage(otherLang),
    },
    { id: 'keys', label: t('actions.toggleKeys'), run: () => setSingleKeys(!singleKeys) },
    ...(isAdmin
      ? [{ id: 'admin', label: t('actions.admin'), run: () => navigate({ name: 'admin', section: 'people' }) }]
      : []),
    ...(canReport
      ? [{ id: 'reports', label: t('actions.reports'), run: () => navigate({ name: 'reports', section: 'overview' }) }]
      : []),
    { id: 'my-scorecard', label: t('actions.myScorecard'), run: () => navigate({ name: 'reports', section: 'me' }) },
    { id: 'inbox', label: t('actions.inbox'), run: () => navigate({ name: 'inbox', view: 'mine', ticketId: null }) },
    { id: 'signout', label: t('actions.signOut'), run: onSignOut },
  ]);

  const cmdRef = useRef(commands);
  cmdRef.current = commands;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (palette || cheat) return;
      dispatchShortcut(
        e,
        cmdRef.current.filter((c) => c.keys).map((c) => ({ keys: c.keys!, run: c.run, single: c.single })),
        singleKeys,
      );
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [palette, cheat, singleKeys]);

  const countOf = useMemo(
    () => (key?: string) =>
      key && counts.data
        ? compactNumber((counts.data as unknown as Record<string, number>)[key] ?? 0, i18n.language)
        : '',
    [counts.data, i18n.language],
  );

  function saveView() {
    const name = window.prompt(t('nav.saveViewName'));
    if (!name) return;
    const base = views.find((v) => v.id === viewId)?.query?.(me) ?? {};
    const next = [...saved, { id: Date.now().toString(36), name, query: { ...base, ...filters } }];
    setSaved(next);
    storeSavedViews(me, next);
  }

  return (
    <div className="app">
      <a href="#ticket-main" className="skip-link">
        {t('app.skip')}
      </a>
      <header className="topbar">
        <span className="brand">{t('app.name')}</span>
        <nav aria-label={t('nav.inbox')} className="topnav">
          <a
            href="/inbox/mine"
            aria-current={route.name === 'inbox' ? 'page' : undefined}
            onClick={(e) => (e.preventDefault(), navigate({ name: 'inbox', view: 'mine', ticketId: null }))}
          >
            {t('nav.inbox')}
          </a>
          <a
            href={canReport ? '/reports' : '/reports/me'}
            aria-current={route.name === 'reports' ? 'page' : undefined}
            onClick={(e) => (e.preventDefault(), navigate({ name: 'reports', section: canReport ? 'overview' : 'me' }))}
            data-testid="nav-reports"
          >
            {canReport ? t('nav.reports') : t('nav.myScorecard')}
          </a>
          {isAdmin && (
            <a
              href="/admin/people"
              aria-current={route.name === 'admin' ? 'page' : undefined}
              onClick={(e) => (e.preventDefault(), navigate({ name: 'admin', section: 'people' }))}
              data-testid="nav-admin"
            >
              {t('nav.admin')}
            </a>
          )}
        </nav>
        <span className="row-spacer" />
        <button
          className="btn small"
          onClick={() => setPalette(true)}
          aria-label={t('nav.palette')}
          data-testid="open-palette"
        >
          ⌘ {t('nav.palette')} <kbd>{showKeys('mod+k')}</kbd>
        </button>
        <Bell />
        <button
          className="icon-btn"
          onClick={() => setCheat(true)}
          aria-label={t('nav.shortcuts')}
          title={t('nav.shortcuts')}
        >
          ?
        </button>
        <label className="lang-select">
          <span className="visually-hidden">{t('nav.language')}</span>
          <Select
            value={i18n.language}
            onChange={(lang) => void switchLanguage(lang)}
            options={optionsOf(SUPPORTED, (l) => t(`lang.${l}`))}
            data-testid="lang-select"
          />
        </label>
        <PresenceSelect />
        <span className="me" title={me.email}>
          {me.name}
        </span>
        <button className="btn small" onClick={onSignOut} data-testid="sign-out">
          {t('nav.signOut')}
        </button>
      </header>
      <ConnectionBanner />
      {route.name === 'admin' ? (
        <Suspense fallback={<div className="ticket-empty">…</div>}>
          <Admin section={route.section} />
        </Suspense>
      ) : route.name === 'reports' ? (
        <Suspense fallback={<div className="ticket-empty">…</div>}>
          <Reports section={route.section} />
        </Suspense>
      ) : (
        <div className={`panes ${railOpen ? '' : 'rail-closed'}`}>
          <nav className="rail" aria-label={t('nav.views')}>
            <button
              className="icon-btn rail-toggle"
              onClick={() => setRailOpen(!railOpen)}
              aria-label={railOpen ? t('nav.collapseLeft') : t('nav.expandLeft')}
              aria-expanded={railOpen}
            >
              {railOpen ? '«' : '»'}
            </button>
            {railOpen && (
              <>
                <h2 className="rail-title">{t('nav.views')}</h2>
                <ul>
                  {views.map((v) => (
                    <li key={v.id}>
                      <a
                        href={`/inbox/${v.id}`}
                        aria-current={viewId === v.id ? 'page' : undefined}
                        onClick={(e) => (e.preventDefault(), navigate({ name: 'inbox', view: v.id, ticketId: null }))}
                        data-testid={`view-${v.id}`}
                      >
                        <span>{t(v.label)}</span>
                        <span
                          className="count"
                          aria-label={
                            v.countKey && counts.data
                              ? t('views.count', {
                                  count: (counts.data as unknown as Record<string, number>)[v.countKey],
                                })
                              : undefined
                          }
                        >
                          {v.id === 'escalated' ? (escalated.data ?? '') : countOf(v.countKey)}
                        </span>
                      </a>
                    </li>
                  ))}
                </ul>
                <h2 className="rail-title">{t('nav.insights')}</h2>
                <ul>
                  {canReport && (
                    <li>
                      <a
                        href="/reports"
                        onClick={(e) => (e.preventDefault(), navigate({ name: 'reports', section: 'overview' }))}
                        data-testid="rail-reports"
                      >
                        <span>{t('nav.reports')}</span>
                      </a>
                    </li>
                  )}
                  <li>
                    <a
                      href="/reports/me"
                      onClick={(e) => (e.preventDefault(), navigate({ name: 'reports', section: 'me' }))}
                      data-testid="rail-my-scorecard"
                    >
                      <span>{t('nav.myScorecard')}</span>
                    </a>
                  </li>
                </ul>
                {saved.length > 0 && (
                  <>
                    <h2 className="rail-title">{t('nav.savedViews')}</h2>
                    <ul>
                      {saved.map((v) => (
                        <li key={v.id} className="saved-view">
                          <a
                            href={`/inbox/saved-${v.id}`}
                            aria-current={viewId === `saved-${v.id}` ? 'page' : undefined}
                            onClick={(e) => (
                              e.preventDefault(),
                              navigate({ name: 'inbox', view: `saved-${v.id}`, ticketId: null })
                            )}
                          >
                            {v.name}
                          </a>
                          <button
                            className="icon-btn"
                            aria-label={t('nav.deleteView', { name: v.name })}
                            onClick={() => {
                              const next = saved.filter((x) => x.id !== v.id);
                              setSaved(next);
                              storeSavedViews(me, next);
                            }}
                          >
                            ×
                          </button>
                        </li>
                      ))}
                    </ul>
                  </>
                )}
                <label className="keys-toggle">
                  <input type="checkbox" checked={singleKeys} onChange={(e) => setSingleKeys(e.target.checked)} />{' '}
                  {t('nav.singleKeys')}
                </label>
              </>
            )}
          </nav>
          <TicketList
            viewId={viewId}
            ticketId={route.name === 'inbox' ? route.ticketId : null}
            filters={filters}
            onFilters={setFilters}
            onSaveView={saveView}
          />
          <div className="ticket-pane">
            {route.name === 'inbox' && route.ticketId ? (
              <>
                <button
                  className="icon-btn side-toggle"
                  onClick={() => setSideOpen(!sideOpen)}
                  aria-label={sideOpen ? t('nav.collapseRight') : t('nav.expandRight')}
                  aria-expanded={sideOpen}
                >
                  {sideOpen ? '»' : '«'}
                </button>
                <TicketPage key={route.ticketId} ticketId={route.ticketId} viewId={viewId} sideOpen={sideOpen} />
              </>
            ) : (
              <div className="ticket-empty" id="ticket-main">
                {t('list.selectTicket')}
              </div>
            )}
          </div>
        </div>
      )}
      {palette && <Palette commands={commands} onClose={() => setPalette(false)} />}
      {cheat && <CheatSheet commands={commands} singleKeys={singleKeys} onClose={() => setCheat(false)} />}
    </div>
  );
}
