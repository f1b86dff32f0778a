/**
 * bench/realtime-clients — one client process of bench/realtime-fanout (forked, never run by hand).
 *
 * Holds N sockets (websocket transport, one TCP connection each), records for every event it receives the
 * time from the event's `createdAt` (commit / emit time) and from the send stamp in the message body to
 * receipt, in 0.1 ms buckets, and answers the parent over IPC:
 *
 *   connect  { url, namespace, token, count, concurrency, event, readyEvent, kind }  -> connected { ok, failed }
 *   mark     { id }   -> mark { received, windowMs, commit, send, ... } and starts a new window
 *   pause / resume    stop / restart reading the sockets' TCP streams (a slow client: server buffers build up)
 *   trim     { keep } closes sockets beyond the first `keep`          -> trimmed
 *   close             closes every socket                             -> closed
 *
 * Two kinds of client:
 *   lean       socket.io protocol v5 over engine.io v4 on a bare `ws` WebSocket: handshake, namespace connect
 *              with `auth`, ping/pong, reconnect with the last event id; an event's stamps are read from the
 *              frame's text without parsing it whole. A few µs of CPU per receipt, so on a small machine the
 *              servers, not the clients, are what is measured.
 *   socket.io  socket.io-client 4 (what browsers run): about 3 x the CPU per receipt.
 * Both reconnect after 1–5 s when the server drops them and send `lastEventId`, as RealtimeClient does.
 */
import { Socket as TcpSocket } from 'net';
import { performance } from 'perf_hooks';
import { io, Socket } from 'socket.io-client';
import WebSocket from 'ws';

const now = () => performance.timeOrigin + performance.now();

/** Latencies in 0.1 ms buckets up to 60 s (the last bucket holds everything slower). */
const BUCKET_MS = 0.1;
const BUCKETS = 600_001;
class Histogram {
  readonly buckets = new Uint32Array(BUCKETS);
  count = 0;
  max = 0;
  add(ms: number): void {
    const v = ms < 0 ? 0 : ms;
    this.buckets[Math.min(BUCKETS - 1, Math.floor(v / BUCKET_MS))]++;
    this.count++;
    if (v > this.max) this.max = v;
  }
  /** [bucket, count] pairs of the non-empty buckets. */
  sparse(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (let i = 0; i < BUCKETS; i++) if (this.buckets[i]) out.push([i, this.buckets[i]]);
    return out;
  }
}

interface Window {
  started: number;
  received: number;
  commit: Histogram;
  send: Histogram;
}
const newWindow = (): Window => ({ started: now(), received: 0, commit: new Histogram(), send: new Histogram() });

let win = newWindow();
const counters = { disconnects: 0, reconnects: 0, connectErrors: 0, replays: 0, replayedEvents: 0, replayBytes: 0 };
let lastError = '';

function record(createdAt: number, sentAt: number): void {
  const at = now();
  win.received++;
  if (createdAt > 0) win.commit.add(at - createdAt);
  if (sentAt > 0) win.send.add(at - sentAt);
}

/* ------------------------------------------------------------------ clients */

interface ConnectCmd {
  cmd: 'connect';
  kind: 'lean' | 'socket.io';
  url: string;
  namespace: string;
  token?: string;
  count: number;
  concurrency: number;
  event: string;
  readyEvent: 'connect' | 'replay';
  timeoutMs: number;
  /** Connect as a client that has seen events up to this id (the server replays what came after). */
  lastEventId?: string;
}

interface Client {
  readonly connected: boolean;
  paused: boolean;
  /** The TCP stream under the WebSocket. */
  tcp(): TcpSocket | undefined;
  close(): void;
}

/** Resolves true once the socket is connected (and has its replay, if asked), false on timeout. */
type Opened = { client: Client; ready: Promise<boolean> };

const BODY_STAMP = 'rt-bench ';
const CREATED_AT = '"createdAt":"';

/** A socket.io v5 client over engine.io v4 on one WebSocket: just what the bench needs, nothing more. */
class LeanClient implements Client {
  private ws?: WebSocket;
  private closed = false;
  private connectedOnce = false;
  private lastEventId: string | undefined;
  connected = false;
  paused = false;
  private readonly eventPrefix: string;
  /** Several events in one packet (the API batches what it publishes together). */
  private readonly batchPrefix: string;
  private readonly nsPrefix: string;
  private onReady?: (ok: boolean) => void;

  constructor(private readonly opts: ConnectCmd) {
    this.lastEventId = opts.lastEventId;
    this.nsPrefix = opts.namespace === '/' ? '' : `${opts.namespace},`;
    this.eventPrefix = `42${this.nsPrefix}["${opts.event}",`;
    this.batchPrefix = `42${this.nsPrefix}["events",`;
  }

  open(): Promise<boolean> {
    const ready = new Promise<boolean>((resolve) => (this.onReady = resolve));
    this.dial();
    return ready;
  }

  private ready(ok: boolean): void {
    const r = this.onReady;
    this.onReady = undefined;
    r?.(ok);
  }

  private dial(): void {
    const url = `${this.opts.url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`;
    const ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: this.opts.timeoutMs });
    this.ws = ws;
    ws.on('message', (data: Buffer) => this.onFrame(data.toString()));
    ws.on('error', (err) => {
      counters.connectErrors++;
      lastError = err.message;
    });
    ws.on('close', () => {
      if (this.connected) counters.disconnects++;
      this.connected = false;
      this.paused = false;
      if (this.ws === ws && !this.closed) setTimeout(() => !this.closed && this.dial(), 1000 + Math.random() * 4000);
    });
  }

  private onFrame(s: string): void {
    if (s.startsWith(this.eventPrefix)) {
      // The hot path: stamps straight from the text (the event id is the payload's first "id").
      const c = s.lastIndexOf(CREATED_AT);
      const createdAt = c < 0 ? 0 : Date.parse(s.substr(c + CREATED_AT.length, 24));
      const b = s.indexOf(BODY_STAMP);
      const sentAt = b < 0 ? 0 : parseFloat(s.substr(b + BODY_STAMP.length, 20));
      const i = s.indexOf('"id":"');
      if (i >= 0) this.lastEventId = s.slice(i + 6, s.indexOf('"', i + 6));
      record(createdAt, sentAt);
      return;
    }
    if (s.startsWith(this.batchPrefix)) {
      const [, events] = JSON.parse(s.slice(2 + this.nsPrefix.length)) as [string, BenchEvent[]];
      for (const e of events) if (e?.type === this.opts.event) recordEvent(e, (id) => (this.lastEventId = id));
      return;
    }
    const ws = this.ws!;
    switch (s[0]) {
      case '0': // engine.io open: connect to the namespace, with the token and the last event id
        ws.send(`40${this.nsPrefix}${JSON.stringify({ token: this.opts.token, lastEventId: this.lastEventId })}`);
        return;
      case '2': // ping
        ws.send('3');
        return;
      case '4':
        break;
      default:
        return;
    }
    const body = s.slice(2 + this.nsPrefix.length);
    switch (s[1]) {
      case '0': // CONNECT ack
        this.connected = true;
        if (this.connectedOnce) counters.reconnects++;
        this.connectedOnce = true;
        if (this.opts.readyEvent === 'connect') this.ready(true);
        return;
      case '1': // server disconnected the namespace: reconnect
        ws.close();
        return;
      case '4': // CONNECT_ERROR
        counters.connectErrors++;
        lastError = body;
        ws.close();
        return;
      case '2': {
        const [name, payload] = JSON.parse(body) as [string, { events?: Array<{ id: string }> }];
        if (name === 'replay') {
          counters.replays++;
          counters.replayBytes += s.length;
          const events = payload?.events ?? [];
          counters.replayedEvents += events.length;
          if (events.length) this.lastEventId = events[events.length - 1].id;
          if (this.opts.readyEvent === 'replay') this.ready(true);
        }
        return;
      }
    }
  }

  tcp(): TcpSocket | undefined {
    return (this.ws as unknown as { _socket?: TcpSocket })?._socket;
  }

  close(): void {
    this.closed = true;
    this.connected = false;
    this.ready(false);
    this.ws?.terminate();
  }
}

interface BenchEvent {
  id?: string;
  type?: string;
  createdAt?: string;
  data?: { message?: { body?: string } };
}

/** Records one received event: its commit and send stamps, and its id as the last seen. */
function recordEvent(p: BenchEvent, seen: (id: string) => void): void {
  if (p?.id) seen(p.id);
  const body = p?.data?.message?.body ?? '';
  const b = body.indexOf(BODY_STAMP);
  record(p?.createdAt ? Date.parse(p.createdAt) : 0, b < 0 ? 0 : parseFloat(body.substr(b + BODY_STAMP.length, 20)));
}

/** socket.io-client 4, websocket transport only, one Manager (connection) per socket. */
class SocketIoClient implements Client {
  private socket?: Socket;
  private lastEventId: string | undefined;
  paused = false;
  constructor(private readonly opts: ConnectCmd) {
    this.lastEventId = opts.lastEventId;
  }

  get connected(): boolean {
    return !!this.socket?.connected;
  }

  open(): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = io(this.opts.url + this.opts.namespace, {
        transports: ['websocket'],
        forceNew: true,
        reconnection: true,
        reconnectionDelay: 1000,
        reconnectionDelayMax: 5000,
        timeout: this.opts.timeoutMs,
        auth: (cb) => cb({ token: this.opts.token, lastEventId: this.lastEventId }),
      });
      this.socket = socket;
      let connectedOnce = false;
      socket.on('connect', () => {
        if (connectedOnce) counters.reconnects++;
        connectedOnce = true;
        if (this.opts.readyEvent === 'connect') resolve(true);
      });
      socket.on('replay', (payload: { events?: Array<{ id: string }> }) => {
        counters.replays++;
        counters.replayBytes += JSON.stringify(payload).length;
        const events = payload?.events ?? [];
        counters.replayedEvents += events.length;
        if (events.length) this.lastEventId = events[events.length - 1].id;
        if (this.opts.readyEvent === 'replay') resolve(true);
      });
      socket.on('connect_error', (err: Error & { data?: unknown }) => {
        counters.connectErrors++;
        lastError = `${err.message}${err.data ? ` ${JSON.stringify(err.data)}` : ''}`;
      });
      socket.on('disconnect', () => {
        counters.disconnects++;
        this.paused = false;
      });
      socket.on(this.opts.event, (p: BenchEvent) => recordEvent(p, (id) => (this.lastEventId = id)));
      socket.on('events', (events: BenchEvent[]) => {
        for (const e of events) if (e?.type === this.opts.event) recordEvent(e, (id) => (this.lastEventId = id));
      });
    });
  }

  tcp(): TcpSocket | undefined {
    return (this.socket?.io.engine as any)?.transport?.ws?._socket;
  }

  close(): void {
    this.socket?.close();
  }
}

const clients: Client[] = [];

async function connect(opts: ConnectCmd): Promise<{ ok: number; failed: number }> {
  let ok = 0;
  let failed = 0;
  let next = 0;
  const openOne = (): Opened => {
    const client = opts.kind === 'socket.io' ? new SocketIoClient(opts) : new LeanClient(opts);
    clients.push(client);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), opts.timeoutMs)));
    return { client, ready: Promise.race([client.open(), timeout]).finally(() => clearTimeout(timer)) };
  };
  const worker = async () => {
    // Give up early when nothing connects at all (wrong URL, refused token): no point waiting out every socket.
    while (next < opts.count && !(failed >= 20 && ok === 0)) {
      next++;
      if (await openOne().ready) ok++;
      else failed++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency, opts.count) }, worker));
  return { ok, failed };
}

/* ------------------------------------------------------------------ slow clients */

let pausedNow = false;
let repause: NodeJS.Timeout | undefined;

function setPaused(paused: boolean): number {
  pausedNow = paused;
  let n = 0;
  for (const c of clients) {
    const s = c.tcp();
    if (!s || !c.connected) continue;
    if (paused) s.pause();
    else s.resume();
    c.paused = paused;
    n++;
  }
  clearInterval(repause);
  // ws resumes its socket itself after its receiver drains: keep the paused ones paused.
  if (paused)
    repause = setInterval(() => {
      for (const c of clients) if (c.paused) c.tcp()?.pause();
    }, 100);
  return n;
}

/* ------------------------------------------------------------------ IPC */

const send = (msg: unknown) => process.send?.(msg);

process.on('message', async (msg: { cmd: string; id?: number; keep?: number } & Partial<Omit<ConnectCmd, 'cmd'>>) => {
  switch (msg.cmd) {
    case 'connect': {
      lastError = '';
      const r = await connect(msg as ConnectCmd);
      send({ type: 'connected', ...r, lastError });
      break;
    }
    case 'mark': {
      const w = win;
      win = newWindow();
      send({
        type: 'mark',
        id: msg.id,
        received: w.received,
        windowMs: win.started - w.started,
        commit: w.commit.sparse(),
        commitMax: w.commit.max,
        send: w.send.sparse(),
        sendMax: w.send.max,
        connected: clients.filter((c) => c.connected).length,
        ...counters,
        paused: pausedNow,
      });
      break;
    }
    case 'pause':
      send({ type: 'paused', sockets: setPaused(true) });
      break;
    case 'resume':
      send({ type: 'resumed', sockets: setPaused(false) });
      break;
    case 'trim': {
      for (const c of clients.splice(msg.keep ?? 0)) c.close();
      send({ type: 'trimmed', sockets: clients.length });
      break;
    }
    case 'close':
      setPaused(false);
      for (const c of clients.splice(0)) c.close();
      Object.assign(counters, {
        disconnects: 0,
        reconnects: 0,
        connectErrors: 0,
        replays: 0,
        replayedEvents: 0,
        replayBytes: 0,
      });
      send({ type: 'closed' });
      break;
  }
});

// The parent went away (finished, crashed or interrupted): never linger.
process.on('disconnect', () => process.exit(0));
send({ type: 'ready', pid: process.pid });
