import { TurnBatch } from './turn-batch';

describe('TurnBatch', () => {
  it('hands the items added in one turn to one flush, in order, and starts a new batch after it', async () => {
    const flushed: number[][] = [];
    const batch = new TurnBatch<number>(async (items) => void flushed.push(items));
    await Promise.all([batch.add(1), batch.add(2), batch.add(3)]);
    await batch.add(4);
    expect(flushed).toEqual([[1, 2, 3], [4]]);
  });

  it('rejects every add of a batch whose flush failed', async () => {
    const batch = new TurnBatch<number>(async () => {
      throw new Error('redis down');
    });
    const results = await Promise.allSettled([batch.add(1), batch.add(2)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });

  it("with end: 'callback', flushes once the promise continuations of the adding callback are done", async () => {
    const flushed: number[][] = [];
    const batch = new TurnBatch<number>(async (items) => void flushed.push(items), { end: 'callback' });
    const order: string[] = [];
    setImmediate(() => order.push('next callback'));
    const added = (async () => {
      const first = batch.add(1);
      await Promise.resolve();
      const second = batch.add(2); // a continuation of the same callback: same batch
      await Promise.all([first, second]);
      order.push('flushed');
    })();
    await added;
    await new Promise((r) => setImmediate(r));
    expect(flushed).toEqual([[1, 2]]);
    expect(order).toEqual(['flushed', 'next callback']);
  });
});
