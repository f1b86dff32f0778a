import { useTranslation } from 'react-i18next';
import type { SlaTimer } from '../api/types';
import { slaState } from '../lib/format';

const STATE_KEY = {
  ok: 'sla.onTrack',
  risk: 'sla.atRisk',
  breached: 'sla.breached',
  paused: 'sla.paused',
  met: 'sla.met',
};

/**
 * Time to the next target as text (`42m`, `-15m`), coloured by state but never by colour alone: the state
 * is in the accessible name and the tooltip, and breached badges carry a `!`.
 */
export function SlaBadge({ timer, now, compact = false }: { timer: SlaTimer; now: number; compact?: boolean }) {
  const { t } = useTranslation();
  const s = slaState(timer, now);
  const metric = t(`sla.${timer.metric}`, { defaultValue: timer.metric });
  const label =
    s.tone === 'paused'
      ? t('sla.pausedBadge', { metric })
      : t('sla.badge', { metric, state: t(STATE_KEY[s.tone]), time: s.text });
  return (
    <span
      className={`sla-badge sla-${s.tone}`}
      title={label}
      aria-label={label}
      data-testid="sla-badge"
      data-tone={s.tone}
    >
      {s.tone === 'breached' && <span aria-hidden="true">!</span>}
      {s.tone === 'paused' ? (compact ? '❚❚' : t('sla.paused')) : s.tone === 'met' ? '✓' : s.text}
      {!compact && s.tone !== 'paused' && s.tone !== 'met' && <span className="sla-metric"> · {metric}</span>}
    </span>
  );
}
