import ICAL from 'ical.js';

import { BusinessCalendar, CalendarError, MakeUpWorkday, parseCalendar, WeeklyHours } from './calendar';

/**
 * Builds a business calendar from an iCalendar (RFC 5545) holiday feed, e.g. a published list of Chinese
 * public holidays with their 补班 days.
 *
 * The rule, applied to each VEVENT occurrence:
 * - Only all-day events count (DTSTART;VALUE=DATE). Timed events are ignored: a calendar closes or opens
 *   whole dates, not parts of days. Events with STATUS:CANCELLED are ignored.
 * - An event whose SUMMARY or CATEGORIES contains 补班, 调休上班, "working day(s)" or "workday(s)"
 *   (case-insensitive; "non-working day", "non-workday" and "not a working day" do not count) makes each of
 *   its dates a make-up workday, worked with the calendar's normal weekday hours.
 * - Every other all-day event makes each of its dates a holiday.
 * - A multi-day event covers DTSTART up to, not including, DTEND (or DTSTART + DURATION; one day when
 *   neither is given).
 * - Recurring events (RRULE, RDATE, EXDATE, overridden occurrences with RECURRENCE-ID) are expanded from
 *   January 1st `yearsBack` years before `now` through December 31st `yearsAhead` years after it
 *   (defaults: 1 back, 3 ahead). One-off events are kept whatever their date.
 * - A date that is both a holiday and a workday is a workday (the more specific statement wins).
 * - `base.holidays` / `base.workdays` are merged in; a base workday keeps its own hours.
 * `options.classify` can replace the rule per event (e.g. to skip observances such as 植树节 that are not
 * days off); returning `undefined` falls back to the rule.
 */
export interface ICalBase {
  timezone: string;
  weekly: WeeklyHours;
  holidays?: string[];
  workdays?: MakeUpWorkday[];
}

export type ICalEventKind = 'holiday' | 'workday' | 'ignore';

export interface ICalEventInfo {
  summary: string;
  categories: string[];
  /** First date of the occurrence, 'YYYY-MM-DD'. */
  date: string;
}

export interface ICalOptions {
  /** The instant the recurrence horizon is measured from (default: now). */
  now?: Date;
  /** Whole years after `now`'s year to expand recurring events through (default 3). */
  yearsAhead?: number;
  /** Whole years before `now`'s year to expand recurring events from (default 1). */
  yearsBack?: number;
  classify?: (event: ICalEventInfo) => ICalEventKind | undefined;
}

const WORKDAY_CJK = /补班|调休上班/;
const WORKDAY_EN = /\b(working days?|workdays?)\b/i;
const NOT_WORKDAY_EN = /\b(non[\s-]?|not\s+an?\s+)(working days?|workdays?)\b/gi;
const MAX_OCCURRENCES = 5_000;
const MAX_EVENT_DAYS = 366;
const DAY = 86_400_000;

/** The default rule: is this event text a make-up workday? */
export function isWorkdayText(text: string): boolean {
  return WORKDAY_CJK.test(text) || WORKDAY_EN.test(text.replace(NOT_WORKDAY_EN, ' '));
}

type Time = InstanceType<typeof ICAL.Time>;
type Component = InstanceType<typeof ICAL.Component>;

function dayOf(t: Time): number {
  // ical.js may leave day overflow un-normalized (e.g. DTEND computed as day 32); Date.UTC normalizes it.
  return Date.UTC(t.year, t.month - 1, t.day) / DAY;
}

function dayString(day: number): string {
  return new Date(day * DAY).toISOString().slice(0, 10);
}

function textOf(component: Component): { summary: string; categories: string[] } {
  const summary = String(component.getFirstPropertyValue('summary') ?? '');
  const categories: string[] = [];
  for (const prop of component.getAllProperties('categories')) {
    for (const v of prop.getValues()) categories.push(String(v));
  }
  return { summary, categories };
}

function isCancelled(component: Component): boolean {
  return String(component.getFirstPropertyValue('status') ?? '').toUpperCase() === 'CANCELLED';
}

export function calendarFromICal(ics: string, base: ICalBase, options: ICalOptions = {}): BusinessCalendar {
  let root: Component;
  try {
    const jcal = ICAL.parse(ics);
    // Several VCALENDARs in one text parse to a list: take them all.
    const list = (Array.isArray(jcal) && Array.isArray(jcal[0]) ? jcal : [jcal]) as unknown[];
    const comps = list.map((j) => new ICAL.Component(j as never));
    if (comps.length === 0 || comps.some((c) => c.name !== 'vcalendar')) {
      throw new Error('no VCALENDAR found');
    }
    root = comps.length === 1 ? comps[0] : new ICAL.Component('vcalendar');
    if (comps.length > 1)
      for (const c of comps) for (const e of c.getAllSubcomponents('vevent')) root.addSubcomponent(e);
  } catch (e) {
    throw new CalendarError(`iCalendar: could not parse (${e instanceof Error ? e.message : String(e)})`);
  }

  const nowYear = (options.now ?? new Date()).getUTCFullYear();
  const yearsAhead = options.yearsAhead ?? 3;
  const yearsBack = options.yearsBack ?? 1;
  const horizonStart = Date.UTC(nowYear - yearsBack, 0, 1) / DAY;
  const horizonEnd = Date.UTC(nowYear + yearsAhead + 1, 0, 1) / DAY; // exclusive

  const holidays = new Set<number>();
  const workdays = new Set<number>();

  const record = (component: Component, start: Time, end: Time | null) => {
    if (!start.isDate || isCancelled(component)) return;
    const first = dayOf(start);
    let last = end ? dayOf(end) : first + 1; // exclusive
    if (last <= first) last = first + 1;
    if (last - first > MAX_EVENT_DAYS) last = first + MAX_EVENT_DAYS;
    const { summary, categories } = textOf(component);
    const kind =
      options.classify?.({ summary, categories, date: dayString(first) }) ??
      (isWorkdayText(`${summary}\n${categories.join('\n')}`) ? 'workday' : 'holiday');
    if (kind === 'ignore') return;
    for (let d = first; d < last; d++) (kind === 'workday' ? workdays : holidays).add(d);
  };

  const vevents = root.getAllSubcomponents('vevent');
  const exceptions = new Map<string, Component[]>();
  for (const v of vevents) {
    if (v.hasProperty('recurrence-id')) {
      const uid = String(v.getFirstPropertyValue('uid') ?? '');
      exceptions.set(uid, [...(exceptions.get(uid) ?? []), v]);
    }
  }

  for (const v of vevents) {
    if (v.hasProperty('recurrence-id') || !v.hasProperty('dtstart')) continue;
    const uid = String(v.getFirstPropertyValue('uid') ?? '');
    const event = new ICAL.Event(v, { exceptions: exceptions.get(uid) ?? [], strictExceptions: false });
    if (!event.isRecurring()) {
      record(v, event.startDate, event.endDate);
      continue;
    }
    const it = event.iterator();
    for (let n = 0; n < MAX_OCCURRENCES; n++) {
      const next = it.next();
      if (!next) break;
      const day = dayOf(next);
      if (day >= horizonEnd) break;
      if (day < horizonStart) continue;
      const details = event.getOccurrenceDetails(next);
      record(details.item.component, details.startDate, details.endDate);
    }
  }

  for (const d of workdays) holidays.delete(d);
  const baseWorkdays = base.workdays ?? [];
  const baseWorkdayDates = new Set(baseWorkdays.map((w) => w.date));
  const merged = {
    timezone: base.timezone,
    weekly: base.weekly,
    holidays: [
      ...new Set([
        ...(base.holidays ?? []).filter((h) => !baseWorkdayDates.has(h) && !workdays.has(Date.parse(h) / DAY)),
        ...[...holidays].map(dayString).filter((h) => !baseWorkdayDates.has(h)),
      ]),
    ],
    workdays: [
      ...baseWorkdays,
      ...[...workdays].map((d) => ({ date: dayString(d) })).filter((w) => !baseWorkdayDates.has(w.date)),
    ],
  };
  return parseCalendar(merged);
}
