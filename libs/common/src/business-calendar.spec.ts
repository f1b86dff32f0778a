import {
  addBusinessMinutes,
  BusinessCalendar,
  businessMinutesBetween,
  CalendarError,
  dueWithPauses,
  isOpenAt,
  localDate,
  nextOpening,
  openingHoursOn,
  parseCalendar,
  Pause,
  remainingBusinessMinutes,
  TimeSpan,
  warningAt,
} from './business-calendar';

const d = (iso: string) => new Date(iso);
const nineToSix: TimeSpan[] = [['09:00', '18:00']];
const weekdays = (spans: TimeSpan[]) => ({ mon: spans, tue: spans, wed: spans, thu: spans, fri: spans });
const minutesOf = (spans: Array<{ from: Date; to: Date }>) =>
  spans.reduce((sum, s) => sum + (s.to.getTime() - s.from.getTime()) / 60_000, 0);

/** A small seeded PRNG (mulberry32), so the property checks are reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Example only: China's 2026 National Day arrangement as published (Oct 1-7 off; Sunday Sep 20 and Saturday
 * Oct 10 worked). Real calendars must come from the year's State Council notice or a holiday feed.
 */
const shanghai = parseCalendar({
  timezone: 'Asia/Shanghai',
  weekly: weekdays(nineToSix),
  holidays: ['2026-10-01', '2026-10-02', '2026-10-03', '2026-10-04', '2026-10-05', '2026-10-06', '2026-10-07'],
  workdays: [{ date: '2026-09-20' }, { date: '2026-10-10' }],
});

const berlin = parseCalendar({ timezone: 'Europe/Berlin', weekly: weekdays(nineToSix) });
const newYork = parseCalendar({ timezone: 'America/New_York', weekly: weekdays([['09:00', '17:00']]) });

describe('parseCalendar', () => {
  it('normalizes: sorts and merges spans, sorts dates, fills defaults, freezes', () => {
    const cal = parseCalendar({
      timezone: 'Asia/Shanghai',
      weekly: {
        mon: [
          ['13:00', '18:00'],
          ['09:00', '12:00'],
          ['12:00', '13:00'],
        ],
        sat: [],
      },
      holidays: ['2026-10-02', '2026-10-01', '2026-10-02'],
    });
    expect(cal.weekly.mon).toEqual([['09:00', '18:00']]);
    expect(cal.weekly.tue).toEqual([]);
    expect(cal.holidays).toEqual(['2026-10-01', '2026-10-02']);
    expect(cal.workdays).toEqual([]);
    expect(Object.isFrozen(cal)).toBe(true);
    expect(Object.isFrozen(cal.weekly.mon[0])).toBe(true);
  });

  it("accepts '24:00' as an end and a make-up workday with its own hours", () => {
    const cal = parseCalendar({
      timezone: 'UTC',
      weekly: { mon: [['22:00', '24:00']], tue: [['00:00', '06:00']] },
      workdays: [{ date: '2026-10-10', hours: [['10:00', '16:00']] }],
    });
    expect(cal.weekly.mon).toEqual([['22:00', '24:00']]);
    expect(cal.workdays).toEqual([{ date: '2026-10-10', hours: [['10:00', '16:00']] }]);
  });

  it('knows leap years', () => {
    expect(
      parseCalendar({ timezone: 'UTC', weekly: weekdays(nineToSix), holidays: ['2028-02-29', '2000-02-29'] }).holidays,
    ).toEqual(['2000-02-29', '2028-02-29']);
    expect(() => parseCalendar({ timezone: 'UTC', weekly: weekdays(nineToSix), holidays: ['2100-02-29'] })).toThrow(
      'holidays[0]: "2100-02-29" is not a date',
    );
    expect(() => parseCalendar({ timezone: 'UTC', weekly: weekdays(nineToSix), holidays: ['2026-04-31'] })).toThrow(
      CalendarError,
    );
  });

  it('takes a 24x7 calendar without weekly hours or a zone', () => {
    const cal = parseCalendar({ twentyFourSeven: true });
    expect(cal.twentyFourSeven).toBe(true);
    expect(cal.timezone).toBe('UTC');
  });

  const problemsOf = (input: unknown): string[] => {
    try {
      parseCalendar(input);
    } catch (e) {
      expect(e).toBeInstanceOf(CalendarError);
      return (e as CalendarError).problems;
    }
    throw new Error('expected a CalendarError');
  };

  it.each([
    [
      { timezone: 'Mars/Olympus', weekly: weekdays(nineToSix) },
      'timezone: "Mars/Olympus" is not a known IANA time zone',
    ],
    [{ weekly: weekdays(nineToSix) }, 'timezone: expected an IANA time zone name'],
    [{ timezone: 'UTC', weekly: { mon: [['25:00', '26:00']] } }, 'weekly.mon[0]: start "25:00" is not a time'],
    [{ timezone: 'UTC', weekly: { mon: [['9:00', '18:00']] } }, 'weekly.mon[0]: start "9:00" is not a time'],
    [{ timezone: 'UTC', weekly: { mon: [['09:00', '18:60']] } }, 'weekly.mon[0]: end "18:60" is not a time'],
    [{ timezone: 'UTC', weekly: { mon: [['24:00', '24:00']] } }, 'weekly.mon[0]: start "24:00" is not a time'],
    [{ timezone: 'UTC', weekly: { mon: [['18:00', '09:00']] } }, 'weekly.mon[0]: start 18:00 is not before end 09:00'],
    [{ timezone: 'UTC', weekly: { mon: [['09:00', '09:00']] } }, 'weekly.mon[0]: start 09:00 is not before end 09:00'],
    [{ timezone: 'UTC', weekly: { mon: [['09:00']] } }, "weekly.mon[0]: expected ['HH:mm', 'HH:mm']"],
    [
      {
        timezone: 'UTC',
        weekly: {
          tue: [
            ['09:00', '12:00'],
            ['11:00', '13:00'],
          ],
        },
      },
      'weekly.tue: spans 09:00-12:00 and 11:00-13:00 overlap',
    ],
    [{ timezone: 'UTC', weekly: { monday: nineToSix } }, 'weekly.monday: unknown day'],
    [{ timezone: 'UTC', weekly: {} }, 'weekly: no opening hours on any day'],
    [{ timezone: 'UTC' }, 'weekly: required'],
    [
      { timezone: 'UTC', weekly: weekdays(nineToSix), holidays: ['2026-02-30'] },
      'holidays[0]: "2026-02-30" is not a date',
    ],
    [
      { timezone: 'UTC', weekly: weekdays(nineToSix), holidays: ['2026/10/01'] },
      'holidays[0]: "2026/10/01" is not a date',
    ],
    [
      { timezone: 'UTC', weekly: weekdays(nineToSix), workdays: [{ date: '20261010' }] },
      'workdays[0].date: "20261010" is not a date',
    ],
    [
      { timezone: 'UTC', weekly: weekdays(nineToSix), holidays: ['2026-10-10'], workdays: [{ date: '2026-10-10' }] },
      'workdays[0]: 2026-10-10 is both a holiday and a workday',
    ],
    [
      { timezone: 'UTC', weekly: { sat: nineToSix }, workdays: [{ date: '2026-10-10' }] },
      'workdays[0]: no hours given and the calendar has no weekday (mon..fri) hours to copy',
    ],
    [{ timezone: 'UTC', weekly: weekdays(nineToSix), holiday: ['2026-10-01'] }, 'holiday: unknown field'],
    [{ twentyFourSeven: 'yes' }, 'twentyFourSeven: expected true or false'],
  ])('rejects %j', (input, problem) => {
    expect(problemsOf(input).join('\n')).toContain(problem);
  });

  it('explains how to write an overnight shift', () => {
    expect(problemsOf({ timezone: 'UTC', weekly: { mon: [['22:00', '06:00']] } })[0]).toContain(
      "['22:00', '24:00'] and ['00:00', '06:00'] the next day",
    );
  });

  it('reports every problem at once, one readable line each', () => {
    const problems = problemsOf({
      timezone: 'Nowhere/Land',
      weekly: { mon: [['08:00', '07:00']], fun: [] },
      holidays: ['tomorrow'],
    });
    expect(problems).toHaveLength(4);
    expect(() => parseCalendar({ timezone: 'Nowhere/Land', weekly: {} })).toThrow(/2 problems: timezone/);
  });

  it('rejects what is not an object', () => {
    expect(() => parseCalendar(null)).toThrow(CalendarError);
    expect(() => parseCalendar('9-18')).toThrow('calendar: expected an object');
  });

  it('validates hand-built calendars when they are first used', () => {
    const bad = {
      timezone: 'UTC',
      weekly: { mon: [['18:00', '09:00']] },
      holidays: [],
      workdays: [],
    } as unknown as BusinessCalendar;
    expect(() => addBusinessMinutes(bad, d('2026-01-05T00:00:00Z'), 1)).toThrow(CalendarError);
  });
});

describe('weekends, holidays and opening times', () => {
  it('carries the clock over a weekend', () => {
    // Friday 2026-06-05 17:00 Shanghai + 2 h -> Monday 10:00
    expect(addBusinessMinutes(shanghai, d('2026-06-05T17:00:00+08:00'), 120)).toEqual(d('2026-06-08T10:00:00+08:00'));
    expect(businessMinutesBetween(shanghai, d('2026-06-05T17:00:00+08:00'), d('2026-06-08T10:00:00+08:00'))).toBe(120);
  });

  it('starts the clock at the next opening when created outside hours', () => {
    expect(addBusinessMinutes(shanghai, d('2026-06-06T11:00:00+08:00'), 30)).toEqual(d('2026-06-08T09:30:00+08:00'));
    expect(addBusinessMinutes(shanghai, d('2026-06-08T07:00:00+08:00'), 30)).toEqual(d('2026-06-08T09:30:00+08:00'));
    expect(addBusinessMinutes(shanghai, d('2026-06-08T20:00:00+08:00'), 30)).toEqual(d('2026-06-09T09:30:00+08:00'));
  });

  it('skips a holiday', () => {
    const cal = parseCalendar({ timezone: 'Europe/Berlin', weekly: weekdays(nineToSix), holidays: ['2026-12-25'] });
    // Thursday Dec 24 17:00 + 2 h: 1 h on Thursday, Friday Dec 25 closed, weekend, Monday Dec 28 10:00
    expect(addBusinessMinutes(cal, d('2026-12-24T17:00:00+01:00'), 120)).toEqual(d('2026-12-28T10:00:00+01:00'));
    expect(isOpenAt(cal, d('2026-12-25T12:00:00+01:00'))).toBe(false);
    expect(openingHoursOn(cal, '2026-12-25')).toEqual([]);
  });

  it('treats a start exactly at closing time as closed', () => {
    const friday1800 = d('2026-06-05T18:00:00+08:00');
    expect(isOpenAt(shanghai, friday1800)).toBe(false);
    expect(isOpenAt(shanghai, new Date(friday1800.getTime() - 1))).toBe(true);
    expect(nextOpening(shanghai, friday1800)).toEqual(d('2026-06-08T09:00:00+08:00'));
    expect(addBusinessMinutes(shanghai, friday1800, 60)).toEqual(d('2026-06-08T10:00:00+08:00'));
  });

  it('ends a target that runs out exactly at closing at the closing time', () => {
    expect(addBusinessMinutes(shanghai, d('2026-06-05T17:00:00+08:00'), 60)).toEqual(d('2026-06-05T18:00:00+08:00'));
  });

  it('opens exactly at the opening time', () => {
    expect(isOpenAt(shanghai, d('2026-06-08T09:00:00+08:00'))).toBe(true);
    expect(isOpenAt(shanghai, d('2026-06-08T08:59:59+08:00'))).toBe(false);
    expect(nextOpening(shanghai, d('2026-06-08T09:00:00+08:00'))).toEqual(d('2026-06-08T09:00:00+08:00'));
    expect(nextOpening(shanghai, d('2026-06-08T10:15:00+08:00'))).toEqual(d('2026-06-08T10:15:00+08:00'));
  });

  it('gives the start itself for a target of 0 when open, else the next opening', () => {
    expect(addBusinessMinutes(shanghai, d('2026-06-08T10:15:00+08:00'), 0)).toEqual(d('2026-06-08T10:15:00+08:00'));
    expect(addBusinessMinutes(shanghai, d('2026-06-06T10:15:00+08:00'), 0)).toEqual(d('2026-06-08T09:00:00+08:00'));
    expect(businessMinutesBetween(shanghai, d('2026-06-08T10:15:00+08:00'), d('2026-06-08T10:15:00+08:00'))).toBe(0);
  });

  it('handles a lunch break', () => {
    const cal = parseCalendar({
      timezone: 'Asia/Shanghai',
      weekly: weekdays([
        ['09:00', '12:00'],
        ['13:30', '18:00'],
      ]),
    });
    expect(addBusinessMinutes(cal, d('2026-06-08T11:30:00+08:00'), 60)).toEqual(d('2026-06-08T14:00:00+08:00'));
    expect(isOpenAt(cal, d('2026-06-08T12:30:00+08:00'))).toBe(false);
    expect(nextOpening(cal, d('2026-06-08T12:30:00+08:00'))).toEqual(d('2026-06-08T13:30:00+08:00'));
    expect(businessMinutesBetween(cal, d('2026-06-08T00:00:00+08:00'), d('2026-06-09T00:00:00+08:00'))).toBe(450);
  });

  it('runs targets over weeks (20 business days, with a holiday inside)', () => {
    const start = d('2026-06-01T09:00:00+08:00'); // a Monday
    const twentyDays = 20 * 9 * 60;
    expect(addBusinessMinutes(shanghai, start, twentyDays)).toEqual(d('2026-06-26T18:00:00+08:00'));
    const withDragonBoat = parseCalendar({
      timezone: 'Asia/Shanghai',
      weekly: weekdays(nineToSix),
      holidays: ['2026-06-19'],
    });
    expect(addBusinessMinutes(withDragonBoat, start, twentyDays)).toEqual(d('2026-06-29T18:00:00+08:00'));
    expect(businessMinutesBetween(withDragonBoat, start, d('2026-06-29T18:00:00+08:00'))).toBe(twentyDays);
    // a year of business time
    const yearEnd = addBusinessMinutes(berlin, d('2026-01-01T00:00:00+01:00'), 261 * 9 * 60);
    expect(yearEnd).toEqual(d('2026-12-31T18:00:00+01:00'));
  });

  it('returns whole seconds and fractional minutes', () => {
    expect(addBusinessMinutes(shanghai, d('2026-06-08T09:00:00+08:00'), 1.5)).toEqual(d('2026-06-08T09:01:30+08:00'));
    expect(businessMinutesBetween(shanghai, d('2026-06-08T09:00:00+08:00'), d('2026-06-08T09:00:45+08:00'))).toBe(0.75);
    expect(businessMinutesBetween(shanghai, d('2026-06-08T10:00:00+08:00'), d('2026-06-08T09:00:00+08:00'))).toBe(-60);
  });

  it('rejects negative or non-finite targets and invalid dates', () => {
    expect(() => addBusinessMinutes(shanghai, d('2026-06-08T09:00:00Z'), -1)).toThrow(RangeError);
    expect(() => addBusinessMinutes(shanghai, d('2026-06-08T09:00:00Z'), NaN)).toThrow(RangeError);
    expect(() => addBusinessMinutes(shanghai, new Date('nope'), 1)).toThrow('start: expected a valid Date');
  });

  it('walks past a long run of closed days', () => {
    const onlyMakeUp = parseCalendar({
      timezone: 'UTC',
      weekly: { sat: nineToSix },
      workdays: [{ date: '2026-06-08', hours: nineToSix }],
    });
    expect(addBusinessMinutes(onlyMakeUp, d('2026-06-08T09:00:00Z'), 600)).toEqual(d('2026-06-13T10:00:00Z'));
    const mondaysOff = parseCalendar({
      timezone: 'UTC',
      weekly: { mon: nineToSix },
      holidays: Array.from({ length: 60 }, (_, i) => new Date(Date.UTC(2026, 0, 5 + 7 * i)).toISOString().slice(0, 10)),
    });
    expect(addBusinessMinutes(mondaysOff, d('2026-01-01T00:00:00Z'), 60)).toEqual(d('2027-03-01T10:00:00Z'));
  });
});

describe('Chinese holidays and make-up workdays (2026 National Day, example dates)', () => {
  it('closes Oct 1-7 and resumes on Thursday Oct 8', () => {
    expect(addBusinessMinutes(shanghai, d('2026-09-30T17:00:00+08:00'), 120)).toEqual(d('2026-10-08T10:00:00+08:00'));
    expect(isOpenAt(shanghai, d('2026-10-05T10:00:00+08:00'))).toBe(false); // a Monday inside the holiday
  });

  it('works the make-up Sunday Sep 20 with normal weekday hours', () => {
    expect(isOpenAt(shanghai, d('2026-09-20T10:00:00+08:00'))).toBe(true);
    expect(isOpenAt(shanghai, d('2026-09-19T10:00:00+08:00'))).toBe(false); // the Saturday before stays closed
    expect(addBusinessMinutes(shanghai, d('2026-09-18T17:00:00+08:00'), 120)).toEqual(d('2026-09-20T10:00:00+08:00'));
    expect(minutesOf(openingHoursOn(shanghai, '2026-09-20'))).toBe(540);
  });

  it('works the make-up Saturday Oct 10 and not the Sunday after it', () => {
    expect(addBusinessMinutes(shanghai, d('2026-10-09T17:30:00+08:00'), 60)).toEqual(d('2026-10-10T09:30:00+08:00'));
    expect(isOpenAt(shanghai, d('2026-10-11T10:00:00+08:00'))).toBe(false);
    // Sep 28 (Mon) 09:00 to Oct 12 (Mon) 09:00: Sep 28-30 (3 days) + Oct 8, 9, 10 (3 days) = 6 days of 9 h
    expect(businessMinutesBetween(shanghai, d('2026-09-28T09:00:00+08:00'), d('2026-10-12T09:00:00+08:00'))).toBe(
      6 * 540,
    );
  });

  it('uses the hours given for a make-up day, and copies the first non-empty weekday otherwise', () => {
    const cal = parseCalendar({
      timezone: 'Asia/Shanghai',
      weekly: { mon: [], tue: [['10:00', '19:00']], wed: nineToSix },
      workdays: [{ date: '2026-10-10', hours: [['09:00', '12:00']] }, { date: '2026-09-20' }],
    });
    expect(openingHoursOn(cal, '2026-10-10')).toEqual([
      { from: d('2026-10-10T09:00:00+08:00'), to: d('2026-10-10T12:00:00+08:00') },
    ]);
    expect(openingHoursOn(cal, '2026-09-20')).toEqual([
      { from: d('2026-09-20T10:00:00+08:00'), to: d('2026-09-20T19:00:00+08:00') },
    ]);
  });
});

describe('overnight hours (22:00-06:00 written as two spans)', () => {
  const night: TimeSpan[] = [
    ['00:00', '06:00'],
    ['22:00', '24:00'],
  ];
  const cal = parseCalendar({
    timezone: 'Asia/Shanghai',
    weekly: { mon: [['22:00', '24:00']], tue: night, wed: night, thu: night, fri: night, sat: [['00:00', '06:00']] },
  });

  it('runs across midnight without a gap', () => {
    expect(addBusinessMinutes(cal, d('2026-06-08T23:00:00+08:00'), 120)).toEqual(d('2026-06-09T01:00:00+08:00'));
    expect(isOpenAt(cal, d('2026-06-09T00:00:00+08:00'))).toBe(true);
    expect(isOpenAt(cal, d('2026-06-08T23:59:59+08:00'))).toBe(true);
  });

  it('closes in the morning and reopens at night', () => {
    expect(addBusinessMinutes(cal, d('2026-06-09T05:30:00+08:00'), 60)).toEqual(d('2026-06-09T22:30:00+08:00'));
    expect(businessMinutesBetween(cal, d('2026-06-08T21:00:00+08:00'), d('2026-06-09T07:00:00+08:00'))).toBe(480);
    expect(nextOpening(cal, d('2026-06-09T06:00:00+08:00'))).toEqual(d('2026-06-09T22:00:00+08:00'));
  });

  it("ends the week's last shift on Saturday morning", () => {
    // Friday 23:00 + 8 h: 1 h Friday night, 6 h Saturday morning, then Monday 22:00 for the last hour
    expect(addBusinessMinutes(cal, d('2026-06-12T23:00:00+08:00'), 480)).toEqual(d('2026-06-15T23:00:00+08:00'));
  });
});

describe('daylight saving time', () => {
  const nySundays = parseCalendar({
    timezone: 'America/New_York',
    weekly: { ...weekdays([['09:00', '17:00']]), sun: [['01:30', '03:30']] },
  });

  it('shortens 01:30-03:30 on the spring-forward day and lengthens it on the fall-back day (New York)', () => {
    expect(minutesOf(openingHoursOn(nySundays, '2026-03-01'))).toBe(120);
    expect(openingHoursOn(nySundays, '2026-03-08')).toEqual([
      { from: d('2026-03-08T01:30:00-05:00'), to: d('2026-03-08T03:30:00-04:00') },
    ]);
    expect(minutesOf(openingHoursOn(nySundays, '2026-03-08'))).toBe(60);
    expect(openingHoursOn(nySundays, '2026-11-01')).toEqual([
      { from: d('2026-11-01T01:30:00-04:00'), to: d('2026-11-01T03:30:00-05:00') },
    ]);
    expect(minutesOf(openingHoursOn(nySundays, '2026-11-01'))).toBe(180);
    expect(addBusinessMinutes(nySundays, d('2026-11-01T01:30:00-04:00'), 150)).toEqual(d('2026-11-01T03:00:00-05:00'));
  });

  it('opens at the transition when a span starts inside the spring-forward gap, and not at all when it lies inside', () => {
    const cal = parseCalendar({
      timezone: 'America/New_York',
      weekly: { sun: [['02:30', '05:00']], sat: [['02:00', '02:30']] },
    });
    expect(openingHoursOn(cal, '2026-03-08')).toEqual([
      { from: d('2026-03-08T03:00:00-04:00'), to: d('2026-03-08T05:00:00-04:00') },
    ]);
    const inGap = parseCalendar({ timezone: 'America/New_York', weekly: { sun: [['02:00', '02:30']] } });
    expect(openingHoursOn(inGap, '2026-03-08')).toEqual([]);
    expect(minutesOf(openingHoursOn(inGap, '2026-03-15'))).toBe(30);
    expect(isOpenAt(inGap, d('2026-03-08T07:00:00Z'))).toBe(false);
    expect(nextOpening(inGap, d('2026-03-08T00:00:00-05:00'))).toEqual(d('2026-03-15T02:00:00-04:00'));
  });

  it('never assumes a 24-hour day (New York, all-day hours)', () => {
    const allDay = parseCalendar({
      timezone: 'America/New_York',
      weekly: { ...weekdays([['00:00', '24:00']]), sat: [['00:00', '24:00']], sun: [['00:00', '24:00']] },
    });
    expect(businessMinutesBetween(allDay, d('2026-03-08T00:00:00-05:00'), d('2026-03-09T00:00:00-04:00'))).toBe(
      23 * 60,
    );
    expect(businessMinutesBetween(allDay, d('2026-11-01T00:00:00-04:00'), d('2026-11-02T00:00:00-05:00'))).toBe(
      25 * 60,
    );
    expect(addBusinessMinutes(allDay, d('2026-03-08T00:00:00-05:00'), 24 * 60)).toEqual(d('2026-03-09T01:00:00-04:00'));
    expect(addBusinessMinutes(allDay, d('2026-11-01T00:00:00-04:00'), 24 * 60)).toEqual(d('2026-11-01T23:00:00-05:00'));
  });

  it('keeps 09:00 local across the change (New York)', () => {
    // Friday Mar 6 16:00 EST + 2 h -> Monday Mar 9 10:00 EDT (14:00Z, not 15:00Z)
    expect(addBusinessMinutes(newYork, d('2026-03-06T16:00:00-05:00'), 120)).toEqual(d('2026-03-09T14:00:00Z'));
    expect(addBusinessMinutes(newYork, d('2026-10-30T16:00:00-04:00'), 120)).toEqual(d('2026-11-02T15:00:00Z'));
    expect(businessMinutesBetween(newYork, d('2026-03-06T00:00:00Z'), d('2026-03-10T00:00:00Z'))).toBe(16 * 60);
  });

  it('keeps 09:00 local across the change (Berlin, 2026-03-29 and 2026-10-25)', () => {
    expect(addBusinessMinutes(berlin, d('2026-03-27T17:00:00+01:00'), 120)).toEqual(d('2026-03-30T08:00:00Z'));
    expect(addBusinessMinutes(berlin, d('2026-10-23T17:00:00+02:00'), 120)).toEqual(d('2026-10-26T09:00:00Z'));
    const sundayNight = parseCalendar({ timezone: 'Europe/Berlin', weekly: { sun: [['02:00', '04:00']] } });
    expect(minutesOf(openingHoursOn(sundayNight, '2026-03-29'))).toBe(60);
    expect(openingHoursOn(sundayNight, '2026-10-25')).toEqual([
      { from: d('2026-10-25T02:00:00+02:00'), to: d('2026-10-25T04:00:00+01:00') },
    ]);
    expect(minutesOf(openingHoursOn(sundayNight, '2026-10-25'))).toBe(180);
    expect(isOpenAt(sundayNight, d('2026-10-25T02:30:00+01:00'))).toBe(true); // the second 02:30
  });

  it('reads local dates in the zone', () => {
    expect(localDate('Asia/Shanghai', d('2026-09-30T16:30:00Z'))).toBe('2026-10-01');
    expect(localDate('America/New_York', d('2026-03-08T04:59:59Z'))).toBe('2026-03-07');
  });
});

describe('pauses', () => {
  const monday0900 = d('2026-06-08T09:00:00+08:00');

  it('does not count a closed pause', () => {
    const pauses: Pause[] = [{ from: d('2026-06-08T10:00:00+08:00'), to: d('2026-06-08T11:00:00+08:00') }];
    expect(dueWithPauses(shanghai, monday0900, 240, pauses)).toEqual({
      dueAt: d('2026-06-08T14:00:00+08:00'),
      paused: false,
    });
  });

  it('ignores the part of a pause outside business hours', () => {
    const overnight: Pause[] = [{ from: d('2026-06-08T17:00:00+08:00'), to: d('2026-06-09T10:00:00+08:00') }];
    // 8 h before the pause, the pause holds 17:00-18:00 and 09:00-10:00, then 1 h more
    expect(dueWithPauses(shanghai, monday0900, 540, overnight).dueAt).toEqual(d('2026-06-09T11:00:00+08:00'));
    const nightOnly: Pause[] = [{ from: d('2026-06-08T19:00:00+08:00'), to: d('2026-06-09T08:00:00+08:00') }];
    expect(dueWithPauses(shanghai, monday0900, 600, nightOnly).dueAt).toEqual(
      addBusinessMinutes(shanghai, monday0900, 600),
    );
  });

  it('merges overlapping pauses and clips pauses before the start', () => {
    const pauses: Pause[] = [
      { from: d('2026-06-08T11:00:00+08:00'), to: d('2026-06-08T12:00:00+08:00') },
      { from: d('2026-06-08T10:00:00+08:00'), to: d('2026-06-08T11:30:00+08:00') },
      { from: d('2026-06-08T08:00:00+08:00'), to: d('2026-06-08T09:30:00+08:00') },
      { from: d('2026-06-01T08:00:00+08:00'), to: d('2026-06-01T09:30:00+08:00') },
    ];
    // counted: 09:30-10:00, then from 12:00: 2.5 h more -> 14:30
    expect(dueWithPauses(shanghai, monday0900, 180, pauses).dueAt).toEqual(d('2026-06-08T14:30:00+08:00'));
  });

  it('has no due time while a pause is open', () => {
    const open: Pause[] = [{ from: d('2026-06-08T10:00:00+08:00'), to: null }];
    expect(dueWithPauses(shanghai, monday0900, 240, open)).toEqual({ dueAt: null, paused: true });
    expect(warningAt(shanghai, monday0900, 240, 0.75, open)).toBeNull();
  });

  it('keeps a due time already passed before an open pause began', () => {
    const open: Pause[] = [{ from: d('2026-06-08T15:00:00+08:00'), to: null }];
    expect(dueWithPauses(shanghai, monday0900, 60, open)).toEqual({
      dueAt: d('2026-06-08T10:00:00+08:00'),
      paused: true,
    });
  });

  it('resumes after a closed pause that began outside hours', () => {
    const pauses: Pause[] = [{ from: d('2026-06-08T18:30:00+08:00'), to: d('2026-06-10T09:30:00+08:00') }];
    expect(dueWithPauses(shanghai, d('2026-06-08T17:00:00+08:00'), 120, pauses).dueAt).toEqual(
      d('2026-06-10T10:30:00+08:00'),
    );
    expect(dueWithPauses(shanghai, d('2026-06-08T18:00:00+08:00'), 0, pauses).dueAt).toEqual(
      d('2026-06-10T09:30:00+08:00'),
    );
  });

  it('rejects a pause that ends before it starts', () => {
    expect(() =>
      dueWithPauses(shanghai, monday0900, 60, [{ from: d('2026-06-08T11:00:00Z'), to: d('2026-06-08T10:00:00Z') }]),
    ).toThrow(RangeError);
  });

  it('tells the business minutes remaining, negative once overdue', () => {
    const pauses: Pause[] = [{ from: d('2026-06-08T10:00:00+08:00'), to: d('2026-06-08T11:00:00+08:00') }];
    const remaining = (now: string) => remainingBusinessMinutes(shanghai, monday0900, 240, pauses, d(now));
    expect(remaining('2026-06-08T08:00:00+08:00')).toBe(240);
    expect(remaining('2026-06-08T09:30:00+08:00')).toBe(210);
    expect(remaining('2026-06-08T10:30:00+08:00')).toBe(180);
    expect(remaining('2026-06-08T14:00:00+08:00')).toBe(0);
    expect(remaining('2026-06-09T09:15:00+08:00')).toBe(-255);
  });

  it('freezes the remaining minutes while a pause is open', () => {
    const open: Pause[] = [{ from: d('2026-06-08T10:00:00+08:00'), to: null }];
    expect(remainingBusinessMinutes(shanghai, monday0900, 240, open, d('2026-06-08T10:00:00+08:00'))).toBe(180);
    expect(remainingBusinessMinutes(shanghai, monday0900, 240, open, d('2026-06-12T16:00:00+08:00'))).toBe(180);
  });

  it('agrees with itself: remaining is 0 at the due time for random pauses', () => {
    const random = rng(7);
    const base = d('2026-01-05T00:00:00+08:00').getTime();
    for (let n = 0; n < 200; n++) {
      const start = new Date(base + Math.floor(random() * 300 * 86_400) * 1000);
      const pauses: Pause[] = Array.from({ length: Math.floor(random() * 4) }, () => {
        const from = start.getTime() + Math.floor(random() * 10 * 86_400) * 1000 - 86_400_000;
        return { from: new Date(from), to: new Date(from + Math.floor(random() * 3 * 86_400) * 1000) };
      });
      const target = Math.floor(random() * 3000 * 60) / 60;
      const { dueAt, paused } = dueWithPauses(shanghai, start, target, pauses);
      expect(paused).toBe(false);
      expect(remainingBusinessMinutes(shanghai, start, target, pauses, dueAt!)).toBeCloseTo(0, 9);
      expect(
        remainingBusinessMinutes(shanghai, start, target, pauses, new Date(dueAt!.getTime() - 1000)),
      ).toBeGreaterThan(0);
    }
  });
});

describe('warningAt', () => {
  const monday0900 = d('2026-06-08T09:00:00+08:00');

  it('warns at 75% of the target by default', () => {
    expect(warningAt(shanghai, monday0900, 480)).toEqual(d('2026-06-08T15:00:00+08:00'));
    expect(warningAt(shanghai, monday0900, 480, 0.5)).toEqual(d('2026-06-08T13:00:00+08:00'));
    expect(warningAt(shanghai, d('2026-06-05T17:00:00+08:00'), 240)).toEqual(d('2026-06-08T11:00:00+08:00'));
  });

  it('honours pauses', () => {
    const pauses: Pause[] = [{ from: d('2026-06-08T10:00:00+08:00'), to: d('2026-06-08T12:00:00+08:00') }];
    expect(warningAt(shanghai, monday0900, 480, 0.75, pauses)).toEqual(d('2026-06-08T17:00:00+08:00'));
  });

  it('rejects a fraction outside 0..1', () => {
    expect(() => warningAt(shanghai, monday0900, 480, 1.5)).toThrow(RangeError);
    expect(() => warningAt(shanghai, monday0900, 480, NaN)).toThrow(RangeError);
  });
});

describe('24x7', () => {
  const always = parseCalendar({
    twentyFourSeven: true,
    timezone: 'Asia/Shanghai',
    weekly: weekdays(nineToSix),
    holidays: ['2026-10-01'],
  });
  const start = d('2026-10-01T03:00:00Z');

  it.each([
    ['null', null],
    ['twentyFourSeven', always],
  ])('is plain elapsed time (%s)', (_, cal) => {
    expect(addBusinessMinutes(cal, start, 90)).toEqual(d('2026-10-01T04:30:00Z'));
    expect(addBusinessMinutes(cal, start, 0)).toEqual(start);
    expect(businessMinutesBetween(cal, start, d('2026-10-08T03:00:00Z'))).toBe(7 * 1440);
    expect(isOpenAt(cal, start)).toBe(true);
    expect(nextOpening(cal, start)).toEqual(start);
    expect(
      dueWithPauses(cal, start, 60, [{ from: d('2026-10-01T03:30:00Z'), to: d('2026-10-01T05:00:00Z') }]).dueAt,
    ).toEqual(d('2026-10-01T05:30:00Z'));
    expect(remainingBusinessMinutes(cal, start, 60, [], d('2026-10-01T03:45:00Z'))).toBe(15);
    expect(warningAt(cal, start, 60)).toEqual(d('2026-10-01T03:45:00Z'));
  });

  it('treats undefined as 24x7 too', () => {
    expect(addBusinessMinutes(undefined, start, 60)).toEqual(d('2026-10-01T04:00:00Z'));
  });
});

describe('properties', () => {
  const calendars: Array<[string, BusinessCalendar]> = [
    ['Shanghai with National Day', shanghai],
    ['Berlin', berlin],
    [
      'New York, split and overnight hours',
      parseCalendar({
        timezone: 'America/New_York',
        weekly: {
          mon: [
            ['08:00', '12:00'],
            ['13:00', '17:30'],
          ],
          tue: [['00:00', '24:00']],
          wed: [
            ['01:30', '03:30'],
            ['22:00', '24:00'],
          ],
          thu: [['00:00', '06:00']],
          fri: [['09:00', '17:00']],
          sun: [['01:30', '03:30']],
        },
        holidays: ['2026-07-03', '2026-11-26', '2026-12-25'],
        workdays: [{ date: '2026-11-28' }],
      }),
    ],
  ];

  it.each(calendars)('businessMinutesBetween(start, addBusinessMinutes(start, m)) = m (%s)', (_, cal) => {
    const random = rng(42);
    const base = d('2026-01-01T00:00:00Z').getTime();
    for (let n = 0; n < 1500; n++) {
      const start = new Date(base + Math.floor(random() * 365 * 86_400) * 1000);
      const m = Math.floor(random() * (random() < 0.2 ? 60_000 : 3_000) * 60) / 60;
      const due = addBusinessMinutes(cal, start, m);
      expect(due.getTime()).toBeGreaterThanOrEqual(start.getTime());
      expect(businessMinutesBetween(cal, start, due)).toBeCloseTo(m, 9);
      if (m > 0) expect(isOpenAt(cal, new Date(due.getTime() - 1))).toBe(true);
      else expect(due).toEqual(nextOpening(cal, start));
      const more = m + 1 + Math.floor(random() * 600);
      expect(addBusinessMinutes(cal, due, more - m)).toEqual(addBusinessMinutes(cal, start, more));
    }
  });

  it.each(calendars)('isOpenAt and nextOpening agree (%s)', (_, cal) => {
    const random = rng(3);
    const base = d('2026-01-01T00:00:00Z').getTime();
    for (let n = 0; n < 1500; n++) {
      const at = new Date(base + Math.floor(random() * 365 * 86_400) * 1000);
      const open = isOpenAt(cal, at);
      const next = nextOpening(cal, at);
      expect(next.getTime() === at.getTime()).toBe(open);
      expect(isOpenAt(cal, next)).toBe(true);
      expect(businessMinutesBetween(cal, at, next)).toBe(0);
    }
  });

  /**
   * An independent oracle: reads the wall clock of every minute with Intl and applies the calendar's rules
   * directly, then compares the walk's answers over random minute-aligned intervals.
   */
  it.each([
    ['Shanghai around National Day', shanghai, '2026-09-14T00:00:00Z', 40],
    ['New York around spring forward', calendars[2][1], '2026-02-25T00:00:00Z', 24],
    ['Berlin around spring forward', berlin, '2026-03-20T00:00:00Z', 20],
  ] as const)('matches a minute-by-minute oracle (%s)', (_, cal, from, days) => {
    const fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: cal.timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    const names = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
    const t0 = d(from).getTime();
    const count = days * 1440;
    const prefix = new Int32Array(count + 1);
    for (let i = 0; i < count; i++) {
      const parts = Object.fromEntries(fmt.formatToParts(t0 + i * 60_000).map((p) => [p.type, p.value]));
      const date = `${parts.year}-${parts.month}-${parts.day}`;
      const hhmm = `${parts.hour}:${parts.minute}`;
      const workday = cal.workdays.find((w) => w.date === date);
      const spans = workday
        ? (workday.hours ?? cal.weekly.mon)
        : cal.holidays.includes(date)
          ? []
          : cal.weekly[names[new Date(`${date}T00:00:00Z`).getUTCDay()]];
      const open = spans.some(([a, b]) => a <= hhmm && hhmm < (b === '24:00' ? '24:00' : b));
      prefix[i + 1] = prefix[i] + (open ? 1 : 0);
    }
    const random = rng(11);
    for (let n = 0; n < 400; n++) {
      const i = Math.floor(random() * count);
      const j = i + Math.floor(random() * (count - i));
      expect(businessMinutesBetween(cal, new Date(t0 + i * 60_000), new Date(t0 + j * 60_000))).toBe(
        prefix[j] - prefix[i],
      );
      const available = prefix[count] - prefix[i];
      if (available === 0) continue;
      const k = Math.floor(random() * available);
      let end = i;
      if (k === 0) while (prefix[end + 1] === prefix[end]) end++;
      else while (prefix[end] - prefix[i] < k) end++;
      expect(addBusinessMinutes(cal, new Date(t0 + i * 60_000), k)).toEqual(new Date(t0 + end * 60_000));
    }
  });
});
