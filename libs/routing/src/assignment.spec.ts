import { Candidate, choose, eligible, leastLoaded, roundRobin, skillMatch } from './assignment';

const c = (userId: string, over: Partial<Candidate> = {}): Candidate => ({
  userId,
  open: 0,
  capacity: 20,
  online: true,
  skills: [],
  ...over,
});

describe('assignment strategies', () => {
  it('only online people under capacity are eligible', () => {
    const people = [c('a'), c('b', { online: false }), c('c', { open: 20 }), c('d', { capacity: 0 })];
    expect(eligible(people).map((p) => p.userId)).toEqual(['a']);
  });

  it('round robin cycles in a stable order and spreads within one', () => {
    const people = [c('b'), c('a'), c('c'), c('x', { online: false })];
    const count = new Map<string, number>();
    let last: string | null = null;
    for (let i = 0; i < 100; i++) {
      last = roundRobin(people, last)!.userId;
      count.set(last, (count.get(last) ?? 0) + 1);
    }
    expect([...count.keys()].sort()).toEqual(['a', 'b', 'c']);
    expect(Math.max(...count.values()) - Math.min(...count.values())).toBeLessThanOrEqual(1);
    expect(roundRobin([c('x', { online: false })], null)).toBeNull();
  });

  it('least loaded picks a minimum, ties in turn', () => {
    expect(leastLoaded([c('a', { open: 3 }), c('b', { open: 1 }), c('c', { open: 2 })], null)?.userId).toBe('b');
    expect(leastLoaded([c('a', { open: 1 }), c('b', { open: 1 })], 'a')?.userId).toBe('b');
    expect(leastLoaded([c('a', { open: 0, online: false }), c('b', { open: 5 })], null)?.userId).toBe('b');
  });

  it('skill match needs every skill, then the least loaded', () => {
    const people = [
      c('a', { skills: ['billing'], open: 4 }),
      c('b', { skills: ['Billing', 'zh'], open: 2 }),
      c('c', { open: 0 }),
    ];
    expect(skillMatch(people, ['billing'], null)?.userId).toBe('b');
    expect(skillMatch(people, ['billing', 'ja'], null)).toBeNull();
    expect(skillMatch(people, [], null)?.userId).toBe('c');
    expect(choose('manual', people, null)).toBeNull();
  });
});
