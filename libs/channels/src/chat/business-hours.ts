/** Weekly opening hours in a timezone: `{ timezone, days: { mon: [['09:00', '18:00']], … } }`; absent means always open. */
export interface BusinessHours {
  timezone: string;
  days: Partial<Record<'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun', Array<[string, string]>>>;
}

const DAY_KEYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/** Whether `at` falls in the opening hours (wall-clock time in the hours' timezone). */
export function isOpen(hours: BusinessHours | null | undefined, at = new Date()): boolean {
  if (!hours) return true;
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: hours.timezone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  })
    .formatToParts(at)
    .reduce<Record<string, string>>((acc, p) => ((acc[p.type] = p.value), acc), {});
  const day = DAY_KEYS.find((d) => d === parts.weekday.toLowerCase().slice(0, 3));
  const minute = Number(parts.hour) * 60 + Number(parts.minute);
  const toMin = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
  return (hours.days[day!] ?? []).some(([from, to]) => minute >= toMin(from) && minute < toMin(to));
}
