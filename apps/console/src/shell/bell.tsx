import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNow } from '../api/hooks';
import type { InAppNotification, NotificationPage } from '../api/types';
import { useApp } from '../app/context';
import { relativeTime } from '../lib/format';
import { navigate } from '../lib/router';

/** A short, quiet two-note chime (no audio file to load). */
function chime(): void {
  try {
    const ctx = new AudioContext();
    const gain = ctx.createGain();
    gain.gain.value = 0.05;
    gain.connect(ctx.destination);
    [880, 1320].forEach((f, i) => {
      const o = ctx.createOscillator();
      o.frequency.value = f;
      o.connect(gain);
      o.start(ctx.currentTime + i * 0.12);
      o.stop(ctx.currentTime + i * 0.12 + 0.1);
    });
    setTimeout(() => void ctx.close(), 600);
  } catch {
    /* no audio: the desktop notification is enough */
  }
}

/** The in-app bell: assignments, mentions, escalations, SLA warnings; live, with the unread count in the tab title. */
export function Bell() {
  const { t, i18n } = useTranslation();
  const { api, live } = useApp();
  const qc = useQueryClient();
  const now = useNow(60_000);
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const list = useQuery({
    queryKey: ['notifications'],
    queryFn: () => api.get<NotificationPage>('/api/v1/notifications?limit=20'),
    staleTime: 30_000,
  });
  const readAll = useMutation({
    mutationFn: () => api.post('/api/v1/notifications/read', { all: true }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['notifications'] }),
  });
  const readOne = useMutation({
    mutationFn: (id: string) => api.post('/api/v1/notifications/read', { ids: [id] }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['notifications'] }),
  });
  useEffect(
    () =>
      live?.onNotification((p) => {
        void qc.invalidateQueries({ queryKey: ['notifications'] });
        const n = p as InAppNotification;
        // In the background: a desktop notification and a short chime, if the person allowed them.
        if (
          typeof document !== 'undefined' &&
          document.visibilityState !== 'visible' &&
          typeof window.Notification !== 'undefined' &&
          window.Notification.permission === 'granted'
        ) {
          const text = t(`notif.types.${n.type}`, { defaultValue: n.type });
          new window.Notification(t('app.name'), {
            body: n.data?.excerpt ? `${text}: “${n.data.excerpt}”` : text,
            tag: n.id,
          });
          chime();
        }
      }),
    [live, qc, t],
  );
  const [permission, setPermission] = useState(() =>
    typeof window.Notification === 'undefined' ? 'denied' : window.Notification.permission,
  );
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => !ref.current?.contains(e.target as Node) && setOpen(false);
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, [open]);
  const unread = list.data?.unread ?? 0;
  useEffect(() => {
    document.title = unread ? `(${unread}) ${t('app.name')}` : t('app.name');
  }, [unread, t]);
  if (list.isError) return null; // an API without notifications: no bell
  return (
    <div className="bell" ref={ref} onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}>
      <button
        className="icon-btn bell-btn"
        aria-expanded={open}
        aria-label={t('notif.button', { count: unread })}
        onClick={() => setOpen(!open)}
        data-testid="bell"
      >
        <svg
          width="16"
          height="16"
          viewBox="0 0 16 16"
          fill="none"
          stroke="currentColor"
          strokeWidth="1.6"
          aria-hidden="true"
        >
          <path d="M4 11V7a4 4 0 0 1 8 0v4l1 1.5H3z M6.5 14a1.5 1.5 0 0 0 3 0" />
        </svg>
        {unread > 0 && <span className="bell-count">{unread > 99 ? '99+' : unread}</span>}
      </button>
      {open && (
        <div className="bell-panel" role="region" aria-label={t('notif.title')}>
          <div className="bell-head">
            <strong>{t('notif.title')}</strong>
            {unread > 0 && (
              <button className="btn small" onClick={() => readAll.mutate()}>
                {t('notif.markAll')}
              </button>
            )}
          </div>
          {permission === 'default' && (
            <button
              className="btn small"
              onClick={() => void window.Notification.requestPermission().then(setPermission)}
            >
              {t('notif.enableDesktop')}
            </button>
          )}
          {!list.data?.items.length && <p className="muted">{t('notif.empty')}</p>}
          <ul>
            {(list.data?.items ?? []).map((n) => (
              <li key={n.id} className={n.readAt ? '' : 'unread'}>
                <button
                  className="bell-item"
                  onClick={() => {
                    if (!n.readAt) readOne.mutate(n.id);
                    setOpen(false);
                    if (n.ticketId) navigate({ name: 'inbox', view: 'all', ticketId: n.ticketId });
                  }}
                >
                  <span>{t(`notif.types.${n.type}`, { defaultValue: n.type })}</span>
                  {n.data.excerpt && <span className="muted small"> “{String(n.data.excerpt)}”</span>}
                  <time className="muted small" dateTime={n.createdAt}>
                    {' '}
                    · {relativeTime(n.createdAt, i18n.language, now)}
                  </time>
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
