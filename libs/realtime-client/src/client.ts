import { io, ManagerOptions, Socket, SocketOptions } from 'socket.io-client';
import { ClientToServerEvents, ReplayPayload, ServerToClientEvents, TicketEventPayload } from './protocol';

export interface RealtimeClientOptions {
  /** Base URL of the API, e.g. http://localhost:3000. */
  url: string;
  namespace: '/agents' | '/widget';
  /** A staff access token or API key (agents), or a customer token (widget). Called again on every reconnect. */
  token: string | (() => string | Promise<string>);
  /** Resume after this event id (e.g. kept in storage across page loads). */
  lastEventId?: string;
  socket?: Partial<ManagerOptions & SocketOptions>;
}

type EventHandler = (event: TicketEventPayload) => void;

/**
 * A socket that never misses a ticket event: it sends its last event id on every (re)connect, takes the
 * server's replay, and delivers replayed and live events once each, in id order per connection.
 */
export class RealtimeClient {
  readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  private lastId: bigint;
  /** Replayed events below this are older than this client's session: its caller loaded them another way. */
  private floor: bigint | undefined;
  private readonly handlers = new Set<EventHandler>();
  private replaying = true;
  private buffer: TicketEventPayload[] = [];
  private readonly recent = new Set<string>();
  private readonly recentOrder: string[] = [];
  /** Resolves after each replay; `ready()` waits for the first. */
  private readyWaiters: Array<() => void> = [];
  replays = 0;

  constructor(private readonly opts: RealtimeClientOptions) {
    this.lastId = BigInt(opts.lastEventId ?? '0');
    if (opts.lastEventId) this.floor = this.lastId;
    this.socket = io(opts.url.replace(/\/$/, '') + opts.namespace, {
      transports: ['websocket'],
      ...opts.socket,
      auth: (cb) => {
        Promise.resolve(typeof opts.token === 'function' ? opts.token() : opts.token).then((token) =>
          cb({ token, lastEventId: this.lastId > 0n ? this.lastId.toString() : undefined }),
        );
      },
    });
    this.socket.on('connect', () => {
      this.replaying = true;
    });
    this.socket.on('replay', (payload: ReplayPayload) => this.onReplay(payload));
    // Every ticket event, whatever its type (new types need no client change): `{ id, type, ticketId, ... }`.
    // Several at once arrive as `events`: an array, in order.
    this.socket.onAny((name: string, payload: unknown) => {
      if (name === 'events' && Array.isArray(payload)) {
        for (const e of payload) if (isTicketEvent(e)) this.onLive(e);
      } else if (name !== 'replay' && isTicketEvent(payload)) this.onLive(payload);
    });
  }

  get lastEventId(): string {
    return this.lastId.toString();
  }

  /** Every ticket event, once, in order. */
  onEvent(handler: EventHandler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  /** Resolves once connected and caught up. */
  ready(): Promise<void> {
    if (this.socket.connected && !this.replaying) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  close(): void {
    this.socket.close();
  }

  private onReplay(payload: ReplayPayload): void {
    // The server resends a few seconds before the last id (ids commit out of order across tickets);
    // of those, only events after the start of this session are news.
    for (const event of payload.events)
      if (this.floor === undefined || BigInt(event.id) > this.floor) this.deliver(event);
    this.replaying = false;
    this.replays++;
    const buffered = this.buffer.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
    this.buffer = [];
    for (const event of buffered) this.deliver(event);
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const w of waiters) w();
  }

  private onLive(event: TicketEventPayload): void {
    if (this.replaying) this.buffer.push(event);
    else this.deliver(event);
  }

  private deliver(event: TicketEventPayload): void {
    // At-least-once on the wire (live, replay and the outbox relay may overlap): once to the handlers.
    if (this.recent.has(event.id)) return;
    this.recent.add(event.id);
    this.recentOrder.push(event.id);
    if (this.recentOrder.length > 5000) this.recent.delete(this.recentOrder.shift()!);
    const id = BigInt(event.id);
    if (id > this.lastId) this.lastId = id;
    if (this.floor === undefined || id < this.floor) this.floor = id;
    for (const h of this.handlers) h(event);
  }
}

function isTicketEvent(p: unknown): p is TicketEventPayload {
  const e = p as TicketEventPayload | null;
  return (
    !!e &&
    typeof e.id === 'string' &&
    /^\d+$/.test(e.id) &&
    typeof e.type === 'string' &&
    typeof e.ticketId === 'string'
  );
}
