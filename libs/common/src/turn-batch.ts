/**
 * Collects items during one turn of the event loop and hands them to `flush` together at its end: work that many
 * requests finishing in the same turn would each do alone (a Redis round trip, a socket packet) is done once.
 * `add` resolves when the flush that took its item has finished (and rejects with it).
 *
 * `end: 'callback'` flushes sooner: once the callback that added the first item, and the promise continuations it
 * set off, are done (`process.nextTick`), without waiting for the other callbacks of the turn. For statements of an
 * open transaction, which must not wait for unrelated work while the transaction holds its connection.
 */
export class TurnBatch<T> {
  private items: T[] = [];
  private flushing?: Promise<void>;

  constructor(
    private readonly flush: (items: T[]) => Promise<void>,
    private readonly options: { end: 'turn' | 'callback' } = { end: 'turn' },
  ) {}

  add(item: T): Promise<void> {
    this.items.push(item);
    const wait = this.options.end === 'callback' ? process.nextTick : setImmediate;
    this.flushing ??= new Promise<void>((resolve) => wait(resolve)).then(() => {
      const items = this.items;
      this.items = [];
      this.flushing = undefined;
      return this.flush(items);
    });
    return this.flushing;
  }
}
