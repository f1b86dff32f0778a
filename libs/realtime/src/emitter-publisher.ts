import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Emitter } from '@socket.io/redis-emitter';
import Redis from 'ioredis';
import { Env } from '@crewdesk/config';
import { REDIS, RedisKeys } from '@crewdesk/queue';
import { TicketEventBus } from '@crewdesk/tickets';
import { publishedMarkKey } from './live-publisher';
import { EventPublisher } from './publisher';
import { socketIoKey } from './rooms';

/**
 * For processes without sockets (the worker): publishes the events they commit (SLA breaches, ingested mail,
 * delivery states) to every API process's sockets through the Redis emitter, right after commit. The outbox
 * relay uses the same publisher for what a crash left out.
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

  onApplicationBootstrap(): void {
    this.unsubscribe = this.bus.subscribe((event) =>
      this.publisher
        .publish([event])
        .catch((err) => this.logger.warn({ err, eventId: event.id }, 'Publish failed; the relay will publish it')),
    );
  }

  onApplicationShutdown(): void {
    this.unsubscribe?.();
  }
}
