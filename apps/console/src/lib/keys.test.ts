import { describe, expect, it, vi } from 'vitest';
import { dispatchShortcut, isComposing } from './keys';

function key(init: KeyboardEventInit & { keyCode?: number }, target: EventTarget = document.body) {
  const e = new KeyboardEvent('keydown', { bubbles: true, cancelable: true, ...init });
  if (init.keyCode) Object.defineProperty(e, 'keyCode', { value: init.keyCode });
  Object.defineProperty(e, 'target', { value: target });
  return e;
}

describe('shortcuts', () => {
  const run = () => vi.fn();

  it('fires single keys outside text fields', () => {
    const j = run();
    expect(dispatchShortcut(key({ key: 'j', code: 'KeyJ' }), [{ keys: 'j', run: j, single: true }], true)).toBe(true);
    expect(j).toHaveBeenCalledOnce();
  });

  it('never fires while an IME is composing (isComposing or keyCode 229)', () => {
    const k = run();
    const input = document.createElement('input');
    expect(isComposing(key({ key: 'Enter', isComposing: true }))).toBe(true);
    expect(
      dispatchShortcut(
        key({ key: 'k', code: 'KeyK', ctrlKey: true, isComposing: true }, input),
        [{ keys: 'mod+k', run: k }],
        true,
      ),
    ).toBe(false);
    expect(dispatchShortcut(key({ key: 'Process', keyCode: 229 }), [{ keys: 'j', run: k, single: true }], true)).toBe(
      false,
    );
    expect(k).not.toHaveBeenCalled();
  });

  it('keeps single keys quiet in text fields but lets Ctrl/Cmd chords through', () => {
    const j = run();
    const palette = run();
    const area = document.createElement('textarea');
    const list = [
      { keys: 'j', run: j, single: true },
      { keys: 'mod+k', run: palette },
    ];
    expect(dispatchShortcut(key({ key: 'j', code: 'KeyJ' }, area), list, true)).toBe(false);
    expect(dispatchShortcut(key({ key: 'k', code: 'KeyK', ctrlKey: true }, area), list, true)).toBe(true);
    expect(j).not.toHaveBeenCalled();
    expect(palette).toHaveBeenCalledOnce();
  });

  it('can switch single-key shortcuts off, and tells Shift+E from E', () => {
    const solve = run();
    const solveNext = run();
    const list = [
      { keys: 'shift+e', run: solveNext, single: true },
      { keys: 'e', run: solve, single: true },
    ];
    expect(dispatchShortcut(key({ key: 'e', code: 'KeyE' }), list, false)).toBe(false);
    dispatchShortcut(key({ key: 'E', code: 'KeyE', shiftKey: true }), list, true);
    dispatchShortcut(key({ key: 'e', code: 'KeyE' }), list, true);
    expect(solveNext).toHaveBeenCalledOnce();
    expect(solve).toHaveBeenCalledOnce();
  });
});
