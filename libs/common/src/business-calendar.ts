/**
 * Business-time arithmetic for SLA timers: pure functions, no Nest, no database.
 *
 * Model
 * - Every instant is a JS `Date` (UTC). Every wall-clock rule (opening hours, holidays, make-up workdays) is
 *   read in the calendar's IANA time zone through `Intl`, so days are never assumed to be 24 hours long.
 * - A day's hours are spans `[from, to)` of wall-clock time, 'HH:mm', with '24:00' allowed as an end
 *   (end of the day). An overnight shift is two spans: `['22:00', '24:00']` on one day and
 *   `['00:00', '06:00']` on the next.
 * - A wall-clock time maps to the FIRST instant at which the local clock reads that time or later:
 *   - in a spring-forward gap (New York 2026-03-08, 02:00-03:00 does not exist) a time inside the gap maps
 *     to the transition instant (03:00 EDT), so 01:30-03:30 lasts 1 hour and a span inside the gap lasts 0;
 *   - in a fall-back overlap (New York 2026-11-01, 01:00-02:00 happens twice) a time maps to its first
 *     occurrence, so 01:30-03:30 lasts 3 hours and 00:00-24:00 lasts 25 hours.
 * - Precedence for a date: a make-up workday entry gives its hours (its own, or the calendar's normal weekday
 *   hours); otherwise a holiday is closed; otherwise the weekly hours of that weekday apply.
 * - A 24x7 calendar (`twentyFourSeven: true`, or `null` / `undefined` as the calendar) is plain elapsed
 *   time: its weekly hours, holidays and workdays are ignored.
 *
 * Precision: durations are whole seconds. `minutes` arguments are rounded to the nearest second and the
 * minutes returned are whole seconds / 60.
 *
 * Speed: a calendar is compiled once (kept in a WeakMap keyed by the calendar object) and each local day's
 * spans are converted to UTC once and cached, so `addBusinessMinutes` walks day by day over cached spans.
 * Treat calendars as immutable values: `parseCalendar` returns a deeply frozen object; reuse it.
 */

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
/** `[from, to)` in wall-clock 'HH:mm'; `to` may be '24:00'. */
export type TimeSpan = [string, string];
export type WeeklyHours = Record<Weekday, TimeSpan[]>;

/** A date that is worked although it would otherwise be closed (Chinese 补班 / 调休上班 weekend days). */
export interface MakeUpWorkday {
  /** 'YYYY-MM-DD', local to the calendar's time zone. */
  date: string;
  /** The hours worked that day; absent means the calendar's normal weekday hours (first non-empty of mon..fri). */
  hours?: TimeSpan[];
}

export interface BusinessCalendar {
  /** IANA zone, e.g. 'Asia/Shanghai'. */
  timezone: string;
  weekly: WeeklyHours;
  /** 'YYYY-MM-DD' dates that are closed all day. */
  holidays: string[];
  workdays: MakeUpWorkday[];
  /** Round the clock: plain elapsed time, nothing else in the calendar counts. */
  twentyFourSeven?: boolean;
}

/** `null` / `undefined` mean 24x7. */
export type CalendarInput = BusinessCalendar | null | undefined;

export interface Pause {
  from: Date;
  /** `null`: the pause is still open (the timer is paused now). */
  to: Date | null;
}

export interface DueResult {
  /**
   * When the target is reached, or `null` while an open pause holds the clock. When the target was already
   * reached before the open pause began, that (past) instant is returned with `paused: true`.
   */
  dueAt: Date | null;
  /** An open pause (`to: null`) exists. */
  paused: boolean;
}

export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** A calendar that cannot be used, with one readable line per problem. */
export class CalendarError extends Error {
  readonly code = 'CALENDAR_INVALID';
  readonly problems: string[];
  constructor(problems: string[] | string) {
    const list = Array.isArray(problems) ? problems : [problems];
    super(list.length === 1 ? list[0] : `${list.length} problems: ${list.join('; ')}`);
    this.name = 'CalendarError';
    this.problems = list;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Civil dates and time zones

const MINUTE = 60_000;
const DAY = 86_400_000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** 'YYYY-MM-DD' -> days since 1970-01-01, or `null` when not a real date. */
function dayNumber(date: string): number | null {
  const m = DATE_RE.exec(date);
  if (!m) return null;
  const y = +m[1];
  const mo = +m[2];
  const d = +m[3];
  if (mo < 1 || mo > 12 || d < 1) return null;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const monthDays = mo === 2 ? (leap ? 29 : 28) : mo === 4 || mo === 6 || mo === 9 || mo === 11 ? 30 : 31;
  if (d > monthDays) return null;
  return Date.UTC(y, mo - 1, d) / DAY;
}

function dayString(day: number): string {
  return new Date(day * DAY).toISOString().slice(0, 10);
}

/** 0 = Monday .. 6 = Sunday (1970-01-01 was a Thursday). */
function weekdayIndex(day: number): number {
  return (((day + 3) % 7) + 7) % 7;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

const resolvedZones = new Map<string, string | null>();

/** The IANA name `Intl` knows this zone by, or `null` when it does not know it. */
function resolveTimeZone(timeZone: string): string | null {
  let resolved = resolvedZones.get(timeZone);
  if (resolved === undefined) {
    try {
      resolved = new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
    } catch {
      resolved = null;
    }
    if (resolvedZones.size < 1000) resolvedZones.set(timeZone, resolved);
  }
  return resolved;
}

/** Zone offset (local minus UTC, ms) in force at instant `t`. */
function offsetAt(timeZone: string, t: number): number {
  const secs = Math.floor(t / 1000) * 1000;
  let y = 0;
  let mo = 0;
  let d = 0;
  let h = 0;
  let mi = 0;
  let s = 0;
  for (const p of formatterFor(timeZone).formatToParts(secs)) {
    switch (p.type) {
      case 'year':
        y = +p.value;
        break;
      case 'month':
        mo = +p.value;
        break;
      case 'day':
        d = +p.value;
        break;
      case 'hour':
        h = +p.value % 24;
        break;
      case 'minute':
        mi = +p.value;
        break;
      case 'second':
        s = +p.value;
        break;
    }
  }
  return Date.UTC(y, mo - 1, d, h, mi, s) - secs;
}

const MAX_ZONE_DAYS = 100_000;
const zoneDays = new Map<string, Map<number, number | null>>();

/**
 * The offset in force through the whole local day `day` in `timeZone` (from well before its 00:00 to well
 * after its 24:00, whatever the offset), or `null` when it changes around that day. Cached per zone and
 * shared by every calendar in the zone, so converting a day's hours usually costs no `Intl` call.
 */
function steadyOffset(timeZone: string, day: number): number | null {
  let days = zoneDays.get(timeZone);
  if (!days) zoneDays.set(timeZone, (days = new Map()));
  let o = days.get(day);
  if (o === undefined) {
    const early = offsetAt(timeZone, day * DAY - 15 * 3_600_000);
    const late = offsetAt(timeZone, (day + 1) * DAY + 15 * 3_600_000);
    o = early === late ? early : null;
    if (days.size >= MAX_ZONE_DAYS) days.clear();
    days.set(day, o);
  }
  return o;
}

/**
 * The first instant at which the local clock of `timeZone` reads `local` (wall time written as if it were
 * UTC milliseconds) or later. See the module comment for what this means around DST changes.
 */
function localToUtc(timeZone: string, local: number): number {
  const before = offsetAt(timeZone, local - DAY);
  const after = offsetAt(timeZone, local + DAY);
  let best = Infinity;
  for (const o of before === after ? [before] : [before, after]) {
    const t = local - o;
    if (offsetAt(timeZone, t) === o && t < best) best = t;
  }
  if (best !== Infinity) return best;
  // Inside a gap: find the transition, the first second whose wall clock is at or past `local`.
  let lo = Math.floor((local - Math.max(before, after)) / 1000);
  let hi = Math.ceil((local - Math.min(before, after)) / 1000);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    const t = mid * 1000;
    if (t + offsetAt(timeZone, t) >= local) hi = mid;
    else lo = mid;
  }
  return hi * 1000;
}

// ---------------------------------------------------------------------------------------------------------
// Validation

function checkSpans(value: unknown, where: string, problems: string[]): number[] {
  if (!Array.isArray(value)) {
    problems.push(`${where}: expected a list of ['HH:mm', 'HH:mm'] spans`);
    return [];
  }
  const spans: Array<[number, number, string]> = [];
  value.forEach((span, i) => {
    const at = `${where}[${i}]`;
    if (!Array.isArray(span) || span.length !== 2 || typeof span[0] !== 'string' || typeof span[1] !== 'string') {
      problems.push(`${at}: expected ['HH:mm', 'HH:mm'], got ${JSON.stringify(span)}`);
      return;
    }
    const [fromText, toText] = span as [string, string];
    const from = TIME_RE.exec(fromText);
    const to = toText === '24:00' ? null : TIME_RE.exec(toText);
    let ok = true;
    if (!from) {
      problems.push(`${at}: start "${fromText}" is not a time (HH:mm, 00:00 to 23:59)`);
      ok = false;
    }
    if (toText !== '24:00' && !to) {
      problems.push(`${at}: end "${toText}" is not a time (HH:mm, 00:00 to 24:00)`);
      ok = false;
    }
    if (!ok) return;
    const a = +from![1] * 60 + +from![2];
    const b = to ? +to[1] * 60 + +to[2] : 1440;
    if (a >= b) {
      problems.push(
        `${at}: start ${fromText} is not before end ${toText}` +
          (b < a
            ? ` (write an overnight shift as ['${fromText}', '24:00'] and ['00:00', '${toText}'] the next day)`
            : ''),
      );
      return;
    }
    spans.push([a, b, `${fromText}-${toText}`]);
  });
  spans.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const flat: number[] = [];
  for (let i = 0; i < spans.length; i++) {
    const [a, b, text] = spans[i];
    if (i > 0 && spans[i - 1][1] > a) {
      problems.push(`${where}: spans ${spans[i - 1][2]} and ${text} overlap`);
      continue;
    }
    if (flat.length && flat[flat.length - 1] === a) flat[flat.length - 1] = b;
    else flat.push(a, b);
  }
  return flat;
}

function minutesToText(m: number): string {
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

function spansToText(flat: number[]): TimeSpan[] {
  const out: TimeSpan[] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([minutesToText(flat[i]), minutesToText(flat[i + 1])]);
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function freezeSpans(spans: TimeSpan[]): void {
  for (const span of spans) Object.freeze(span);
  Object.freeze(spans);
}

/** Freezes a normalized calendar all the way down. */
function freezeCalendar(cal: BusinessCalendar): BusinessCalendar {
  for (const day of WEEKDAYS) freezeSpans(cal.weekly[day]);
  Object.freeze(cal.weekly);
  Object.freeze(cal.holidays);
  for (const w of cal.workdays) {
    if (w.hours) freezeSpans(w.hours);
    Object.freeze(w);
  }
  Object.freeze(cal.workdays);
  return Object.freeze(cal);
}

/** Calendars that came out of `parseCalendar` (valid, normalized, frozen). */
const parsed = new WeakSet<object>();

const KNOWN_FIELDS = new Set(['timezone', 'weekly', 'holidays', 'workdays', 'twentyFourSeven']);

/**
 * Validates and normalizes a calendar (spans sorted and touching spans merged, dates sorted and unique).
 * Missing `holidays` / `workdays` mean none; a 24x7 calendar needs neither `weekly` nor `timezone` (UTC).
 * Throws a `CalendarError` listing every problem found. The result is deeply frozen.
 */
export function parseCalendar(input: unknown): BusinessCalendar {
  if (!isPlainObject(input)) throw new CalendarError('calendar: expected an object');
  const problems: string[] = [];
  for (const key of Object.keys(input)) {
    if (!KNOWN_FIELDS.has(key)) problems.push(`${key}: unknown field (expected ${[...KNOWN_FIELDS].join(', ')})`);
  }

  let twentyFourSeven = false;
  if (input.twentyFourSeven !== undefined && typeof input.twentyFourSeven !== 'boolean') {
    problems.push('twentyFourSeven: expected true or false');
  } else {
    twentyFourSeven = input.twentyFourSeven === true;
  }

  let timezone = 'UTC';
  if (input.timezone === undefined && twentyFourSeven) {
    // irrelevant to plain elapsed time
  } else if (typeof input.timezone !== 'string' || input.timezone === '') {
    problems.push('timezone: expected an IANA time zone name such as "Asia/Shanghai"');
  } else {
    const resolved = resolveTimeZone(input.timezone);
    if (!resolved) problems.push(`timezone: "${input.timezone}" is not a known IANA time zone`);
    else timezone = resolved;
  }

  const weeklyFlat: Record<Weekday, number[]> = { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };
  if (input.weekly === undefined) {
    if (!twentyFourSeven) problems.push('weekly: required (opening hours per weekday, mon..sun)');
  } else if (!isPlainObject(input.weekly)) {
    problems.push('weekly: expected an object with keys mon..sun');
  } else {
    for (const key of Object.keys(input.weekly)) {
      if (!(WEEKDAYS as readonly string[]).includes(key)) {
        problems.push(`weekly.${key}: unknown day (expected ${WEEKDAYS.join(', ')})`);
      }
    }
    for (const day of WEEKDAYS) {
      const spans = input.weekly[day];
      if (spans !== undefined) weeklyFlat[day] = checkSpans(spans, `weekly.${day}`, problems);
    }
    if (
      !twentyFourSeven &&
      WEEKDAYS.every((d) => weeklyFlat[d].length === 0) &&
      !problems.some((p) => p.startsWith('weekly'))
    ) {
      problems.push('weekly: no opening hours on any day (use twentyFourSeven: true for round-the-clock)');
    }
  }

  const holidays = new Set<string>();
  if (input.holidays !== undefined) {
    if (!Array.isArray(input.holidays)) problems.push("holidays: expected a list of 'YYYY-MM-DD' dates");
    else
      input.holidays.forEach((h, i) => {
        if (typeof h !== 'string' || dayNumber(h) === null) {
          problems.push(`holidays[${i}]: ${JSON.stringify(h)} is not a date (YYYY-MM-DD)`);
        } else holidays.add(h);
      });
  }

  const defaultHours = WEEKDAYS.slice(0, 5).find((d) => weeklyFlat[d].length > 0);
  const workdays = new Map<string, MakeUpWorkday>();
  if (input.workdays !== undefined) {
    if (!Array.isArray(input.workdays)) problems.push("workdays: expected a list of { date: 'YYYY-MM-DD', hours? }");
    else
      input.workdays.forEach((item, i) => {
        const at = `workdays[${i}]`;
        const w: unknown = typeof item === 'string' ? { date: item } : item;
        if (!isPlainObject(w)) {
          problems.push(`${at}: expected { date: 'YYYY-MM-DD', hours? }`);
          return;
        }
        for (const key of Object.keys(w)) {
          if (key !== 'date' && key !== 'hours') problems.push(`${at}.${key}: unknown field (expected date, hours)`);
        }
        if (typeof w.date !== 'string' || dayNumber(w.date) === null) {
          problems.push(`${at}.date: ${JSON.stringify(w.date)} is not a date (YYYY-MM-DD)`);
          return;
        }
        const date = w.date;
        if (workdays.has(date)) problems.push(`${at}: ${date} is listed twice`);
        if (holidays.has(date)) problems.push(`${at}: ${date} is both a holiday and a workday`);
        const entry: MakeUpWorkday = { date };
        if (w.hours !== undefined) {
          const flat = checkSpans(w.hours, `${at}.hours`, problems);
          entry.hours = spansToText(flat);
        } else if (!defaultHours && !twentyFourSeven && isPlainObject(input.weekly)) {
          problems.push(`${at}: no hours given and the calendar has no weekday (mon..fri) hours to copy`);
        }
        workdays.set(date, entry);
      });
  }

  if (problems.length) throw new CalendarError(problems);

  const calendar: BusinessCalendar = {
    timezone,
    weekly: Object.fromEntries(WEEKDAYS.map((d) => [d, spansToText(weeklyFlat[d])])) as WeeklyHours,
    holidays: [...holidays].sort(),
    workdays: [...workdays.values()].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0)),
  };
  if (input.twentyFourSeven !== undefined) calendar.twentyFourSeven = twentyFourSeven;
  parsed.add(calendar);
  return freezeCalendar(calendar);
}

// ---------------------------------------------------------------------------------------------------------
// Compiled calendars

interface Compiled {
  timezone: string;
  /** Per weekday (0 = Monday), flat [from, to, from, to, ...] in minutes of the day. */
  weekly: number[][];
  holidays: Set<number>;
  /** Make-up workdays: day number -> flat minutes. */
  workdays: Map<number, number[]>;
  weeklyEmpty: boolean;
  lastWorkday: number;
  /** Consecutive days without hours after which the calendar is judged never to open again. */
  maxClosedRun: number;
  /** Day number -> flat [startMs, endMs, ...] UTC instants, ascending, non-overlapping, non-empty. */
  spans: Map<number, number[]>;
}

const MAX_CACHED_DAYS = 50_000;
const MAX_CACHED_CALENDARS = 1_000;
const compiledCache = new WeakMap<object, Compiled | null>();
/** Equal calendars in different objects (e.g. read from the database per call) share one compiled form. */
const compiledByContent = new Map<string, Compiled | null>();

function flatMinutes(spans: TimeSpan[]): number[] {
  const out: number[] = [];
  for (const [from, to] of spans) {
    const [fh, fm] = from.split(':');
    const [th, tm] = to.split(':');
    out.push(+fh * 60 + +fm, +th * 60 + +tm);
  }
  return out;
}

/** `null` means 24x7. */
function compile(cal: CalendarInput): Compiled | null {
  if (cal === null || cal === undefined) return null;
  const hit = compiledCache.get(cal);
  if (hit !== undefined) return hit;
  // Validates hand-built objects too; the normalized copy is what gets compiled.
  const c = parsed.has(cal) ? cal : parseCalendar(cal);
  const key = JSON.stringify(c);
  let compiled = compiledByContent.get(key);
  if (compiled !== undefined) {
    compiledCache.set(cal, compiled);
    return compiled;
  }
  compiled = null;
  if (!c.twentyFourSeven) {
    const weekly = WEEKDAYS.map((d) => flatMinutes(c.weekly[d]));
    const normal = weekly.slice(0, 5).find((s) => s.length > 0) ?? [];
    const workdays = new Map<number, number[]>();
    let lastWorkday = -Infinity;
    for (const w of c.workdays) {
      const day = dayNumber(w.date)!;
      workdays.set(day, w.hours ? flatMinutes(w.hours) : normal);
      if (day > lastWorkday) lastWorkday = day;
    }
    const holidays = new Set(c.holidays.map((h) => dayNumber(h)!));
    compiled = {
      timezone: c.timezone,
      weekly,
      holidays,
      workdays,
      weeklyEmpty: weekly.every((s) => s.length === 0),
      lastWorkday,
      maxClosedRun: 7 * (holidays.size + 2) + 7,
      spans: new Map(),
    };
  }
  compiledCache.set(cal, compiled);
  if (c !== cal) compiledCache.set(c, compiled);
  if (compiledByContent.size >= MAX_CACHED_CALENDARS) compiledByContent.clear();
  compiledByContent.set(key, compiled);
  return compiled;
}

function daySpans(c: Compiled, day: number): number[] {
  let out = c.spans.get(day);
  if (out) return out;
  const minutes = c.workdays.get(day) ?? (c.holidays.has(day) ? [] : c.weekly[weekdayIndex(day)]);
  out = [];
  const base = day * DAY;
  const steady = minutes.length ? steadyOffset(c.timezone, day) : null;
  for (let i = 0; i < minutes.length; i += 2) {
    const from = base + minutes[i] * MINUTE;
    const to = base + minutes[i + 1] * MINUTE;
    const a = steady === null ? localToUtc(c.timezone, from) : from - steady;
    const b = steady === null ? localToUtc(c.timezone, to) : to - steady;
    if (b <= a) continue; // a span inside a spring-forward gap
    if (out.length && out[out.length - 1] >= a) out[out.length - 1] = Math.max(out[out.length - 1], b);
    else out.push(a, b);
  }
  if (c.spans.size >= MAX_CACHED_DAYS) c.spans.clear();
  c.spans.set(day, out);
  return out;
}

/** The first local day whose spans can reach instant `t` (any offset within +-14 h, with margin). */
function firstDayFor(t: number): number {
  return Math.floor(t / DAY) - 2;
}

function neverOpens(c: Compiled, day: number, closedRun: number): boolean {
  return (c.weeklyEmpty && day > c.lastWorkday) || closedRun > c.maxClosedRun;
}

function noHoursError(c: Compiled, after: number): CalendarError {
  return new CalendarError(
    `calendar (${c.timezone}) has no business hours after ${new Date(after).toISOString()}: check the weekly hours and holidays`,
  );
}

function time(d: Date, name: string): number {
  const t = d instanceof Date ? d.getTime() : NaN;
  if (!Number.isFinite(t)) throw new RangeError(`${name}: expected a valid Date`);
  return t;
}

function minutesToMs(minutes: number, name: string): number {
  if (typeof minutes !== 'number' || !Number.isFinite(minutes) || minutes < 0) {
    throw new RangeError(`${name}: expected a finite number of minutes >= 0, got ${minutes}`);
  }
  return Math.round(minutes * 60) * 1000;
}

function roundToSecondMinutes(ms: number): number {
  return Math.round(ms / 1000) / 60;
}

// Core walks over UTC milliseconds (shared by the public functions and the pause logic).

function addMs(c: Compiled | null, t: number, rem: number): number {
  if (!c) return t + rem;
  let day = firstDayFor(t);
  let closedRun = 0;
  for (;;) {
    const spans = daySpans(c, day);
    let touched = false;
    for (let i = 0; i < spans.length; i += 2) {
      const b = spans[i + 1];
      if (b <= t) continue;
      touched = true;
      const a = spans[i];
      const s = a > t ? a : t;
      const len = b - s;
      if (rem <= len) return s + rem;
      rem -= len;
    }
    closedRun = touched ? 0 : closedRun + 1;
    day++;
    if (neverOpens(c, day, closedRun)) throw noHoursError(c, t);
  }
}

function betweenMs(c: Compiled | null, from: number, to: number): number {
  if (to < from) return -betweenMs(c, to, from);
  if (!c) return to - from;
  let sum = 0;
  const last = Math.floor(to / DAY) + 1;
  for (let day = firstDayFor(from); day <= last; day++) {
    const spans = daySpans(c, day);
    for (let i = 0; i < spans.length; i += 2) {
      const a = spans[i] > from ? spans[i] : from;
      const b = spans[i + 1] < to ? spans[i + 1] : to;
      if (b > a) sum += b - a;
    }
  }
  return sum;
}

// ---------------------------------------------------------------------------------------------------------
// Public API

/**
 * The instant at which `minutes` of business time have elapsed after `start`. When `start` is outside
 * business hours the clock starts at the next opening, so a target of 0 gives `nextOpening(start)`. A target
 * that ends exactly at a closing time gives that closing time, not the next opening.
 */
export function addBusinessMinutes(cal: CalendarInput, start: Date, minutes: number): Date {
  return new Date(addMs(compile(cal), time(start, 'start'), minutesToMs(minutes, 'minutes')));
}

/** Business minutes (whole seconds, as a float) in `[from, to)`; negative when `to` is before `from`. */
export function businessMinutesBetween(cal: CalendarInput, from: Date, to: Date): number {
  return roundToSecondMinutes(betweenMs(compile(cal), time(from, 'from'), time(to, 'to')));
}

/** Open at `at`: inside a span, closing instant excluded. */
export function isOpenAt(cal: CalendarInput, at: Date): boolean {
  const c = compile(cal);
  const t = time(at, 'at');
  if (!c) return true;
  const last = Math.floor(t / DAY) + 2;
  for (let day = firstDayFor(t); day <= last; day++) {
    const spans = daySpans(c, day);
    for (let i = 0; i < spans.length; i += 2) if (spans[i] <= t && t < spans[i + 1]) return true;
  }
  return false;
}

/** `at` itself when open, otherwise the next instant the calendar opens. */
export function nextOpening(cal: CalendarInput, at: Date): Date {
  return new Date(addMs(compile(cal), time(at, 'at'), 0));
}

/**
 * The business hours of one local date as UTC instants (after holidays, make-up workdays and DST).
 * A 24x7 calendar gives the whole UTC day.
 */
export function openingHoursOn(cal: CalendarInput, date: string): Array<{ from: Date; to: Date }> {
  const day = dayNumber(date);
  if (day === null) throw new RangeError(`date: "${date}" is not a date (YYYY-MM-DD)`);
  const c = compile(cal);
  if (!c) return [{ from: new Date(day * DAY), to: new Date((day + 1) * DAY) }];
  const spans = daySpans(c, day);
  const out: Array<{ from: Date; to: Date }> = [];
  for (let i = 0; i < spans.length; i += 2) out.push({ from: new Date(spans[i]), to: new Date(spans[i + 1]) });
  return out;
}

/** Pauses from `start` on, as sorted, merged `[from, to]` ms pairs (`Infinity` for an open pause). */
function normalizePauses(start: number, pauses: readonly Pause[] | undefined): number[] {
  if (!pauses || pauses.length === 0) return [];
  const list: Array<[number, number]> = [];
  pauses.forEach((p, i) => {
    const from = time(p.from, `pauses[${i}].from`);
    const to = p.to === null || p.to === undefined ? Infinity : time(p.to, `pauses[${i}].to`);
    if (to < from) throw new RangeError(`pauses[${i}]: ends (${new Date(to).toISOString()}) before it starts`);
    const a = Math.max(from, start);
    if (to > a) list.push([a, to]);
  });
  list.sort((x, y) => x[0] - y[0]);
  const flat: number[] = [];
  for (const [a, b] of list) {
    if (flat.length && flat[flat.length - 1] >= a) flat[flat.length - 1] = Math.max(flat[flat.length - 1], b);
    else flat.push(a, b);
  }
  return flat;
}

function dueMs(c: Compiled | null, start: number, rem: number, pauses: number[]): number | null {
  let cursor = start;
  for (let i = 0; i < pauses.length; i += 2) {
    const pf = pauses[i];
    const pt = pauses[i + 1];
    if (pf > cursor) {
      const available = betweenMs(c, cursor, pf);
      if (available > 0 && rem <= available) return addMs(c, cursor, rem);
      rem -= available;
    }
    if (pt === Infinity) return null;
    if (pt > cursor) cursor = pt;
  }
  return addMs(c, cursor, rem);
}

/**
 * When `targetMinutes` of business time have elapsed since `start`, not counting time inside `pauses`
 * (e.g. pending on the customer). Pauses before `start` are clipped; overlapping pauses are merged.
 * An open pause (`to: null`) gives `{ dueAt: null, paused: true }`, unless the target had already been
 * reached before that pause began: then that past instant is returned with `paused: true`.
 */
export function dueWithPauses(
  cal: CalendarInput,
  start: Date,
  targetMinutes: number,
  pauses: readonly Pause[] = [],
): DueResult {
  const c = compile(cal);
  const s = time(start, 'start');
  const rem = minutesToMs(targetMinutes, 'targetMinutes');
  const flat = normalizePauses(s, pauses);
  const paused = flat.length > 0 && flat[flat.length - 1] === Infinity;
  const due = dueMs(c, s, rem, flat);
  return { dueAt: due === null ? null : new Date(due), paused };
}

/**
 * Business minutes left at `now` before `targetMinutes` is reached (negative once overdue), not counting
 * pauses (an open pause counts as lasting until `now`). Before `start` the whole target remains.
 */
export function remainingBusinessMinutes(
  cal: CalendarInput,
  start: Date,
  targetMinutes: number,
  pauses: readonly Pause[],
  now: Date,
): number {
  const c = compile(cal);
  const s = time(start, 'start');
  const n = time(now, 'now');
  const target = minutesToMs(targetMinutes, 'targetMinutes');
  if (n <= s) return roundToSecondMinutes(target);
  let elapsed = betweenMs(c, s, n);
  const flat = normalizePauses(s, pauses);
  for (let i = 0; i < flat.length && flat[i] < n; i += 2) {
    elapsed -= betweenMs(c, flat[i], Math.min(flat[i + 1], n));
  }
  return roundToSecondMinutes(target - elapsed);
}

/**
 * When a warning is due: `fraction` (0..1, default 0.75) of the target in business time, with the same
 * pause rules as `dueWithPauses` (`null` while an open pause holds the clock).
 */
export function warningAt(cal: CalendarInput, start: Date, targetMinutes: number, fraction?: number): Date;
export function warningAt(
  cal: CalendarInput,
  start: Date,
  targetMinutes: number,
  fraction: number | undefined,
  pauses: readonly Pause[],
): Date | null;
export function warningAt(
  cal: CalendarInput,
  start: Date,
  targetMinutes: number,
  fraction = 0.75,
  pauses: readonly Pause[] = [],
): Date | null {
  if (typeof fraction !== 'number' || !(fraction >= 0 && fraction <= 1)) {
    throw new RangeError(`fraction: expected a number from 0 to 1, got ${fraction}`);
  }
  minutesToMs(targetMinutes, 'targetMinutes');
  return dueWithPauses(cal, start, targetMinutes * fraction, pauses).dueAt;
}

/** Exposed for tests and tools: the local date of an instant in a zone, 'YYYY-MM-DD'. */
export function localDate(timezone: string, at: Date): string {
  const t = time(at, 'at');
  return dayString(Math.floor((t + offsetAt(timezone, t)) / DAY));
}
