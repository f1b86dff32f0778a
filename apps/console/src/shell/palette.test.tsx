import { fireEvent, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { renderWithApp } from '../test/render';
import { filterCommands, Palette } from './palette';

describe('command palette', () => {
  const commands = () => [
    { id: 'solve', label: 'Solve', keys: 'e', single: true, run: vi.fn() },
    { id: 'solve-next', label: 'Solve and go to the next', keys: 'shift+e', run: vi.fn() },
    { id: 'reply', label: 'Reply', keys: 'r', run: vi.fn() },
  ];

  it('filters by every word and shows each shortcut', () => {
    const cmds = commands();
    renderWithApp(<Palette commands={cmds} onClose={() => undefined} />);
    expect(screen.getAllByRole('option')).toHaveLength(3);
    expect(screen.getAllByRole('option')[1].textContent).toContain('Shift+E');
    fireEvent.change(screen.getByTestId('palette-input'), { target: { value: 'next solve' } });
    expect(screen.getAllByRole('option').map((o) => o.textContent)).toEqual(['Solve and go to the nextShift+E']);
  });

  it('runs the chosen command with Enter and closes; Esc closes', async () => {
    const cmds = commands();
    const onClose = vi.fn();
    renderWithApp(<Palette commands={cmds} onClose={onClose} />);
    const input = screen.getByTestId('palette-input');
    expect(document.activeElement).toBe(input);
    fireEvent.keyDown(input, { key: 'ArrowDown' });
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(onClose).toHaveBeenCalledOnce();
    await new Promise((r) => setTimeout(r, 5));
    expect(cmds[1].run).toHaveBeenCalledOnce();
    fireEvent.keyDown(input, { key: 'Escape' });
    expect(onClose).toHaveBeenCalledTimes(2);
  });

  it('ignores the Enter that confirms an IME candidate', () => {
    const cmds = commands();
    const onClose = vi.fn();
    renderWithApp(<Palette commands={cmds} onClose={onClose} />);
    fireEvent.keyDown(screen.getByTestId('palette-input'), { key: 'Enter', isComposing: true });
    expect(onClose).not.toHaveBeenCalled();
  });

  it('matches labels case-insensitively', () => {
    expect(filterCommands(commands(), 'REPLY').map((c) => c.id)).toEqual(['reply']);
  });
});
