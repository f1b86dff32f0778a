import cluster from 'cluster';
import { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import Redis from 'ioredis';
import type { Namespace, Server, ServerOptions } from 'socket.io';
import { MessageMappingProperties } from '@nestjs/websockets';
import { filter } from 'rxjs';
import { Env } from '@crewdesk/config';
import { socketIoKey, writeBroadcastsDirectly } from '@crewdesk/realtime';

type NestSocket = Parameters<IoAdapter['bindMessageHandlers']>[0];

/** Socket.io rooms shared by every API process through Redis pub/sub; the worker emits through the same channel. */
export class RedisIoAdapter extends IoAdapter {
  private pub?: Redis;
  private sub?: Redis;

  constructor(
    app: INestApplicationContext,
    private readonly env: Env,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server: Server = super.createIOServer(port, {
      ...options,
      // Websocket first; long-polling stays available for networks that block upgrades, but not across several
      // API processes (API_WORKERS), where its requests could reach a process that never saw the handshake.
      transports: cluster.isWorker ? ['websocket'] : ['websocket', 'polling'],
      pingInterval: 25_000,
      pingTimeout: 20_000,
      maxHttpBufferSize: 1024 * 1024,
      connectionStateRecovery: undefined,
    });
    if (!this.pub) {
      // Broadcasts made in one turn of the event loop (a batch of events to several rooms) leave in one write.
      this.pub = new Redis(this.env.REDIS_URL, { maxRetriesPerRequest: null, enableAutoPipelining: true });
      this.sub = this.pub.duplicate({ enableAutoPipelining: false });
      this.pub.on('error', () => undefined);
      this.sub.on('error', () => undefined);
    }
    server.adapter(createAdapter(this.pub, this.sub!, { key: socketIoKey(this.env) }));
    server.on('new_namespace', (nsp: Namespace) => nsp.on('connection', writeBroadcastsDirectly));
    return server;
  }

  /**
   * Plain listeners per message type instead of Nest's per-socket RxJS pipelines (about 24 KB of heap per
   * socket with five handlers); RxJS stays inside each call, for handlers that return observables.
   */
  override bindMessageHandlers(
    socket: NestSocket,
    handlers: MessageMappingProperties[],
    transform: Parameters<IoAdapter['bindMessageHandlers']>[2],
  ): void {
    for (const { message, callback } of handlers) {
      socket.on(String(message), (...args: unknown[]) => {
        const { data, ack } = this.mapPayload(args.length === 1 ? args[0] : args);
        transform(callback(data, ack))
          .pipe(filter((response) => response !== undefined && response !== null))
          .subscribe({
            next: (response) => {
              const r = response as { event?: string; data?: unknown };
              if (r.event) socket.emit(r.event, r.data);
              else if (typeof ack === 'function') ack(response);
            },
            error: () => undefined,
          });
      });
    }
  }

  override async dispose(): Promise<void> {
    await super.dispose?.();
    await Promise.all([this.pub?.quit().catch(() => undefined), this.sub?.quit().catch(() => undefined)]);
  }
}
