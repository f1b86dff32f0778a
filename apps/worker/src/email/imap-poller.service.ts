import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { createHash, randomUUID } from 'crypto';
import { ImapFlow } from 'imapflow';
import Redis from 'ioredis';
import {
  ChannelsService,
  EmailIngestService,
  IMAP_STATUS_TTL_SECONDS,
  ImapSettings,
  ImapStatus,
  imapStatusKey,
} from '@crewdesk/channels';
import { Env } from '@crewdesk/config';
import { REDIS, RedisKeys } from '@crewdesk/queue';
import { EmailInboundProcessor } from './email.processors';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Row = Record<string, any>;

export interface ImapAccount {
  channelId: string;
  tenantId: string;
  address: string;
  imap: ImapSettings;
  state: Row;
}

/** What the poller remembers per mailbox in `channels.state` (UIDVALIDITY is a 32-bit number kept as a string). */
export interface ImapState {
  uidValidity?: string;
  lastUid?: number;
}

/** What this worker knows of a mailbox: what it reports to the API (`ImapStatus`), and more. */
export interface ImapChannelStatus extends Omit<ImapStatus, 'at'> {
  channelId: string;
  tenantId: string;
  /** Another worker holds this mailbox (one poller per mailbox across workers). */
  elsewhere: boolean;
}

/** How often the list of IMAP mailboxes is re-read (new, changed, disabled channels). */
export const IMAP_ACCOUNTS_REFRESH_MS = 30_000;
/** One worker polls a mailbox at a time: a lease in Redis, renewed while it runs. */
const LEASE_MS = 60_000;
const LEASE_RENEW_MS = 15_000;
const BACKOFF_MIN_MS = 1_000;
const BACKOFF_MAX_MS = 5 * 60_000;
const LOGOUT_TIMEOUT_MS = 5_000;

const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/** The IMAP poll interval: `IMAP_POLL_SECONDS` (default 30), between IDLE notifications. */
export function imapPollMs(env: Env): number {
  const raw = (env as unknown as Row).IMAP_POLL_SECONDS ?? process.env.IMAP_POLL_SECONDS;
  const seconds = Number(raw);
  return Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) : 30_000;
}

/**
 * The envelope of a fetched mail, from the trace headers the delivering server put on top: the first
 * Return-Path (sender; `<>` is a bounce) and the first Delivered-To / X-Original-To (a staff reply address
 * delivered into the polled mailbox). The mailbox's own address is always a recipient.
 */
export function imapEnvelope(raw: Buffer, mailbox: string): { envelopeFrom: string | null; envelopeTo: string[] } {
  const crlf = raw.indexOf('\r\n\r\n');
  const end = crlf >= 0 ? crlf : raw.indexOf('\n\n');
  const head = raw
    .subarray(0, end >= 0 ? Math.min(end, 64 * 1024) : Math.min(raw.length, 64 * 1024))
    .toString('latin1')
    .replace(/\r?\n[ \t]+/g, ' ');
  const first = (name: string): string | null => {
    const m = head.match(new RegExp(`^${name}:[ \\t]*(.*)$`, 'im'));
    if (!m) return null;
    const angle = m[1].match(/<([^<>]*)>/);
    const address = (angle ? angle[1] : m[1]).trim().toLowerCase();
    return /^[^\s@<>]+@[^\s@<>]+$/.test(address) ? address.slice(0, 320) : null;
  };
  const to = new Set([mailbox.toLowerCase()]);
  for (const name of ['Delivered-To', 'X-Original-To']) {
    const address = first(name);
    if (address) to.add(address);
  }
  return { envelopeFrom: first('Return-Path'), envelopeTo: [...to] };
}

const settingsKey = (imap: ImapSettings) =>
  createHash('sha256')
    .update(
      JSON.stringify([imap.host, imap.port, imap.secure, imap.user, imap.password ?? '', imap.mailbox ?? 'INBOX']),
    )
    .digest('hex');

const reasonOf = (err: unknown): string => {
  const e = err as { message?: string; responseText?: string; code?: string; authenticationFailed?: boolean };
  if (e?.authenticationFailed) return 'authentication failed';
  return [e?.code, e?.responseText ?? e?.message].filter(Boolean).join(': ') || String(err);
};

/** One polled mailbox: a connection loop with its own reconnect backoff. */
class ImapSession {
  readonly key: string;
  client?: ImapFlow;
  state: ImapState;
  connected = false;
  elsewhere = false;
  lastPollAt: Date | null = null;
  lastError: string | null = null;
  leaseHeld = false;
  private stopped = false;
  /** Failures since the last good poll: the reconnect backoff. */
  private failures = 0;
  private woken = false;
  private wake?: () => void;
  private waiters: Array<{ resolve: (n: number) => void; reject: (err: Error) => void }> = [];
  private loop?: Promise<void>;
  private readonly lease: string;
  private readonly owner = randomUUID();

  constructor(
    readonly account: ImapAccount,
    private readonly poller: ImapPoller,
  ) {
    this.key = settingsKey(account.imap);
    this.state = {
      uidValidity: account.state?.uidValidity != null ? String(account.state.uidValidity) : undefined,
      lastUid: Number(account.state?.lastUid) || 0,
    };
    this.lease = poller.keys.key('imap', 'lease', account.channelId);
  }

  private get log() {
    return { channelId: this.account.channelId, tenantId: this.account.tenantId };
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Logs out, gives the mailbox back to other workers; waits for the loop to end. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.signal();
    // A connection attempt in progress is abandoned rather than waited for (up to connectionTimeout).
    if (this.client && !this.connected) this.client.close();
    this.rejectWaiters(new Error('IMAP poller stopped'));
    await this.loop;
    // Nobody polls it now (the worker stops, or the mailbox was disabled or changed): no report beats a stale one.
    if (this.reported) await this.poller.redis.del(this.statusKey).catch(() => undefined);
  }

  /** Polls now (or as soon as connected); resolves with the number of mails stored. */
  pollNow(): Promise<number> {
    if (this.stopped) return Promise.reject(new Error('IMAP poller stopped'));
    const done = new Promise<number>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.signal();
    return done;
  }

  private signal(): void {
    this.woken = true;
    this.wake?.();
  }

  /** Sleeps until `ms` pass, new mail is announced, a poll is asked for, the connection drops, or stop. */
  private async sleep(ms: number): Promise<void> {
    if (this.woken || this.stopped) {
      this.woken = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      timer.unref();
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = undefined;
    this.woken = false;
  }

  private rejectWaiters(err: Error): void {
    for (const w of this.waiters.splice(0)) w.reject(err);
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let delay = this.poller.pollMs;
      try {
        if (!(await this.acquireLease())) {
          this.elsewhere = true;
          this.rejectWaiters(new Error('This mailbox is polled by another worker'));
        } else {
          this.elsewhere = false;
          await this.connect();
          await this.watch();
        }
      } catch (err) {
        this.failures++;
        this.lastError = reasonOf(err);
        delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** Math.min(this.failures - 1, 20));
        delay = Math.round(delay * (0.8 + Math.random() * 0.4));
        this.rejectWaiters(new Error(`IMAP poll failed: ${this.lastError}`));
        await this.report();
        if (!this.stopped)
          this.poller.logger.warn(
            { ...this.log, reason: this.lastError, retryInMs: delay },
            'IMAP mailbox unavailable',
          );
      }
      await this.disconnect();
      if (this.stopped) break;
      await this.sleep(delay);
    }
    await this.releaseLease();
  }

  private async connect(): Promise<void> {
    const { imap } = this.account;
    const client = new ImapFlow({
      host: imap.host,
      port: imap.port,
      secure: imap.secure,
      auth: { user: imap.user, pass: imap.password ?? '' },
      logger: false,
      disableAutoIdle: true,
      connectionTimeout: 30_000,
      greetingTimeout: 16_000,
      socketTimeout: Math.max(5 * 60_000, this.poller.pollMs * 2),
      // Servers drop an IDLE after 30 minutes; imapflow re-issues it sooner when the poll interval is longer.
      maxIdleTime: 25 * 60_000,
      clientInfo: { name: 'Crewdesk' },
    });
    // An unhandled 'error' event would crash the worker; the loop sees the drop through `usable`.
    client.on('error', (err) => {
      this.lastError = reasonOf(err);
      this.signal();
    });
    client.on('close', () => this.signal());
    client.on('exists', (e: { count: number; prevCount: number }) => {
      if (e.count > e.prevCount) this.signal();
    });
    this.client = client;
    await client.connect();
    // Read-only (EXAMINE): the poller never changes the mailbox, flags included; UIDs track what was taken.
    await client.mailboxOpen(imap.mailbox || 'INBOX', { readOnly: true });
    this.connected = true;
    this.lastError = null;
    await this.report();
    this.poller.logger.log({ ...this.log, mailbox: imap.mailbox || 'INBOX' }, 'IMAP mailbox connected');
  }

  /** Poll, then IDLE (or wait) until new mail, a poll request, the poll interval, or a dropped connection. */
  private async watch(): Promise<void> {
    const client = this.client!;
    while (!this.stopped) {
      if (!(await this.renewLease())) throw new Error('lost the mailbox lease to another worker');
      const waiters = this.waiters.splice(0);
      this.woken = false;
      let stored: number;
      try {
        stored = await this.sync(client);
      } catch (err) {
        for (const w of waiters) w.reject(err);
        throw err;
      }
      this.lastPollAt = new Date();
      this.failures = 0;
      await this.report();
      for (const w of waiters) w.resolve(stored);
      if (this.stopped) return;
      if (!client.usable) throw new Error(this.lastError ?? 'connection closed');
      // IDLE ends by itself when the next command (the next poll's FETCH, or LOGOUT) is sent. Servers without
      // IDLE get imapflow's NOOP fallback; the poll interval covers both.
      client.idle().catch(() => undefined);
      await this.sleep(this.poller.pollMs);
      if (!client.usable) throw new Error(this.lastError ?? 'connection closed');
    }
  }

  /** Stores every message above the last stored UID, oldest first, saving the state after each one. */
  private async sync(client: ImapFlow): Promise<number> {
    await client.noop();
    const mailbox = client.mailbox;
    if (!mailbox) throw new Error('mailbox is not open');
    const uidValidity = String(mailbox.uidValidity);
    if (this.state.uidValidity !== uidValidity) {
      if (this.state.uidValidity)
        this.poller.logger.warn(
          { ...this.log, from: this.state.uidValidity, to: uidValidity },
          'IMAP UIDVALIDITY changed: reading the mailbox again (known Message-IDs are ignored)',
        );
      this.state = { uidValidity, lastUid: 0 };
      await this.save();
    }
    if (!mailbox.exists) return 0;
    const from = (this.state.lastUid ?? 0) + 1;
    // `n:*` always includes the newest message, even below n: keep only UIDs above the last stored one.
    const listed = await client.fetchAll(`${from}:*`, { uid: true, size: true }, { uid: true });
    const pending = listed.filter((m) => m.uid >= from).sort((a, b) => a.uid - b.uid);
    let stored = 0;
    for (const meta of pending) {
      if (this.stopped) break;
      if (meta.size && meta.size > this.poller.env.MAX_EMAIL_BYTES) {
        this.poller.logger.warn(
          { ...this.log, uid: meta.uid, size: meta.size, limit: this.poller.env.MAX_EMAIL_BYTES },
          'IMAP message larger than MAX_EMAIL_BYTES skipped',
        );
      } else {
        const message = await client.fetchOne(String(meta.uid), { uid: true, source: true }, { uid: true });
        // Gone between the listing and the fetch (expunged by someone else): nothing to store.
        if (message && message.source) {
          const raw = Buffer.isBuffer(message.source) ? message.source : Buffer.from(message.source);
          await this.poller.accept(this.account, raw);
          stored++;
        }
      }
      this.state = { ...this.state, uidValidity, lastUid: meta.uid };
      await this.save();
    }
    return stored;
  }

  private save(): Promise<void> {
    return this.poller.channels.saveState(this.account.channelId, { ...this.account.state, ...this.state });
  }

  private async disconnect(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.connected = false;
    if (!client) return;
    if (client.usable) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        client.logout().catch(() => undefined),
        new Promise((resolve) => (timer = setTimeout(resolve, LOGOUT_TIMEOUT_MS))),
      ]);
      clearTimeout(timer);
    }
    client.close();
    client.removeAllListeners();
    client.on('error', () => undefined);
  }

  private async acquireLease(): Promise<boolean> {
    if (this.leaseHeld) return this.renewLease();
    const ok = await this.poller.redis.set(this.lease, this.owner, 'PX', LEASE_MS, 'NX');
    this.leaseHeld = ok === 'OK';
    return this.leaseHeld;
  }

  async renewLease(): Promise<boolean> {
    if (!this.leaseHeld) return false;
    const ok = await this.poller.redis.eval(RENEW, 1, this.lease, this.owner, String(LEASE_MS));
    this.leaseHeld = ok === 1;
    if (!this.leaseHeld) this.signal();
    return this.leaseHeld;
  }

  private async releaseLease(): Promise<void> {
    if (!this.leaseHeld) return;
    this.leaseHeld = false;
    await this.poller.redis.eval(RELEASE, 1, this.lease, this.owner).catch(() => undefined);
  }

  /**
   * Tells the API how this mailbox fares (`GET /channels`), for the admin who set it up: the worker's logs are not
   * theirs to read. Best effort: a report that cannot be written is simply older.
   */
  private async report(): Promise<void> {
    const { connected, lastPollAt, lastError } = this.status();
    const report: ImapStatus = { connected, lastPollAt, lastError, at: new Date().toISOString() };
    this.reported = true;
    await this.poller.redis
      .set(
        this.statusKey,
        JSON.stringify(report),
        'EX',
        // Reports come with every poll: it outlives a few poll intervals however long they are.
        Math.max(IMAP_STATUS_TTL_SECONDS, Math.ceil((3 * this.poller.pollMs) / 1000)),
      )
      .catch(() => undefined);
  }

  /** Written only by the worker that polls the mailbox (the others would report "elsewhere" over it). */
  private reported = false;
  private get statusKey(): string {
    return imapStatusKey(this.poller.keys, this.account.channelId);
  }

  status(): ImapChannelStatus {
    return {
      channelId: this.account.channelId,
      tenantId: this.account.tenantId,
      connected: this.connected,
      elsewhere: this.elsewhere,
      lastPollAt: this.lastPollAt?.toISOString() ?? null,
      lastError: this.lastError,
    };
  }
}

/**
 * IMAP polling of the workspaces' existing mailboxes: every message above the last stored UID goes through the
 * one ingest path (raw bytes stored, then parsed in the queue), and the UID is saved after each one, so a restart
 * fetches nothing twice (at most the one message in flight at a crash, which the Message-ID check then ignores).
 * New mail is noticed through IDLE, and by a poll every IMAP_POLL_SECONDS. The mailbox is opened read-only:
 * nothing is deleted, moved or flagged. One worker polls a mailbox at a time (a Redis lease).
 */
@Injectable()
export class ImapPoller implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  readonly logger = new Logger(ImapPoller.name);
  readonly pollMs: number;
  running = false;
  private readonly sessions = new Map<string, ImapSession>();
  private refreshTimer?: NodeJS.Timeout;
  private renewTimer?: NodeJS.Timeout;
  private refreshing?: Promise<void>;

  constructor(
    readonly env: Env,
    readonly channels: ChannelsService,
    private readonly ingest: EmailIngestService,
    private readonly inbound: EmailInboundProcessor,
    @Inject(REDIS) readonly redis: Redis,
    readonly keys: RedisKeys,
  ) {
    this.pollMs = imapPollMs(env);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.refresh().catch((err) => this.logger.warn({ err }, 'Could not read the IMAP mailboxes'));
    this.refreshTimer = setInterval(
      () => void this.refresh().catch((err) => this.logger.warn({ err }, 'Could not read the IMAP mailboxes')),
      IMAP_ACCOUNTS_REFRESH_MS,
    );
    this.renewTimer = setInterval(() => {
      for (const s of this.sessions.values())
        if (s.leaseHeld) s.renewLease().catch((err) => this.logger.warn({ err }, 'IMAP lease renewal failed'));
    }, LEASE_RENEW_MS);
    this.refreshTimer.unref();
    this.renewTimer.unref();
  }

  /** Before the database and Redis close (their modules end in onApplicationShutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearInterval(this.refreshTimer);
    clearInterval(this.renewTimer);
    await this.refreshing?.catch(() => undefined);
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(sessions.map((s) => s.stop()));
  }

  /** Re-reads the mailboxes: starts new ones, restarts changed ones, stops removed or disabled ones. */
  refresh(): Promise<void> {
    this.refreshing ??= this.doRefresh().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async doRefresh(): Promise<void> {
    const accounts = (await this.channels.imapAccounts()) as ImapAccount[];
    if (!this.running) return;
    const seen = new Set<string>();
    for (const account of accounts) {
      if (!account.imap?.host || !account.imap.port || !account.imap.user) continue;
      seen.add(account.channelId);
      const current = this.sessions.get(account.channelId);
      if (current && current.key === settingsKey(account.imap)) continue;
      if (current) {
        this.sessions.delete(account.channelId);
        await current.stop();
      }
      // The database's state is the truth on a new session (a previous session saved as it went).
      const session = new ImapSession(account, this);
      this.sessions.set(account.channelId, session);
      session.start();
    }
    for (const [channelId, session] of this.sessions) {
      if (seen.has(channelId)) continue;
      this.sessions.delete(channelId);
      await session.stop();
    }
  }

  /**
   * Polls one mailbox (or every one) now, re-reading the mailbox list first; resolves with the number of mails
   * stored, and rejects when a mailbox cannot be polled (unreachable, wrong password, held by another worker).
   */
  async pollOnce(channelId?: string): Promise<number> {
    if (!this.running) throw new Error('The IMAP poller is not running');
    await this.refresh();
    const sessions = channelId
      ? [this.sessions.get(channelId)].filter((s): s is ImapSession => !!s)
      : [...this.sessions.values()];
    if (channelId && !sessions.length) throw new Error(`No IMAP mailbox to poll for channel ${channelId}`);
    const counts = await Promise.all(sessions.map((s) => s.pollNow()));
    return counts.reduce((a, b) => a + b, 0);
  }

  status(): ImapChannelStatus[] {
    return [...this.sessions.values()].map((s) => s.status());
  }

  /** Stores one fetched mail (committed before its UID is saved), then hands it to this process's line. */
  async accept(account: ImapAccount, raw: Buffer): Promise<string> {
    const { envelopeFrom, envelopeTo } = imapEnvelope(raw, account.address);
    const id = await this.ingest.store({
      tenantId: account.tenantId,
      channelId: account.channelId,
      source: 'imap',
      envelopeFrom,
      envelopeTo,
      raw,
    });
    // Processed in the order fetched; one that neither this process nor the queue takes, the reconciler queues.
    await this.inbound.processSoon({ tenantId: account.tenantId, inboundId: id }, raw.length);
    return id;
  }
}
