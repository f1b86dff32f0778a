/**
 * Collects items during one turn of the event loop and hands them to `flush` together at its end: work that many
 * requests finishing in the same turn would each do alone (a Redis round trip, a socket packet) is done once.
 * `add` resolves when the flush that took its item has finished (and rejects with it).
 */
export class TurnBatch<T> {
  private items: T[] = [];
  private flushing?: Promise<void>;

  constructor(private readonly flush: (items: T[]) => Promise<void>) {}

  add(item: T): Promise<void> {
    this.items.push(item);
    this.flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      const items = this.items;
      this.items = [];
      this.flushing = undefined;
      return this.flush(items);
    });
    return this.flushing;
  }
}
