import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Emitter } from '@socket.io/redis-emitter';
import Redis from 'ioredis';
import { TurnBatch } from '@crewdesk/common';
import { Env } from '@crewdesk/config';
import { REDIS, RedisKeys } from '@crewdesk/queue';
import { TicketEventBus, TicketEventRecord } from '@crewdesk/tickets';
import { publishedMarkKey } from './live-publisher';
import { EventPublisher } from './publisher';
import { socketIoKey } from './rooms';

/**
 * For processes without sockets (the worker): publishes the events they commit (SLA breaches, ingested mail,
 * delivery states) to every API process's sockets through the Redis emitter, at the end of the turn they
 * committed in: events committed together (a batch of ingested mail) share packets and one Redis round trip.
 * The outbox relay uses the same publisher for what a crash left out.
 */
@Injectable()
export class EmitterPublisher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(EmitterPublisher.name);
  readonly publisher: EventPublisher;
  private unsubscribe?: () => void;

  constructor(
    private readonly bus: TicketEventBus,
    @Inject(REDIS) redis: Redis,
    keys: RedisKeys,
    env: Env,
  ) {
    this.publisher = new EventPublisher(new Emitter(redis, { key: socketIoKey(env) }), redis, publishedMarkKey(keys));
  }

  private readonly batch = new TurnBatch<TicketEventRecord>((events) =>
    this.publisher
      .publish(events)
      .catch((err) =>
        this.logger.warn({ err, eventIds: events.map((e) => e.id) }, 'Publish failed; the relay will publish it'),
      ),
  );

  onApplicationBootstrap(): void {
    this.unsubscribe = this.bus.subscribe((event) => this.batch.add(event));
  }

  onApplicationShutdown(): void {
    this.unsubscribe?.();
  }
}
