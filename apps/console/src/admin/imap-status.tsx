import { useTranslation } from 'react-i18next';
import type { Channel, ImapSettings } from '../api/types';
import { TextField } from '../lib/fields';
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
    return { tone: 'error', text: t('admin.imap.error', { where, error: imapReason(status.lastError, t) }) };
  if (status.lastPollAt)
    return { tone: 'ok', text: t('admin.imap.polled', { where, when: relativeTime(status.lastPollAt, lng, now) }) };
  return { tone: 'waiting', text: t('admin.imap.connected', { where }) };
}

/** The worker's reason in the admin's language where it is a common one; the server's own words otherwise. */
const REASONS: Array<[RegExp, string]> = [
  [/authentication ?failed|AUTHENTICATIONFAILED|invalid credentials|LOGIN failed/i, 'auth'],
  [/ECONNREFUSED/, 'refused'],
  [/ENOTFOUND|EAI_AGAIN/, 'notFound'],
  [/ETIMEDOUT|ETIMEOUT|timed? ?out/i, 'timeout'],
  [/certificate|CERT_|self[- ]signed|SSL|TLS/i, 'tls'],
  [/NONEXISTENT|mailbox doesn't exist|no such mailbox/i, 'folder'],
];

export function imapReason(error: string, t: (key: string) => string): string {
  const known = REASONS.find(([pattern]) => pattern.test(error));
  return known ? t(`admin.imap.reasons.${known[1]}`) : error;
}

export function ImapStatusCell({ channel }: { channel: Channel }) {
  const { t, i18n } = useTranslation();
  const { tone, text } = imapSummary(channel, t, i18n.language);
  const status = channel.imapStatus;
  // The tooltip keeps the worker's exact words beside when it reported them.
  const title = status
    ? [t('admin.imap.reported', { when: absoluteTime(status.at, i18n.language) }), status.lastError]
        .filter(Boolean)
        .join(' — ')
    : undefined;
  return (
    <span className={`imap-status imap-${tone}`} data-testid="imap-status" title={title}>
      {text}
    </span>
  );
}

/** The IMAP part of a mailbox form, as typed (the port as text). */
export interface ImapForm {
  host: string;
  port: string;
  secure: boolean;
  user: string;
  password: string;
  mailbox: string;
}

export const NEW_IMAP: ImapForm = { host: '', port: '993', secure: true, user: '', password: '', mailbox: 'INBOX' };

export function imapFormOf(imap: ImapSettings | null): ImapForm {
  if (!imap) return NEW_IMAP;
  return { ...imap, port: String(imap.port), password: '', mailbox: imap.mailbox ?? 'INBOX' };
}

/**
 * What the API takes: null without a server (no polling); the user defaults to the mailbox's address, and a blank
 * password is left out (on an edit: keep the one stored).
 */
export function imapBody(form: ImapForm, address: string): (ImapSettings & { password?: string }) | null {
  if (!form.host.trim()) return null;
  return {
    host: form.host.trim(),
    port: Number(form.port),
    secure: form.secure,
    user: form.user.trim() || address,
    mailbox: form.mailbox.trim() || 'INBOX',
    ...(form.password ? { password: form.password } : {}),
  };
}

export function ImapFields({
  form,
  set,
  address,
  editing,
}: {
  form: ImapForm;
  set: <K extends keyof ImapForm>(key: K) => (value: ImapForm[K]) => void;
  address: string;
  /** On an edit the stored password stays unless one is typed. */
  editing?: boolean;
}) {
  const { t } = useTranslation();
  const on = !!form.host.trim();
  return (
    <fieldset>
      <legend>{t(editing ? 'admin.imap.editLegend' : 'admin.imap.legend')}</legend>
      <TextField label={t('admin.imap.host')} value={form.host} onChange={set('host')} />
      <TextField
        label={t('admin.imap.port')}
        type="number"
        min={1}
        max={65535}
        required={on}
        value={form.port}
        onChange={set('port')}
      />
      <label className="inline">
        <input type="checkbox" checked={form.secure} onChange={(e) => set('secure')(e.target.checked)} />{' '}
        {t('admin.imap.secure')}
      </label>
      <TextField label={t('admin.imap.user')} value={form.user} placeholder={address} onChange={set('user')} />
      <TextField
        label={t('admin.imap.password')}
        type="password"
        autoComplete="new-password"
        required={on && !editing}
        placeholder={editing ? t('admin.imap.passwordKept') : undefined}
        value={form.password}
        onChange={set('password')}
      />
      <TextField label={t('admin.imap.mailbox')} value={form.mailbox} onChange={set('mailbox')} />
    </fieldset>
  );
}
