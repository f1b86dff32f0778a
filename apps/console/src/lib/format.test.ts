import { describe, expect, it } from 'vitest';
import { formatDuration, joinNames, nextTimer, relativeTime, slaState } from './format';

const NOW = Date.parse('2026-11-23T10:00:00Z');
const at = (minutes: number) => new Date(NOW + minutes * 60_000).toISOString();

describe('SLA state', () => {
  it('is on track with time left as text', () => {
    expect(slaState({ metric: 'first_response', dueAt: at(42), warnAt: at(30), status: 'active' }, NOW)).toEqual({
      tone: 'ok',
      text: '42m',
      msLeft: 42 * 60_000,
    });
  });
  it('is at risk in the warning window or under 25 % left', () => {
    expect(slaState({ metric: 'first_response', dueAt: at(10), warnAt: at(-5), status: 'active' }, NOW).tone).toBe(
      'risk',
    );
    expect(slaState({ metric: 'resolution', dueAt: at(10), status: 'active' }, NOW, at(-50)).tone).toBe('risk');
    expect(slaState({ metric: 'resolution', dueAt: at(40), status: 'active' }, NOW, at(-20)).tone).toBe('ok');
  });
  it('is breached and negative once past due', () => {
    const s = slaState({ metric: 'first_response', dueAt: at(-15), status: 'active' }, NOW);
    expect(s).toMatchObject({ tone: 'breached', text: '-15m' });
  });
  it('is paused or met without a countdown', () => {
    expect(slaState({ metric: 'resolution', dueAt: null, pausedAt: at(-1), status: 'active' }, NOW).tone).toBe(
      'paused',
    );
    expect(slaState({ metric: 'resolution', dueAt: at(5), metAt: at(-1), status: 'met' }, NOW).tone).toBe('met');
  });
  it('picks the timer that matters most', () => {
    const t = nextTimer([
      { metric: 'resolution', dueAt: at(300), status: 'active' },
      { metric: 'first_response', dueAt: at(20), status: 'active' },
      { metric: 'next_response', dueAt: null, pausedAt: at(0), status: 'active' },
    ]);
    expect(t?.metric).toBe('first_response');
  });
});

describe('formatting with Intl', () => {
  it('formats durations compactly', () => {
    expect(formatDuration(42 * 60_000)).toBe('42m');
    expect(formatDuration(185 * 60_000)).toBe('3h 5m');
    expect(formatDuration((2 * 24 * 60 + 240) * 60_000)).toBe('2d 4h');
    expect(formatDuration(-15 * 60_000)).toBe('-15m');
    expect(formatDuration(20_000)).toBe('<1m');
  });
  it('gives Chinese relative times', () => {
    expect(relativeTime(at(-3), 'zh-CN', NOW)).toBe('3分钟前');
    expect(relativeTime(at(-24 * 60), 'zh-CN', NOW)).toBe('昨天');
    expect(relativeTime(at(-3), 'en', NOW)).toBe('3 minutes ago');
  });
  it('joins names with the language’s list format', () => {
    expect(joinNames(['张三', '李四'], 'zh-CN')).toBe('张三和李四');
    expect(joinNames(['Ann', 'Bob', 'Cy'], 'en')).toBe('Ann, Bob, and Cy');
  });
});
