import {
  RealtimeClient,
  type PresencePayload,
  type TicketEventPayload,
  type TypingPayload,
  type ViewingPayload,
} from '@crewdesk/realtime-client';

/** Who has a ticket open (distinct people), sent to everyone who may see the ticket: the lists' eye icon. */
export interface TicketViewersPayload {
  ticketId: string;
  userIds: string[];
}

export type ConnState = 'connecting' | 'online' | 'offline' | 'reconnecting' | 'reconnected';

type Fn<T> = (v: T) => void;

/**
 * The console's one socket to `/agents`: the realtime client (replay after reconnect, each event once),
 * connection state for the banner, presence, viewers and typing. `onResync` fires after every reconnect
 * and when the browser comes back online or to the foreground: lists and the open ticket refetch then.
 */
export class Live {
  readonly client: RealtimeClient;
  state: ConnState = 'connecting';
  private everConnected = false;
  private readonly stateFns = new Set<Fn<ConnState>>();
  private readonly typingFns = new Set<Fn<TypingPayload>>();
  private readonly viewingFns = new Set<Fn<ViewingPayload>>();
  private readonly ticketViewersFns = new Set<Fn<TicketViewersPayload>>();
  private readonly presenceFns = new Set<Fn<PresencePayload>>();
  private readonly resyncFns = new Set<() => void>();
  private readonly notificationFns = new Set<Fn<unknown>>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly cleanups: Array<() => void> = [];

  constructor(url: string, token: () => Promise<string>, refresh: () => Promise<boolean>) {
    this.client = new RealtimeClient({ url, namespace: '/agents', token, socket: { reconnectionDelayMax: 5000 } });
    const s = this.client.socket;
    s.on('connect', () => {
      if (this.everConnected) {
        this.set('reconnected');
        this.resync();
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.state === 'reconnected' && this.set('online'), 4000);
      } else this.set('online');
      this.everConnected = true;
    });
    s.on('disconnect', (reason) => {
      this.set(typeof navigator !== 'undefined' && navigator.onLine === false ? 'offline' : 'reconnecting');
      // A server-side disconnect does not come back by itself.
      if (reason === 'io server disconnect') setTimeout(() => s.connect(), 1000);
    });
    s.on('connect_error', (err: Error & { data?: { code?: string } }) => {
      if (this.everConnected) this.set(navigator.onLine === false ? 'offline' : 'reconnecting');
      // A refused handshake is not retried by socket.io: refresh the token, then try again.
      if (err.data?.code) {
        void (async () => {
          if (err.data?.code === 'TOKEN_EXPIRED' || err.data?.code === 'UNAUTHENTICATED') {
            if (!(await refresh())) return;
          }
          setTimeout(() => s.connect(), 1500);
        })();
      }
    });
    s.on('typing', (p: TypingPayload) => this.typingFns.forEach((f) => f(p)));
    s.on('viewing', (p: ViewingPayload) => this.viewingFns.forEach((f) => f(p)));
    s.on('presence', (p: PresencePayload) => this.presenceFns.forEach((f) => f(p)));
    const untyped = s as unknown as { on(e: string, f: (p: unknown) => void): void };
    untyped.on('notification.created', (p) => this.notificationFns.forEach((f) => f(p)));
    untyped.on('ticket.viewers', (p) => this.ticketViewersFns.forEach((f) => f(p as TicketViewersPayload)));
    if (typeof window !== 'undefined') {
      const offline = () => this.set('offline');
      const online = () => {
        if (s.connected) this.resync();
        else {
          this.set('reconnecting');
          s.connect();
        }
      };
      const visible = () => document.visibilityState === 'visible' && this.resync();
      window.addEventListener('offline', offline);
      window.addEventListener('online', online);
      document.addEventListener('visibilitychange', visible);
      this.cleanups.push(
        () => window.removeEventListener('offline', offline),
        () => window.removeEventListener('online', online),
        () => document.removeEventListener('visibilitychange', visible),
      );
    }
  }

  private set(state: ConnState) {
    if (state === this.state) return;
    this.state = state;
    this.stateFns.forEach((f) => f(state));
  }

  private resync() {
    this.resyncFns.forEach((f) => f());
  }

  private add<T>(set: Set<T>, fn: T): () => void {
    set.add(fn);
    return () => set.delete(fn);
  }

  onState = (fn: Fn<ConnState>) => this.add(this.stateFns, fn);
  onTyping = (fn: Fn<TypingPayload>) => this.add(this.typingFns, fn);
  onViewing = (fn: Fn<ViewingPayload>) => this.add(this.viewingFns, fn);
  onTicketViewers = (fn: Fn<TicketViewersPayload>) => this.add(this.ticketViewersFns, fn);
  onPresence = (fn: Fn<PresencePayload>) => this.add(this.presenceFns, fn);
  onResync = (fn: () => void) => this.add(this.resyncFns, fn);
  onNotification = (fn: Fn<unknown>) => this.add(this.notificationFns, fn);
  onEvent = (fn: Fn<TicketEventPayload>) => this.client.onEvent(fn);

  /** Opens a ticket's room (collision): answers who else is there. */
  view(ticketId: string): Promise<ViewingPayload | null> {
    return new Promise((resolve) => {
      const s = this.client.socket;
      if (!s.connected) return resolve(null);
      const emit = s.timeout(5000).emit as unknown as (
        e: string,
        p: unknown,
        ack: (err: unknown, r: ViewingPayload | { code: string }) => void,
      ) => void;
      emit.call(s.timeout(5000), 'ticket.view', { ticketId }, (err, r) => resolve(err || !r || 'code' in r ? null : r));
    });
  }

  /** Online or away: away people get no new tickets from team assignment. */
  setStatus(status: 'online' | 'away'): void {
    if (this.client.socket.connected) this.client.socket.emit('presence.set', { status });
  }

  /** A person's status as the server has it (online, away or offline). */
  status(userId: string): Promise<string | null> {
    return new Promise((resolve) => {
      const s = this.client.socket;
      if (!s.connected) return resolve(null);
      s.emit('presence.list', (r) =>
        resolve('users' in r ? (r.users.find((u) => u.userId === userId)?.status ?? null) : null),
      );
    });
  }

  leave(ticketId: string): void {
    if (this.client.socket.connected) this.client.socket.emit('ticket.leave', { ticketId });
  }

  typing(ticketId: string, mode: 'reply' | 'note', typing: boolean): void {
    if (this.client.socket.connected) this.client.socket.emit('typing', { ticketId, mode, typing });
  }

  read(ticketId: string, messageId: string): void {
    // Not in the typed client map (it is shared with the widget namespace): emit untyped.
    if (this.client.socket.connected)
      (this.client.socket as unknown as { emit(e: string, p: unknown): void }).emit('message.read', {
        ticketId,
        messageId,
      });
  }

  close(): void {
    clearTimeout(this.timer);
    this.cleanups.forEach((c) => c());
    this.client.close();
  }
}
