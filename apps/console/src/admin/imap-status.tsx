import { useTranslation } from 'react-i18next';
import type { Channel } from '../api/types';
import { absoluteTime, relativeTime } from '../lib/format';

/** What an admin needs to know of a mailbox's IMAP polling, in one line: where, and whether it works. */
export function imapSummary(
  channel: Pick<Channel, 'imap' | 'imapStatus' | 'enabled'>,
  t: (key: string, options?: Record<string, unknown>) => string,
  lng: string,
  now = Date.now(),
): { tone: 'none' | 'ok' | 'waiting' | 'error'; text: string } {
  const { imap, imapStatus: status } = channel;
  if (!imap) return { tone: 'none', text: t('admin.imap.none') };
  const where = `${imap.host}:${imap.port} (${imap.user})`;
  if (!channel.enabled) return { tone: 'none', text: t('admin.imap.disabled', { where }) };
  if (!status) return { tone: 'waiting', text: t('admin.imap.waiting', { where }) };
  if (status.lastError && !status.connected)
    return { tone: 'error', text: t('admin.imap.error', { where, error: status.lastError }) };
  if (status.lastPollAt)
    return { tone: 'ok', text: t('admin.imap.polled', { where, when: relativeTime(status.lastPollAt, lng, now) }) };
  return { tone: 'waiting', text: t('admin.imap.connected', { where }) };
}

export function ImapStatusCell({ channel }: { channel: Channel }) {
  const { t, i18n } = useTranslation();
  const { tone, text } = imapSummary(channel, t, i18n.language);
  const at = channel.imapStatus?.at;
  return (
    <span
      className={`imap-status imap-${tone}`}
      data-testid="imap-status"
      title={at ? t('admin.imap.reported', { when: absoluteTime(at, i18n.language) }) : undefined}
    >
      {text}
    </span>
  );
}
