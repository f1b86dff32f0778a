import { AppError } from '@crewdesk/common';
import { assertTransition, canTransition, statusAfterMessage } from './state-machine';

describe('ticket state machine', () => {
  it('allows the usual moves and keeping a status', () => {
    expect(canTransition('new', 'open')).toBe(true);
    expect(canTransition('solved', 'open')).toBe(true);
    expect(canTransition('open', 'open')).toBe(true);
  });

  it('treats closed as final', () => {
    for (const to of ['new', 'open', 'pending', 'on_hold', 'solved'] as const) {
      expect(canTransition('closed', to)).toBe(false);
    }
  });

  it('never moves back to new', () => {
    expect(canTransition('open', 'new')).toBe(false);
    expect(() => assertTransition('open', 'new')).toThrow(AppError);
  });

  it('opens new tickets on a staff reply and reopens waiting ones on a customer reply', () => {
    expect(statusAfterMessage('new', 'staff', false)).toBe('open');
    expect(statusAfterMessage('new', 'staff', true)).toBe('new');
    expect(statusAfterMessage('pending', 'customer', false)).toBe('open');
    expect(statusAfterMessage('solved', 'customer', false)).toBe('open');
    expect(statusAfterMessage('on_hold', 'customer', false)).toBe('on_hold');
  });
});
