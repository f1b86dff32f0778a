import { useTranslation } from 'react-i18next';
import type { Toast } from '../app/context';

/** Quiet confirmations with Undo; a polite live region, never stealing focus. */
export function Toasts({ toasts, onDismiss }: { toasts: Toast[]; onDismiss: (id: number) => void }) {
  const { t } = useTranslation();
  return (
    <div className="toasts" role="status" aria-live="polite">
      {toasts.map((x) => (
        <div key={x.id} className={`toast ${x.tone ?? 'info'}`} data-testid="toast">
          <span>{x.text}</span>
          {x.action && (
            <button
              className="btn link"
              onClick={() => {
                x.action!.run();
                onDismiss(x.id);
              }}
            >
              {x.action.label}
            </button>
          )}
          <button className="icon-btn" aria-label={t('toast.dismiss')} onClick={() => onDismiss(x.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
