import type { SlaTimer } from '../api/types';

/** "3 minutes ago" / "3分钟前", "yesterday" / "昨天" (numeric: auto). */
export function relativeTime(iso: string, lng: string, now = Date.now()): string {
  const diff = (new Date(iso).getTime() - now) / 1000;
  const abs = Math.abs(diff);
  const rtf = new Intl.RelativeTimeFormat(lng, { numeric: 'auto' });
  if (abs < 45) return rtf.format(0, 'second');
  if (abs < 45 * 60) return rtf.format(Math.round(diff / 60), 'minute');
  if (abs < 22 * 3600) return rtf.format(Math.round(diff / 3600), 'hour');
  if (abs < 6 * 86400) return rtf.format(Math.round(diff / 86400), 'day');
  return new Intl.DateTimeFormat(lng, { month: 'short', day: 'numeric' }).format(new Date(iso));
}

/** The full date and time in the viewer's zone, for tooltips. */
export function absoluteTime(iso: string, lng: string): string {
  return new Intl.DateTimeFormat(lng, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

/** A short clock time for chat bubbles. */
export function clockTime(iso: string, lng: string): string {
  return new Intl.DateTimeFormat(lng, { hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
}

export function compactNumber(n: number, lng: string): string {
  return new Intl.NumberFormat(lng, { notation: 'compact', maximumFractionDigits: 1 }).format(n);
}

/** "张三、李四和王五" / "Ann, Bob, and Cy". */
export function joinNames(names: string[], lng: string): string {
  return new Intl.ListFormat(lng, { style: 'long', type: 'conjunction' }).format(names);
}

/** `42m`, `3h 5m`, `2d 4h`, `-15m` once past. */
export function formatDuration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  let m = Math.floor(Math.abs(ms) / 60_000);
  if (ms < 0) m = Math.max(1, Math.ceil(Math.abs(ms) / 60_000));
  if (m === 0) return '<1m';
  if (m < 60) return `${sign}${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${sign}${h}h${m % 60 ? ` ${m % 60}m` : ''}`;
  const d = Math.floor(h / 24);
  return `${sign}${d}d${h % 24 ? ` ${h % 24}h` : ''}`;
}

export type SlaTone = 'ok' | 'risk' | 'breached' | 'paused' | 'met';

export interface SlaState {
  tone: SlaTone;
  /** Time to the target, or since it passed: `42m`, `-15m`; empty when paused or met. */
  text: string;
  msLeft: number | null;
}

/**
 * Where a timer stands: breached once past due (red, negative), at risk in its warning window or under 25 %
 * of its time left (amber), paused (grey), met, else on track (neutral).
 */
export function slaState(timer: SlaTimer, now = Date.now(), startedAt?: string): SlaState {
  if (timer.metAt || timer.status === 'met') return { tone: 'met', text: '', msLeft: null };
  if (timer.pausedAt || !timer.dueAt) return { tone: 'paused', text: '', msLeft: null };
  const due = new Date(timer.dueAt).getTime();
  const left = due - now;
  if (left <= 0 || timer.breachedAt)
    return { tone: 'breached', text: formatDuration(Math.min(left, -60_000)), msLeft: left };
  let risk = timer.warnAt ? new Date(timer.warnAt).getTime() <= now : false;
  if (!risk && startedAt) {
    const total = due - new Date(startedAt).getTime();
    risk = total > 0 && left / total < 0.25;
  }
  return { tone: risk ? 'risk' : 'ok', text: formatDuration(left), msLeft: left };
}

/** The timer that matters most: breached first, then the soonest running one, then paused. */
export function nextTimer(timers: SlaTimer[]): SlaTimer | null {
  const open = timers.filter((t) => !t.metAt && t.status !== 'met' && t.status !== 'cancelled');
  if (!open.length) return null;
  return [...open].sort((a, b) => {
    const pa = a.pausedAt || !a.dueAt ? 1 : 0;
    const pb = b.pausedAt || !b.dueAt ? 1 : 0;
    if (pa !== pb) return pa - pb;
    return new Date(a.dueAt ?? 0).getTime() - new Date(b.dueAt ?? 0).getTime();
  })[0];
}

export function initials(name: string | null | undefined): string {
  const n = (name ?? '?').trim();
  if (!n) return '?';
  if (/[\u3400-\u9fff]/.test(n[0])) return n[0];
  const parts = n.split(/\s+/);
  return ((parts[0]?.[0] ?? '') + (parts[1]?.[0] ?? '')).toUpperCase() || '?';
}
