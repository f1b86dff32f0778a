/**
 * addBusinessMinutes throughput on one core (a reconciler re-arming timers needs 10,000/s).
 * Run: node -r ./scripts/register.js -r tsconfig-paths/register bench/sla-calendar.ts
 */
import { addBusinessMinutes, BusinessCalendar, parseCalendar, TimeSpan } from '@crewdesk/sla';

const hours: TimeSpan[] = [['09:00', '18:00']];
// 30 closed dates in 2026 (Chinese public holidays 2026 as an example, padded with a few company days off).
const holidays = [
  '2026-01-01',
  '2026-01-02',
  '2026-02-16',
  '2026-02-17',
  '2026-02-18',
  '2026-02-19',
  '2026-02-20',
  '2026-02-23',
  '2026-04-06',
  '2026-05-01',
  '2026-05-04',
  '2026-05-05',
  '2026-06-19',
  '2026-09-25',
  '2026-10-01',
  '2026-10-02',
  '2026-10-05',
  '2026-10-06',
  '2026-10-07',
  '2026-12-24',
  '2026-12-25',
  '2026-12-28',
  '2026-12-29',
  '2026-12-30',
  '2026-12-31',
  '2026-03-09',
  '2026-07-03',
  '2026-08-14',
  '2026-11-26',
  '2026-11-27',
];
const input = {
  timezone: 'Asia/Shanghai',
  weekly: { mon: hours, tue: hours, wed: hours, thu: hours, fri: hours, sat: [], sun: [] },
  holidays,
};
const calendar = parseCalendar(input);

// Starts: random whole seconds across 2026, fixed seed.
const N = 4096;
const starts: Date[] = [];
let seed = 12345;
const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const t0 = Date.parse('2026-01-01T00:00:00+08:00');
for (let i = 0; i < N; i++) starts.push(new Date(t0 + Math.floor(random() * 330 * 86_400) * 1000));

function measure(label: string, minutes: number, cal: () => BusinessCalendar, seconds = 1.5): void {
  let sink = 0;
  for (let i = 0; i < 20_000; i++) sink += addBusinessMinutes(cal(), starts[i % N], minutes).getTime(); // warm-up
  let ops = 0;
  const begin = process.hrtime.bigint();
  const until = begin + BigInt(Math.round(seconds * 1e9));
  let now = begin;
  while (now < until) {
    for (let i = 0; i < 1000; i++, ops++) sink += addBusinessMinutes(cal(), starts[ops % N], minutes).getTime();
    now = process.hrtime.bigint();
  }
  const perSecond = ops / (Number(now - begin) / 1e9);
  console.log(
    `${label.padEnd(44)} ${Math.round(perSecond).toLocaleString('en-US').padStart(12)} ops/s  (${sink > 0 ? 'ok' : '?'})`,
  );
}

console.log(
  `node ${process.version}, 9-18 Mon-Fri Asia/Shanghai, ${holidays.length} holidays, ${N} random starts in 2026`,
);
measure('addBusinessMinutes 60 min', 60, () => calendar);
measure('addBusinessMinutes 8 h', 8 * 60, () => calendar);
measure('addBusinessMinutes 5 business days (2700 min)', 5 * 9 * 60, () => calendar);
// A caller that re-parses the same calendar for every call pays validation (compiled form shared by content).
measure('parseCalendar + 8 h (same calendar re-parsed)', 8 * 60, () => parseCalendar(input), 1);
// Worst case: a different calendar every call (compile + converting each day's hours; zone offsets cached).
let distinct = 0;
measure(
  'parseCalendar + 8 h (a new calendar each call)',
  8 * 60,
  () => {
    distinct++;
    const extra = new Date(Date.UTC(2100, 0, 1) + (distinct % 50_000) * 86_400_000).toISOString().slice(0, 10);
    return parseCalendar({ ...input, holidays: [...holidays, extra] });
  },
  1,
);
