import { addBusinessMinutes, CalendarError, isOpenAt, TimeSpan } from './calendar';
import { calendarFromICal, isWorkdayText } from './ical';

const nineToSix: TimeSpan[] = [['09:00', '18:00']];
const base = {
  timezone: 'Asia/Shanghai',
  weekly: { mon: nineToSix, tue: nineToSix, wed: nineToSix, thu: nineToSix, fri: nineToSix, sat: [], sun: [] },
};
const now = new Date('2026-06-01T00:00:00Z');

function ics(...events: string[]): string {
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Crewdesk//test//ZH',
    ...events.flatMap((e) => [
      'BEGIN:VEVENT',
      ...e
        .trim()
        .split('\n')
        .map((l) => l.trim()),
      'END:VEVENT',
    ]),
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

/** Example only: the 2026 National Day arrangement as a holiday feed would publish it. */
const nationalDay2026 = ics(
  `UID:nd-2026@example
   DTSTAMP:20251101T000000Z
   DTSTART;VALUE=DATE:20261001
   DTEND;VALUE=DATE:20261008
   SUMMARY:国庆节`,
  `UID:nd-2026-w1@example
   DTSTAMP:20251101T000000Z
   DTSTART;VALUE=DATE:20260920
   SUMMARY:国庆节 补班`,
  `UID:nd-2026-w2@example
   DTSTAMP:20251101T000000Z
   DTSTART;VALUE=DATE:20261010
   DTEND;VALUE=DATE:20261011
   SUMMARY:国庆节
   CATEGORIES:假期,调休上班`,
);

describe('calendarFromICal', () => {
  it('turns all-day events into holidays and 补班 / 调休上班 events into make-up workdays', () => {
    const cal = calendarFromICal(nationalDay2026, base, { now });
    expect(cal.holidays).toEqual([
      '2026-10-01',
      '2026-10-02',
      '2026-10-03',
      '2026-10-04',
      '2026-10-05',
      '2026-10-06',
      '2026-10-07',
    ]);
    expect(cal.workdays).toEqual([{ date: '2026-09-20' }, { date: '2026-10-10' }]);
    expect(cal.timezone).toBe('Asia/Shanghai');
    // DTEND is exclusive: Oct 8 is an ordinary Thursday
    expect(isOpenAt(cal, new Date('2026-10-08T10:00:00+08:00'))).toBe(true);
    expect(addBusinessMinutes(cal, new Date('2026-09-30T17:00:00+08:00'), 120)).toEqual(
      new Date('2026-10-08T10:00:00+08:00'),
    );
    expect(addBusinessMinutes(cal, new Date('2026-10-09T17:00:00+08:00'), 120)).toEqual(
      new Date('2026-10-10T10:00:00+08:00'),
    );
  });

  it('recognizes English workday wording and keeps "non-working day" a holiday', () => {
    const cal = calendarFromICal(
      ics(
        `UID:a@x
         DTSTART;VALUE=DATE:20260927
         SUMMARY:Working Day (make-up)`,
        `UID:b@x
         DTSTART;VALUE=DATE:20261011
         SUMMARY:Adjusted workday`,
        `UID:c@x
         DTSTART;VALUE=DATE:20261012
         SUMMARY:Non-working day`,
        `UID:d@x
         DTSTART;VALUE=DATE:20261013
         SUMMARY:Company offsite
         CATEGORIES:Holiday,Not a working day`,
      ),
      base,
      { now },
    );
    expect(cal.workdays.map((w) => w.date)).toEqual(['2026-09-27', '2026-10-11']);
    expect(cal.holidays).toEqual(['2026-10-12', '2026-10-13']);
  });

  it('reads DURATION, and one day when neither DTEND nor DURATION is given', () => {
    const cal = calendarFromICal(
      ics(
        `UID:dur@x
         DTSTART;VALUE=DATE:20260501
         DURATION:P5D
         SUMMARY:劳动节`,
        `UID:one@x
         DTSTART;VALUE=DATE:20260101
         SUMMARY:元旦`,
      ),
      base,
      { now },
    );
    expect(cal.holidays).toEqual(['2026-01-01', '2026-05-01', '2026-05-02', '2026-05-03', '2026-05-04', '2026-05-05']);
  });

  it('expands yearly RRULEs from a year back to three years ahead', () => {
    const cal = calendarFromICal(
      ics(
        `UID:newyear@x
         DTSTART;VALUE=DATE:20200101
         DTEND;VALUE=DATE:20200102
         RRULE:FREQ=YEARLY
         SUMMARY:元旦`,
        `UID:labour@x
         DTSTART;VALUE=DATE:20250501
         DTEND;VALUE=DATE:20250503
         RRULE:FREQ=YEARLY;COUNT=3
         SUMMARY:劳动节`,
      ),
      base,
      { now },
    );
    expect(cal.holidays).toEqual([
      '2025-01-01',
      '2025-05-01',
      '2025-05-02',
      '2026-01-01',
      '2026-05-01',
      '2026-05-02',
      '2027-01-01',
      '2027-05-01',
      '2027-05-02',
      '2028-01-01',
      '2029-01-01',
    ]);
    const longer = calendarFromICal(
      ics(`UID:n@x\nDTSTART;VALUE=DATE:20260101\nRRULE:FREQ=YEARLY\nSUMMARY:元旦`),
      base,
      {
        now,
        yearsAhead: 10,
        yearsBack: 0,
      },
    );
    expect(longer.holidays).toHaveLength(11);
    expect(longer.holidays[10]).toBe('2036-01-01');
  });

  it('honours EXDATE, RECURRENCE-ID overrides and cancelled occurrences', () => {
    const cal = calendarFromICal(
      ics(
        `UID:weekly@x
         DTSTART;VALUE=DATE:20260704
         RRULE:FREQ=YEARLY;COUNT=4
         EXDATE;VALUE=DATE:20270704
         SUMMARY:Independence Day`,
        `UID:weekly@x
         RECURRENCE-ID;VALUE=DATE:20280704
         DTSTART;VALUE=DATE:20280703
         SUMMARY:Independence Day (observed)`,
        `UID:weekly@x
         RECURRENCE-ID;VALUE=DATE:20290704
         DTSTART;VALUE=DATE:20290704
         STATUS:CANCELLED
         SUMMARY:Independence Day`,
      ),
      base,
      { now },
    );
    expect(cal.holidays).toEqual(['2026-07-04', '2028-07-03']);
  });

  it('ignores timed and cancelled events', () => {
    const cal = calendarFromICal(
      ics(
        `UID:meeting@x
         DTSTART:20261009T140000Z
         DTEND:20261009T150000Z
         SUMMARY:All hands`,
        `UID:gone@x
         DTSTART;VALUE=DATE:20261009
         STATUS:CANCELLED
         SUMMARY:Team day off`,
      ),
      base,
      { now },
    );
    expect(cal.holidays).toEqual([]);
    expect(cal.workdays).toEqual([]);
  });

  it('lets a workday win over a holiday on the same date, and merges the base lists', () => {
    const cal = calendarFromICal(
      ics(
        `UID:h@x
         DTSTART;VALUE=DATE:20261003
         DTEND;VALUE=DATE:20261005
         SUMMARY:假期`,
        `UID:w@x
         DTSTART;VALUE=DATE:20261004
         SUMMARY:补班`,
      ),
      {
        ...base,
        holidays: ['2026-12-31', '2026-10-04'],
        workdays: [{ date: '2026-10-03', hours: [['10:00', '15:00']] }],
      },
      { now },
    );
    expect(cal.holidays).toEqual(['2026-12-31']);
    expect(cal.workdays).toEqual([{ date: '2026-10-03', hours: [['10:00', '15:00']] }, { date: '2026-10-04' }]);
  });

  it('lets a classify hook skip observances that are not days off', () => {
    const feed = ics(
      `UID:tree@x
       DTSTART;VALUE=DATE:20260312
       SUMMARY:植树节`,
      `UID:qm@x
       DTSTART;VALUE=DATE:20260405
       SUMMARY:清明节`,
    );
    const cal = calendarFromICal(feed, base, {
      now,
      classify: ({ summary }) => (summary === '植树节' ? 'ignore' : undefined),
    });
    expect(cal.holidays).toEqual(['2026-04-05']);
  });

  it('folds long lines and reads several VCALENDARs', () => {
    const one = ics(`UID:1@x\nDTSTART;VALUE=DATE:20260101\nSUMMARY:元旦`);
    const two = ics(`UID:2@x\nDTSTART;VALUE=DATE:20260102\nSUMMARY:New Year bridge`);
    expect(calendarFromICal(one + two, base, { now }).holidays).toEqual(['2026-01-01', '2026-01-02']);
    const folded = one
      .replace('UID:1@x', 'UID:3@x')
      .replace('DTSTART;VALUE=DATE:20260101', 'DTSTART;VALUE=DATE:20260920')
      .replace('SUMMARY:元旦', 'SUMMARY:国庆节\r\n  补班');
    expect(calendarFromICal(folded, base, { now }).workdays).toEqual([{ date: '2026-09-20' }]);
  });

  it('throws a CalendarError on text that is not iCalendar, or on a bad base', () => {
    expect(() => calendarFromICal('hello', base)).toThrow(CalendarError);
    expect(() => calendarFromICal('BEGIN:VCARD\r\nEND:VCARD\r\n', base)).toThrow(/no VCALENDAR/);
    expect(() => calendarFromICal(nationalDay2026, { ...base, timezone: 'Asia/Beijing' }, { now })).toThrow(
      'timezone: "Asia/Beijing" is not a known IANA time zone',
    );
  });
});

describe('isWorkdayText', () => {
  it.each([
    ['国庆节 补班', true],
    ['春节调休上班', true],
    ['Working day', true],
    ['working days', true],
    ['Workday', true],
    ['国庆节', false],
    ['休', false],
    ['Non-working day', false],
    ['non workday', false],
    ['Not a working day', false],
    ['Workdays and non-working days', true],
    ['Homework day', false],
  ])('%s -> %s', (text, expected) => {
    expect(isWorkdayText(text)).toBe(expected);
  });
});
