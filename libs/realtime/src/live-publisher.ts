import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { TurnBatch } from '@crewdesk/common';
import { REDIS, RedisKeys } from '@crewdesk/queue';
import { TicketEventBus, TicketEventRecord } from '@crewdesk/tickets';
import { AgentsGateway } from './agents.gateway';
import { PresenceService } from './presence.service';
import { EventPublisher } from './publisher';
import { rooms } from './rooms';

/** A socket with more than this many packets waiting is too slow: it is dropped and replays on reconnect. */
export const MAX_SOCKET_BACKLOG = 1000;
const HEARTBEAT_MS = 20_000;
const SWEEP_MS = 1000;

export const publishedMarkKey = (keys: RedisKeys) => (eventId: string) => keys.key('rt', 'pub', eventId);

/**
 * Publishes every committed ticket event of this process to the sockets of all processes (through the Redis
 * adapter), keeps presence alive, and bounds memory by dropping sockets that cannot keep up: ticket events
 * are never dropped from the stream, a dropped client replays them from PostgreSQL.
 */
@Injectable()
export class LivePublisher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(LivePublisher.name);
  private publisher?: EventPublisher;
  private unsubscribe?: () => void;
  private timers: NodeJS.Timeout[] = [];
  /** Test hook: false simulates a process dying between commit and publish (the relay then publishes). */
  enabled = true;
  dropped = 0;

  constructor(
    private readonly bus: TicketEventBus,
    private readonly gateway: AgentsGateway,
    private readonly presence: PresenceService,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  onApplicationBootstrap(): void {
    this.unsubscribe = this.bus.subscribe((event) => this.publish(event));
    this.timers.push(
      setInterval(() => void this.keepPresence(), HEARTBEAT_MS).unref(),
      setInterval(() => this.sweep(), SWEEP_MS).unref(),
    );
  }

  onApplicationShutdown(): void {
    this.unsubscribe?.();
    for (const t of this.timers) clearInterval(t);
  }

  private get events(): EventPublisher | undefined {
    if (!this.publisher && this.gateway.nsp) {
      this.publisher = new EventPublisher(this.gateway.nsp.server, this.redis, publishedMarkKey(this.keys));
    }
    return this.publisher;
  }

  /**
   * Events are published at the end of the event loop's turn that delivered them: events committed together (a
   * busy process finishes many requests per turn) share packets and one Redis round trip.
   */
  private readonly batch = new TurnBatch<TicketEventRecord>((queued) => this.flush(queued));

  publish(event: TicketEventRecord): Promise<void> {
    if (!this.enabled || !this.events) return Promise.resolve();
    return this.batch.add(event);
  }

  private async flush(events: TicketEventRecord[]): Promise<void> {
    try {
      await this.events!.publish(events);
    } catch (err) {
      // The relay publishes them within seconds.
      this.logger.warn(
        { err, eventIds: events.map((e) => e.id) },
        'Live publish failed; the outbox relay will publish it',
      );
    }
  }

  /** Extends this process's sockets and announces people whose sockets died with another process. */
  async keepPresence(): Promise<void> {
    try {
      await this.presence.heartbeat(this.gateway.localMembers());
      for (const { tenantId, presence } of await this.presence.expire()) {
        this.gateway.nsp.to(rooms.presence(tenantId)).volatile.emit('presence', presence);
      }
    } catch (err) {
      this.logger.warn({ err }, 'Presence heartbeat failed');
    }
  }

  /** Drops sockets whose unsent backlog grows past the limit (bare socket.io buffers without bound). */
  sweep(): void {
    const server = this.gateway.nsp?.server;
    if (!server) return;
    for (const nsp of server._nsps.values()) {
      for (const socket of nsp.sockets.values()) {
        const backlog = (socket.conn as unknown as { writeBuffer?: unknown[] }).writeBuffer?.length ?? 0;
        if (backlog > MAX_SOCKET_BACKLOG) {
          this.dropped++;
          // Discard the backlog at once: a stalled client never drains it, and a graceful close would wait for that.
          (socket.conn as unknown as { close(discard: boolean): void }).close(true);
        }
      }
    }
  }
}
