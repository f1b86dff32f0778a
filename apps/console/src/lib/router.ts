import { useSyncExternalStore } from 'react';

/** A tiny history router: the console has a handful of screens and no nested layouts worth a library. */
export type Route =
  | { name: 'login' }
  | { name: 'inbox'; view: string; ticketId: string | null }
  | { name: 'admin'; section: string }
  | { name: 'reports'; section: string };

export function parseRoute(path: string): Route {
  const parts = path.split('?')[0].split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'login') return { name: 'login' };
  if (parts[0] === 'admin') return { name: 'admin', section: parts[1] ?? 'people' };
  if (parts[0] === 'reports') return { name: 'reports', section: parts[1] ?? 'overview' };
  if (parts[0] === 'inbox') return { name: 'inbox', view: parts[1] ?? 'mine', ticketId: parts[2] ?? null };
  if (parts[0] === 'tickets' && parts[1]) return { name: 'inbox', view: 'all', ticketId: parts[1] };
  return { name: 'inbox', view: 'mine', ticketId: null };
}

export function routePath(r: Route): string {
  if (r.name === 'login') return '/login';
  if (r.name === 'admin') return `/admin/${r.section}`;
  if (r.name === 'reports') return r.section === 'overview' ? '/reports' : `/reports/${r.section}`;
  return `/inbox/${encodeURIComponent(r.view)}${r.ticketId ? `/${r.ticketId}` : ''}`;
}

const listeners = new Set<() => void>();
const notify = () => listeners.forEach((l) => l());
if (typeof window !== 'undefined') window.addEventListener('popstate', notify);

export function navigate(to: Route | string, replace = false): void {
  const path = typeof to === 'string' ? to : routePath(to);
  if (path === location.pathname) return;
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  notify();
}

export function useRoute(): Route {
  const path = useSyncExternalStore(
    (cb) => {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    () => location.pathname,
  );
  return parseRoute(path);
}
