import { Inject, Injectable } from '@nestjs/common';
import { Emitter } from '@socket.io/redis-emitter';
import Redis from 'ioredis';
import { Env } from '@crewdesk/config';
import { REDIS } from '@crewdesk/queue';
import { NAMESPACES, rooms, socketIoKey } from './rooms';

/**
 * Sends one person's own events (their notifications) to every console they have open, from any process,
 * through the socket.io Redis emitter.
 */
@Injectable()
export class UserEmitter {
  private readonly emitter: Emitter;

  constructor(@Inject(REDIS) redis: Redis, env: Env) {
    this.emitter = new Emitter(redis, { key: socketIoKey(env) });
  }

  toUser(tenantId: string, userId: string, event: string, payload: unknown): void {
    this.emitter.of(NAMESPACES.agents).to(rooms.user(tenantId, userId)).emit(event, payload);
  }

  /** The notification sink routing delivers through. */
  deliver(tenantId: string, userId: string, notification: unknown): void {
    this.toUser(tenantId, userId, 'notification.created', notification);
  }
}
