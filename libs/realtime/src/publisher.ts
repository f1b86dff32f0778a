import type Redis from 'ioredis';
import type { TicketEventRecord } from '@crewdesk/tickets';
import { deliveries, Delivery } from './routing';

/** Socket.io's server and its Redis emitter both speak this. */
export interface EmitTarget {
  of(namespace: string): { to(rooms: string | string[]): { emit(event: string, ...args: unknown[]): unknown } };
}

/**
 * The socket event that carries several ticket events in one packet, in order: `[{ id, type, ticketId, … }, …]`.
 * Under load many events are published to the same rooms at once; one packet per socket for all of them costs a
 * fraction of one packet each (fan-out is per packet and per socket).
 */
export const EVENTS_BATCH = 'events';

/** How long a "published" mark lives: far longer than the relay's look-back. */
const MARK_TTL_SECONDS = 3600;

/**
 * Emits committed ticket events to the rooms that may see them, and marks each as published so the
 * outbox relay knows what a crash left out. Publishing twice is harmless: clients drop repeated ids.
 */
export class EventPublisher {
  constructor(
    private readonly target: EmitTarget,
    private readonly redis: Redis,
    private readonly markKey: (eventId: string) => string,
  ) {}

  /** Emits in commit order (event id), whatever order the events were handed over in. */
  async publish(events: TicketEventRecord[]): Promise<void> {
    if (!events.length) return;
    // Requests that finished in the same turn may have reached the bus in any order.
    events = [...events].sort((x, y) => (BigInt(x.id) < BigInt(y.id) ? -1 : 1));
    // Per namespace, runs of consecutive deliveries to the same rooms go out as one packet (order kept: a run
    // only ever joins neighbours, so no socket sees a later event before an earlier one).
    const runs = new Map<string, { rooms: string[]; key: string; batch: Delivery[] }[]>();
    for (const event of events) {
      for (const d of deliveries(event)) {
        const list = runs.get(d.namespace) ?? runs.set(d.namespace, []).get(d.namespace)!;
        const key = d.rooms.join('\n');
        const last = list[list.length - 1];
        if (last && last.key === key) last.batch.push(d);
        else list.push({ rooms: d.rooms, key, batch: [d] });
      }
    }
    for (const [namespace, list] of runs) {
      for (const { rooms, batch } of list) {
        const to = this.target.of(namespace).to(rooms);
        if (batch.length === 1) to.emit(batch[0].type, batch[0].payload);
        else
          to.emit(
            EVENTS_BATCH,
            batch.map((d) => d.payload),
          );
      }
    }
    const pipeline = this.redis.pipeline();
    for (const event of events) pipeline.set(this.markKey(event.id), '1', 'EX', MARK_TTL_SECONDS);
    await pipeline.exec();
  }

  /** Which of these events were never marked as published. */
  async unpublished(eventIds: string[]): Promise<Set<string>> {
    if (!eventIds.length) return new Set();
    const marks = await this.redis.mget(eventIds.map((id) => this.markKey(id)));
    return new Set(eventIds.filter((_, i) => marks[i] === null));
  }
}
