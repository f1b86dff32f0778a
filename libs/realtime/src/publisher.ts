import type Redis from 'ioredis';
import type { TicketEventRecord } from '@crewdesk/tickets';
import { deliveries } from './routing';

/** Socket.io's server and its Redis emitter both speak this. */
export interface EmitTarget {
  of(namespace: string): { to(rooms: string | string[]): { emit(event: string, ...args: unknown[]): unknown } };
}

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

  async publish(events: TicketEventRecord[]): Promise<void> {
    if (!events.length) return;
    for (const event of events) {
      for (const d of deliveries(event)) this.target.of(d.namespace).to(d.rooms).emit(d.type, d.payload);
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
