/** Report figures in the viewer's language, all through Intl. */

/**
 * A duration in seconds, at most two units, Intl-formatted: `2 hr, 5 min` / `2小时5分钟`, `3 days, 4 hr`, `45 sec`.
 * Uses NumberFormat's units (joined by a unit ListFormat), so it reads right in every language and runtime.
 */
export function formatSeconds(seconds: number | null | undefined, lng: string): string {
  if (seconds == null || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  const unit = (n: number, u: 'day' | 'hour' | 'minute' | 'second') =>
    new Intl.NumberFormat(lng, { style: 'unit', unit: u, unitDisplay: 'short', maximumFractionDigits: 0 }).format(n);
  const parts: string[] = [];
  if (s < 60) parts.push(unit(s, 'second'));
  else if (s < 3600) parts.push(unit(Math.floor(s / 60), 'minute'));
  else if (s < 86400) {
    parts.push(unit(Math.floor(s / 3600), 'hour'));
    const m = Math.floor((s % 3600) / 60);
    if (m) parts.push(unit(m, 'minute'));
  } else {
    parts.push(unit(Math.floor(s / 86400), 'day'));
    const h = Math.floor((s % 86400) / 3600);
    if (h) parts.push(unit(h, 'hour'));
  }
  return new Intl.ListFormat(lng, { style: 'narrow', type: 'unit' }).format(parts);
}

/** A percentage given as 0–100 (as the API answers it): `92.5%`. */
export function formatPercent(v: number | null | undefined, lng: string): string {
  if (v == null) return '—';
  return new Intl.NumberFormat(lng, { style: 'percent', maximumFractionDigits: 1 }).format(v / 100);
}

export function formatNumber(v: number | null | undefined, lng: string, digits = 1): string {
  if (v == null) return '—';
  return new Intl.NumberFormat(lng, { maximumFractionDigits: digits }).format(v);
}

/** Counts in tiles: 1.2K / 1.2万. */
export function formatCompact(v: number | null | undefined, lng: string): string {
  if (v == null) return '—';
  return new Intl.NumberFormat(lng, { notation: 'compact', maximumFractionDigits: 1 }).format(v);
}

/** A `YYYY-MM-DD` calendar day (already in the report's zone) as a short date: `Nov 3` / `11月3日`. */
export function formatDay(date: string, lng: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Intl.DateTimeFormat(lng, { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(
    new Date(Date.UTC(y, m - 1, d)),
  );
}

/** An hour of the day, 0–23: `9 AM` / `9时`. */
export function formatHour(hour: number, lng: string): string {
  return new Intl.DateTimeFormat(lng, { hour: 'numeric', timeZone: 'UTC' }).format(
    new Date(Date.UTC(2000, 0, 1, hour)),
  );
}

export function formatDate(iso: string, lng: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(lng, { dateStyle: 'medium', timeZone }).format(new Date(iso));
}

/** The viewer's IANA time zone. */
export function viewerZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

const pad = (n: number) => String(n).padStart(2, '0');
/** `YYYY-MM-DD` of a local date. */
export function localDay(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/**
 * A period of whole local days: `[midnight of the first day, midnight after the last)`, in the viewer's zone
 * (the browser's), as UTC instants for the API.
 */
export function dayRange(first: string, last: string): { from: string; to: string } {
  const [y1, m1, d1] = first.split('-').map(Number);
  const [y2, m2, d2] = last.split('-').map(Number);
  return { from: new Date(y1, m1 - 1, d1).toISOString(), to: new Date(y2, m2 - 1, d2 + 1).toISOString() };
}

/** The last `days` local days, today included. */
export function presetDays(days: number, now = new Date()): { first: string; last: string } {
  const start = new Date(now.getFullYear(), now.getMonth(), now.getDate() - (days - 1));
  return { first: localDay(start), last: localDay(now) };
}
