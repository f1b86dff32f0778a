import { allOrEachAlone, GroupCommit, Settled } from './group-commit';

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

describe('GroupCommit', () => {
  it('runs the first item alone at once and the items added meanwhile together in the next run', async () => {
    const runs: number[][] = [];
    const gate = deferred();
    const group = new GroupCommit<number, number>(async (items) => {
      runs.push(items);
      if (runs.length === 1) await gate.promise;
      return items.map((i) => ({ ok: true, value: i * 10 }));
    });
    const first = group.add(1);
    const rest = [group.add(2), group.add(3), group.add(4)];
    expect(runs).toEqual([[1]]);
    gate.resolve();
    expect(await Promise.all([first, ...rest])).toEqual([10, 20, 30, 40]);
    expect(runs).toEqual([[1], [2, 3, 4]]);
  });

  it('keeps at most `inFlight` runs going and at most `maxBatch` items in one', async () => {
    let running = 0;
    let most = 0;
    const sizes: number[] = [];
    const group = new GroupCommit<number, number>(
      async (items) => {
        running++;
        most = Math.max(most, running);
        sizes.push(items.length);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        return items.map((i) => ({ ok: true, value: i }));
      },
      2,
      3,
    );
    await Promise.all(Array.from({ length: 20 }, (_, i) => group.add(i)));
    expect(most).toBe(2);
    expect(Math.max(...sizes)).toBe(3);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(20);
  });

  it('bounds a run by the weight of its items, taking at least one', async () => {
    const runs: number[][] = [];
    const gate = deferred();
    const group = new GroupCommit<number, number>(
      async (items) => {
        runs.push(items);
        if (runs.length === 1) await gate.promise;
        return items.map((i) => ({ ok: true, value: i }));
      },
      1,
      16,
      { weigh: (i) => i, max: 10 },
    );
    const all = [group.add(1), group.add(4), group.add(5), group.add(2), group.add(30), group.add(3)];
    gate.resolve();
    await Promise.all(all);
    expect(runs).toEqual([[1], [4, 5], [2], [30], [3]]);
  });

  it('rejects only the item that failed, and every item of a run that threw', async () => {
    const gate = deferred();
    let calls = 0;
    const group = new GroupCommit<number, number>(async (items): Promise<Array<Settled<number>>> => {
      calls++;
      if (calls === 1) {
        await gate.promise;
        return items.map((i) => ({ ok: true, value: i }));
      }
      if (calls === 2)
        return items.map((i) => (i === 3 ? { ok: false, error: new Error('bad') } : { ok: true, value: i }));
      throw new Error('database down');
    });
    const first = group.add(1);
    const second = [group.add(2), group.add(3)];
    gate.resolve();
    await first;
    expect((await Promise.allSettled(second)).map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    await expect(group.add(4)).rejects.toThrow('database down');
  });

  it('allOrEachAlone: one call for all; when it fails, each alone in order, and only the bad one fails', async () => {
    const calls: number[][] = [];
    const run = allOrEachAlone<number, number>(async (items) => {
      calls.push(items);
      if (items.includes(3)) throw new Error(`bad ${items.join(',')}`);
      return items.map((i) => i * 2);
    });
    expect(await run([1, 2])).toEqual([
      { ok: true, value: 2 },
      { ok: true, value: 4 },
    ]);
    const settled = await run([1, 3, 4]);
    expect(settled.map((s) => s.ok)).toEqual([true, false, true]);
    expect(calls).toEqual([[1, 2], [1, 3, 4], [1], [3], [4]]);
    expect(await run([3])).toMatchObject([{ ok: false, error: { message: 'bad 3' } }]);
  });
});
