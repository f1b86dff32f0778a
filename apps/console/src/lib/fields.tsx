import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes } from 'react';

/** Form controls shared by the console's forms and dialogs. */

export interface Option {
  value: string;
  label: ReactNode;
}

/** Options for a select from a list of values and how each reads. */
export const optionsOf = (values: readonly string[], label: (value: string) => ReactNode): Option[] =>
  values.map((value) => ({ value, label: label(value) }));

type SelectProps = Omit<SelectHTMLAttributes<HTMLSelectElement>, 'value' | 'onChange'>;

/** A select of the given options; `empty` is a first option with no value. */
export function Select({
  value,
  onChange,
  options,
  empty,
  ...rest
}: { value: string; onChange: (value: string) => void; options: Option[]; empty?: ReactNode } & SelectProps) {
  return (
    <select value={value} onChange={(e) => onChange(e.target.value)} {...rest}>
      {empty !== undefined && <option value="">{empty}</option>}
      {options.map((o) => (
        <option key={o.value} value={o.value}>
          {o.label}
        </option>
      ))}
    </select>
  );
}

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange'>;

/** A labelled text input. */
export function TextField({
  label,
  value,
  onChange,
  ...rest
}: { label: string; value: string; onChange: (value: string) => void } & InputProps) {
  return (
    <label>
      {label}
      <input value={value} onChange={(e) => onChange(e.target.value)} {...rest} />
    </label>
  );
}

/** A labelled select; `empty` is a first option with no value. */
export function SelectField({
  label,
  value,
  onChange,
  options,
  empty,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  options: Option[];
  empty?: string;
}) {
  return (
    <label>
      {label}
      <Select value={value} onChange={onChange} options={options} empty={empty} />
    </label>
  );
}

/** A fieldset of checkboxes that picks several values. */
export function CheckboxGroup({
  legend,
  options,
  selected,
  onChange,
}: {
  legend: string;
  options: { value: string; label: ReactNode; title?: string }[];
  selected: string[];
  onChange: (next: string[]) => void;
}) {
  return (
    <fieldset>
      <legend>{legend}</legend>
      {options.map((o) => (
        <label key={o.value} className="inline" title={o.title}>
          <input
            type="checkbox"
            checked={selected.includes(o.value)}
            onChange={(e) =>
              onChange(e.target.checked ? [...selected, o.value] : selected.filter((x) => x !== o.value))
            }
          />{' '}
          {o.label}
        </label>
      ))}
    </fieldset>
  );
}
