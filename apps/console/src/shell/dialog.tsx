import { useEffect, useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

/** A modal that traps focus and gives it back on close (Esc closes). */
export function Dialog({
  title,
  onClose,
  children,
  className = '',
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  className?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    const first = ref.current?.querySelector<HTMLElement>('input, button, [tabindex="0"]');
    first?.focus();
    return () => previous?.focus?.();
  }, []);
  return (
    <div className="backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        ref={ref}
        className={`dialog ${className}`}
        role="dialog"
        aria-modal="true"
        aria-label={title}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            onClose();
          }
          if (e.key !== 'Tab') return;
          const nodes = Array.from(
            ref.current!.querySelectorAll<HTMLElement>('input, button, select, textarea, a[href], [tabindex="0"]'),
          ).filter((n) => !n.hasAttribute('disabled'));
          if (!nodes.length) return;
          const first = nodes[0];
          const last = nodes[nodes.length - 1];
          if (e.shiftKey && document.activeElement === first) {
            e.preventDefault();
            last.focus();
          } else if (!e.shiftKey && document.activeElement === last) {
            e.preventDefault();
            first.focus();
          }
        }}
      >
        {children}
      </div>
    </div>
  );
}

/** A dialog form's buttons: submit (off while it is sending) and Cancel. */
export function DialogActions({
  submit,
  pending,
  onClose,
  testId,
}: {
  submit: string;
  pending: boolean;
  onClose: () => void;
  testId?: string;
}) {
  const { t } = useTranslation();
  return (
    <div>
      <button className="btn primary" disabled={pending} data-testid={testId}>
        {submit}
      </button>{' '}
      <button type="button" className="btn" onClick={onClose}>
        {t('admin.cancel')}
      </button>
    </div>
  );
}
