import { RealtimeClient, TicketEventPayload } from '@crewdesk/realtime-client';

/** A realtime client that records what it receives, for assertions. */
export class RecordingClient {
  readonly events: TicketEventPayload[] = [];
  readonly raw: Array<{ name: string; payload: unknown }> = [];
  readonly client: RealtimeClient;

  constructor(url: string, namespace: '/agents' | '/widget', token: string, lastEventId?: string) {
    this.client = new RealtimeClient({
      url,
      namespace,
      token,
      lastEventId,
      socket: { reconnection: false, forceNew: true },
    });
    this.client.onEvent((e) => this.events.push(e));
    this.client.socket.onAny((name, payload) => this.raw.push({ name, payload }));
  }

  static async connect(
    url: string,
    namespace: '/agents' | '/widget',
    token: string,
    lastEventId?: string,
  ): Promise<RecordingClient> {
    const c = new RecordingClient(url, namespace, token, lastEventId);
    await Promise.race([
      c.client.ready(),
      new Promise((_, reject) => c.client.socket.once('connect_error', (err) => reject(err))),
    ]);
    return c;
  }

  /** Waits until `predicate` holds over what arrived (events are pushed as they come). */
  async waitFor(predicate: (events: TicketEventPayload[]) => boolean, ms = 20_000): Promise<TicketEventPayload[]> {
    const until = Date.now() + ms;
    while (!predicate(this.events)) {
      if (Date.now() > until)
        throw new Error(`Timed out; got ${this.events.map((e) => e.type).join(', ') || 'nothing'}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.events;
  }

  async waitForRaw(name: string, predicate: (payload: any) => boolean = () => true, ms = 20_000): Promise<any> {
    const until = Date.now() + ms;
    for (;;) {
      const hit = this.raw.find((r) => r.name === name && predicate(r.payload));
      if (hit) return hit.payload;
      if (Date.now() > until) throw new Error(`Timed out waiting for ${name}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /**
   * Calls `send` until this client has received `name`: volatile signals (typing) are dropped rather than queued
   * when a socket is busy writing, and a client that is still typing repeats them; `send` should too.
   */
  async sendUntilRaw(
    send: () => void,
    name: string,
    predicate: (payload: any) => boolean = () => true,
    everyMs = 1200,
    ms = 20_000,
  ): Promise<any> {
    const until = Date.now() + ms;
    for (;;) {
      send();
      const hit = await this.waitForRaw(name, predicate, Math.min(everyMs, until - Date.now())).catch(() => null);
      if (hit) return hit;
      if (Date.now() >= until) throw new Error(`Timed out waiting for ${name}`);
    }
  }

  emit<T>(event: string, payload: unknown): Promise<T> {
    return (this.client.socket as unknown as import('socket.io-client').Socket)
      .timeout(5000)
      .emitWithAck(event, payload) as Promise<T>;
  }

  close(): void {
    this.client.close();
  }
}

/** Nothing more arrives for a while: for asserting an absence after something that would have come first. */
export const settle = (ms = 300) => new Promise((r) => setTimeout(r, ms));
