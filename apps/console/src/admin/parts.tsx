import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Page } from '../api/types';
import { useApp } from '../app/context';

/** The building blocks of the admin sections: each section states only its own fields, columns and endpoints. */

export function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="admin-section" aria-label={title}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

/** A mutation that, once it succeeds, refreshes the given queries and says "Saved"; a failure is a toast. */
export function useSaveMutation<TVars = void, TData = unknown>(
  mutationFn: (vars: TVars) => Promise<TData>,
  keys: string[][],
) {
  const { toast } = useApp();
  const { t } = useTranslation();
  const qc = useQueryClient();
  return useMutation<TData, Error, TVars>({
    mutationFn,
    onSuccess: () => {
      keys.forEach((k) => void qc.invalidateQueries({ queryKey: k }));
      toast({ text: t('admin.saved') });
    },
    onError: (err: Error) => toast({ tone: 'error', text: err.message }),
  });
}

/** The items of a paged list endpoint, under one query key; `refetchMs` re-reads it while shown. */
export function useItems<T>(key: string, path: string, refetchMs?: number) {
  const { api } = useApp();
  return useQuery({
    queryKey: [key],
    queryFn: () => api.get<Page<T>>(path).then((p) => p.items),
    refetchInterval: refetchMs,
  });
}

/** A form's state with a setter per field and a reset to the initial values. */
export function useForm<T extends object>(initial: T) {
  const [form, setForm] = useState(initial);
  const set =
    <K extends keyof T>(key: K) =>
    (value: T[K]) =>
      setForm((f) => ({ ...f, [key]: value }));
  return { form, setForm, set, reset: () => setForm(initial) };
}

export function Table({ headers, children }: { headers: ReactNode[]; children: ReactNode }) {
  return (
    <table className="table">
      <thead>
        <tr>
          {headers.map((h, i) => (
            <th key={i}>{h}</th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}

/** An admin form: its title, its fields, and the submit button (Create unless said otherwise). */
export function AdminForm({
  title,
  onSubmit,
  children,
  submit,
  pending,
  footer,
  testId,
}: {
  title?: string;
  onSubmit: () => void;
  children: ReactNode;
  submit?: string;
  pending?: boolean;
  footer?: ReactNode;
  testId?: string;
}) {
  const { t } = useTranslation();
  return (
    <form
      className="admin-form"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        onSubmit();
      }}
      data-testid={testId}
    >
      {title && <h3>{title}</h3>}
      {children}
      <button className="btn primary" disabled={pending}>
        {submit ?? t('admin.create')}
      </button>
      {footer}
    </form>
  );
}

/** A checkbox in a table row, named for screen readers by its column and row. */
export function RowToggle({
  label,
  checked,
  onChange,
}: {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
}) {
  return <input type="checkbox" aria-label={label} checked={checked} onChange={(e) => onChange(e.target.checked)} />;
}

export function DeleteButton({ onClick }: { onClick: () => void }) {
  const { t } = useTranslation();
  return (
    <button className="btn small" onClick={onClick}>
      {t('admin.delete')}
    </button>
  );
}
