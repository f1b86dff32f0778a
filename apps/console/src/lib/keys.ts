/** True while an input method (pinyin, kana…) is composing: the Enter that picks a candidate must not act. */
export function isComposing(
  e: KeyboardEvent | { nativeEvent?: KeyboardEvent; isComposing?: boolean; keyCode?: number },
): boolean {
  const native = (e as { nativeEvent?: KeyboardEvent }).nativeEvent ?? (e as KeyboardEvent);
  return !!native.isComposing || native.keyCode === 229;
}

/** True when the key went to something that takes text (shortcuts stay quiet there). */
export function isEditable(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.tagName) return false;
  const tag = el.tagName.toLowerCase();
  if (tag === 'textarea' || tag === 'select') return true;
  if (tag === 'input') {
    const type = (el as HTMLInputElement).type;
    return !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(type);
  }
  return el.isContentEditable;
}

export const isMac = () => typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform ?? '');

/** Cmd on macOS, Ctrl elsewhere. */
export const modKey = (e: { metaKey: boolean; ctrlKey: boolean }) => (isMac() ? e.metaKey : e.ctrlKey);

export interface Shortcut {
  /** `j`, `shift+e`, `mod+k`, `?` */
  keys: string;
  run: () => void;
  /** A single key without a modifier: can be switched off. */
  single?: boolean;
}

/** Does this keydown match `keys` (e.g. `shift+e`, `mod+k`, `alt+j`, `?`)? */
export function matches(e: KeyboardEvent, keys: string): boolean {
  const parts = keys.toLowerCase().split('+');
  const key = parts.pop()!;
  const want = { shift: parts.includes('shift'), alt: parts.includes('alt'), mod: parts.includes('mod') };
  const k = e.key.toLowerCase();
  if (key === '?') return e.key === '?' && !modKey(e) && !e.altKey;
  // With Alt on macOS, e.key is a symbol: use the physical key.
  const code = e.code?.startsWith('Key') ? e.code.slice(3).toLowerCase() : k;
  return (
    (k === key || code === key) &&
    e.shiftKey === want.shift &&
    e.altKey === want.alt &&
    modKey(e) === want.mod &&
    !(isMac() ? e.ctrlKey : e.metaKey)
  );
}

/**
 * Runs the first matching shortcut. Nothing fires while an IME is composing; single keys and Alt chords
 * stay quiet while a text field has focus (Cmd/Ctrl chords such as the palette still work there).
 */
export function dispatchShortcut(e: KeyboardEvent, shortcuts: Shortcut[], singleKeysOn: boolean): boolean {
  if (isComposing(e)) return false;
  const editing = isEditable(e.target);
  for (const s of shortcuts) {
    const isMod = s.keys.toLowerCase().includes('mod+');
    if (editing && !isMod) continue;
    if (s.single && !singleKeysOn) continue;
    if (matches(e, s.keys)) {
      e.preventDefault();
      s.run();
      return true;
    }
  }
  return false;
}

/** How a chord is shown: ⌘K on a Mac, Ctrl+K elsewhere. */
export function showKeys(keys: string): string {
  return keys
    .split('+')
    .map((p) =>
      p === 'mod'
        ? isMac()
          ? '⌘'
          : 'Ctrl'
        : p === 'shift'
          ? 'Shift'
          : p === 'alt'
            ? isMac()
              ? '⌥'
              : 'Alt'
            : p.toUpperCase(),
    )
    .join(isMac() ? '' : '+');
}
