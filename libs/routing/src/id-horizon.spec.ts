import { IdHorizon } from './routing-events.service';

describe('IdHorizon: where the routing catch-up stops', () => {
  it('bounds the first pass by its own sample, then waits until a sample is a grace old', () => {
    const h = new IdHorizon(30_000);
    expect(h.next(100n, 0)).toBe(100n);
    expect(h.next(150n, 2_000)).toBeNull();
    expect(h.next(400n, 28_000)).toBeNull();
    expect(h.next(500n, 30_000)).toBe(100n);
  });

  it('gives the newest sample at least a grace old as time goes on', () => {
    const h = new IdHorizon(30_000);
    h.next(10n, 0);
    for (let t = 2_000; t <= 60_000; t += 2_000) h.next(BigInt(10 + t / 100), t);
    // At 62 s, the newest sample at least 30 s old is the one taken at 32 s.
    expect(h.next(700n, 62_000)).toBe(BigInt(10 + 32_000 / 100));
  });

  it('never moves backwards, also when passes are far apart', () => {
    const h = new IdHorizon(30_000);
    let last = -1n;
    for (const [max, at] of [
      [5n, 0],
      [9n, 31_000],
      [9n, 32_000],
      [20n, 100_000],
      [25n, 100_500],
      [40n, 131_000],
    ] as const) {
      const b = h.next(max, at);
      if (b !== null) {
        expect(b).toBeGreaterThanOrEqual(last);
        expect(b).toBeLessThanOrEqual(max);
        last = b;
      }
    }
    expect(last).toBe(25n); // sampled at 100.5 s, 30.5 s before the last pass
  });
});
