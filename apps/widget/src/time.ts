import type { Lang, Translate } from './i18n';

/** A separator goes before a message more than 5 minutes after the last time shown. */
export const SEPARATOR_GAP_MS = 5 * 60 * 1000;

export function needsSeparator(lastShown: number | undefined, at: number): boolean {
  return lastShown === undefined || at - lastShown > SEPARATOR_GAP_MS;
}

const startOfDay = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();

/** Calendar days between two instants in the viewer's zone (0 = same day, 1 = yesterday, ...). */
export function daysBetween(at: number, now: number): number {
  return Math.round((startOfDay(new Date(now)) - startOfDay(new Date(at))) / 86_400_000);
}

/**
 * WeChat's rule: today `HH:mm`, yesterday `昨天 HH:mm`, within a week `星期X HH:mm`, older
 * `YYYY年M月D日 HH:mm`. English uses the Intl equivalents (`2:05 PM`, `Yesterday 2:05 PM`, `Friday 2:05 PM`,
 * `Jan 5, 2025, 2:05 PM`).
 */
export function separatorLabel(at: number, now: number, lang: Lang, t: Translate): string {
  const d = new Date(at);
  const zh = lang === 'zh-CN';
  const time = new Intl.DateTimeFormat(
    lang,
    zh ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } : { timeStyle: 'short' },
  ).format(d);
  const days = daysBetween(at, now);
  if (days <= 0) return time;
  if (days === 1) return t('yesterday', { time });
  if (days < 7) return t('weekday', { day: new Intl.DateTimeFormat(lang, { weekday: 'long' }).format(d), time });
  if (zh) return `${d.getFullYear()}年${d.getMonth() + 1}月${d.getDate()}日 ${time}`;
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}
