import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Command } from '../app/context';
import { isComposing, showKeys } from '../lib/keys';
import { Dialog } from './dialog';

/** Filters commands by every word of the query (any order, case-insensitive). */
export function filterCommands(commands: Command[], query: string): Command[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const seen = new Set<string>();
  return commands.filter((c) => {
    if (seen.has(c.label)) return false;
    const ok = words.every((w) => c.label.toLowerCase().includes(w) || c.id.includes(w));
    if (ok) seen.add(c.label);
    return ok;
  });
}

/** Cmd/Ctrl+K: runs every action and shows its shortcut. */
export function Palette({ commands, onClose }: { commands: Command[]; onClose: () => void }) {
  const { t } = useTranslation();
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const list = useMemo(() => filterCommands(commands, query), [commands, query]);
  const run = (c: Command | undefined) => {
    if (!c) return;
    onClose();
    setTimeout(c.run, 0);
  };
  return (
    <Dialog title={t('palette.title')} onClose={onClose} className="palette">
      <input
        className="palette-input"
        placeholder={t('palette.hint')}
        aria-label={t('palette.title')}
        value={query}
        role="combobox"
        aria-expanded="true"
        aria-controls="palette-list"
        aria-activedescendant={list[active] ? `cmd-${list[active].id}` : undefined}
        onChange={(e) => {
          setQuery(e.target.value);
          setActive(0);
        }}
        onKeyDown={(e) => {
          if (isComposing(e)) return;
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            setActive((a) => Math.min(a + 1, list.length - 1));
          } else if (e.key === 'ArrowUp') {
            e.preventDefault();
            setActive((a) => Math.max(a - 1, 0));
          } else if (e.key === 'Enter') {
            e.preventDefault();
            run(list[active]);
          }
        }}
        data-testid="palette-input"
      />
      <ul id="palette-list" role="listbox" className="palette-list">
        {list.length === 0 && <li className="muted">{t('palette.empty')}</li>}
        {list.map((c, i) => (
          <li
            key={c.id + i}
            id={`cmd-${c.id}`}
            role="option"
            aria-selected={i === active}
            className={i === active ? 'active' : ''}
            onMouseEnter={() => setActive(i)}
            onMouseDown={(e) => {
              e.preventDefault();
              run(c);
            }}
          >
            <span>{c.label}</span>
            {c.keys && <kbd>{showKeys(c.keys)}</kbd>}
          </li>
        ))}
      </ul>
    </Dialog>
  );
}

export function CheatSheet({
  commands,
  singleKeys,
  onClose,
}: {
  commands: Command[];
  singleKeys: boolean;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const withKeys = commands.filter((c) => c.keys);
  return (
    <Dialog title={t('shortcuts.title')} onClose={onClose} className="cheatsheet">
      <h2>{t('shortcuts.title')}</h2>
      {!singleKeys && <p className="muted">{t('shortcuts.off')}</p>}
      <dl>
        {withKeys.map((c) => (
          <div key={c.id} className="cheat-row">
            <dt>
              <kbd>{showKeys(c.keys!)}</kbd>
            </dt>
            <dd>{c.label}</dd>
          </div>
        ))}
      </dl>
      <button className="btn" onClick={onClose}>
        {t('shortcuts.close')}
      </button>
    </Dialog>
  );
}
