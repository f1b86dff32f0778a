import { useTranslation } from 'react-i18next';
import { EyeIcon } from '../shell/icons';

/**
 * The list row's eye: shown when someone other than me has the ticket open (each person once, however many
 * tabs), so two agents do not pick up the same ticket.
 */
export function ViewersBadge({ userIds, me }: { userIds: readonly string[] | undefined; me: string }) {
  const { t } = useTranslation();
  const others = new Set((userIds ?? []).filter((id) => id !== me)).size;
  if (!others) return null;
  const label = t('list.viewers', { count: others });
  return (
    <span className="row-viewers" role="img" aria-label={label} title={label} data-testid="row-viewers">
      <EyeIcon />
    </span>
  );
}
