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

  constructor(
    private readonly run: (items: T[]) => Promise<Array<Settled<R>>>,
    private readonly inFlight = 1,
    private readonly maxBatch = 16,
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

  private next(): void {
    while (this.running < this.inFlight && this.queue.length) {
      const batch = this.queue.splice(0, this.maxBatch);
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
