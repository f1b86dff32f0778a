/** What `run` made of one item: its result, or the error that item alone failed with. */
export type Settled<R> = { ok: true; value: R } | { ok: false; error: unknown };

/**
 * Group commit: at most `inFlight` runs at a time, and the items added while they run wait to go together in the
 * next one (up to `maxBatch`). An idle system runs each item at once and alone; a busy one writes many items per
 * run, so the cost of a run (a transaction's round trips and commit) is shared without a timer's added wait.
 * `run` settles every item it was given, in order; `add` resolves or rejects with its own item's outcome.
 */
export class GroupCommit<T, R> {
  private queue: Array<{ item: T; resolve: (r: R) => void; reject: (e: unknown) => void }> = [];
  private running = 0;

  /**
   * `limit` bounds a run by the items' size too (`weigh`, e.g. bytes): a run takes items while their total stays
   * within `max`, and always at least one.
   */
  constructor(
    private readonly run: (items: T[]) => Promise<Array<Settled<R>>>,
    private readonly inFlight = 1,
    private readonly maxBatch = 16,
    private readonly limit?: { weigh: (item: T) => number; max: number },
  ) {}

  /** Items waiting for a run. */
  get waiting(): number {
    return this.queue.length;
  }

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.next();
    });
  }

  /** How many of the waiting items the next run takes. */
  private takeable(): number {
    const most = Math.min(this.maxBatch, this.queue.length);
    if (!this.limit) return most;
    let total = 0;
    for (let n = 0; n < most; n++) {
      total += this.limit.weigh(this.queue[n].item);
      if (n > 0 && total > this.limit.max) return n;
    }
    return most;
  }

  private next(): void {
    while (this.running < this.inFlight && this.queue.length) {
      const batch = this.queue.splice(0, this.takeable());
      this.running++;
      this.run(batch.map((b) => b.item))
        .then(
          (settled) =>
            batch.forEach((b, i) => {
              const s = settled[i];
              if (!s) b.reject(new Error('GroupCommit: run settled fewer items than it was given'));
              else if (s.ok) b.resolve(s.value);
              else b.reject(s.error);
            }),
          (err) => batch.forEach((b) => b.reject(err)),
        )
        .finally(() => {
          this.running--;
          this.next();
        });
    }
  }
}

/**
 * A `GroupCommit` run that handles all its items with one call (one statement), and if that call fails, calls it for
 * each item alone, one after another in order, so that only the item at fault fails.
 */
export function allOrEachAlone<T, R>(call: (items: T[]) => Promise<R[]>): (items: T[]) => Promise<Array<Settled<R>>> {
  return async (items) => {
    try {
      return (await call(items)).map((value) => ({ ok: true, value }));
    } catch (error) {
      if (items.length === 1) return [{ ok: false, error }];
      const settled: Array<Settled<R>> = [];
      for (const item of items) {
        try {
          settled.push({ ok: true, value: (await call([item]))[0] });
        } catch (err) {
          settled.push({ ok: false, error: err });
        }
      }
      return settled;
    }
  };
}
