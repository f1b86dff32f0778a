import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import type { PresencePayload, PresenceStatus, ViewerPayload } from '@crewdesk/realtime-client';
import { REDIS, RedisKeys } from '@crewdesk/queue';

/** A socket counts as present this long after its last heartbeat (a crashed process's sockets fade out). */
export const PRESENCE_TTL_MS = 60_000;

/**
 * Presence and viewers in Redis, shared by every API process. Each socket is a member
 * `userId|socketId` of a sorted set scored by its expiry, so several tabs count as one person.
 */
@Injectable()
export class PresenceService {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  private sockets = (t: string) => this.keys.key('rt', 'presence', t);
  private tenants = () => this.keys.key('rt', 'presence-tenants');
  private statuses = (t: string) => this.keys.key('rt', 'status', t);
  private names = (t: string) => this.keys.key('rt', 'names', t);
  private viewers = (t: string, ticketId: string) => this.keys.key('rt', 'viewers', t, ticketId);

  /** Registers a socket; returns the person's presence if they just came online. */
  async connect(t: string, userId: string, socketId: string, name: string | null): Promise<PresencePayload | null> {
    const now = Date.now();
    const before = await this.liveSockets(t, userId, now);
    await this.redis
      .multi()
      .zadd(this.sockets(t), now + PRESENCE_TTL_MS, `${userId}|${socketId}`)
      .hset(this.names(t), userId, name ?? '')
      .sadd(this.tenants(), t)
      .exec();
    if (before > 0) return null;
    const status = ((await this.redis.hget(this.statuses(t), userId)) as PresenceStatus | null) ?? 'online';
    return { userId, name, status };
  }

  /** Removes a socket; returns `offline` if it was the person's last one. */
  async disconnect(t: string, userId: string, socketId: string, name: string | null): Promise<PresencePayload | null> {
    await this.redis.zrem(this.sockets(t), `${userId}|${socketId}`);
    if ((await this.liveSockets(t, userId, Date.now())) > 0) return null;
    return { userId, name, status: 'offline' };
  }

  async setStatus(t: string, userId: string, status: 'online' | 'away', name: string | null): Promise<PresencePayload> {
    await this.redis.hset(this.statuses(t), userId, status);
    return { userId, name, status };
  }

  /** Extends the life of this process's sockets (called on an interval). */
  async heartbeat(members: Array<{ tenantId: string; member: string }>): Promise<void> {
    if (!members.length) return;
    const until = Date.now() + PRESENCE_TTL_MS;
    const pipeline = this.redis.pipeline();
    for (const m of members) pipeline.zadd(this.sockets(m.tenantId), 'XX', until, m.member);
    await pipeline.exec();
  }

  /**
   * Removes sockets whose heartbeat stopped (their process died) and returns who went offline, per tenant.
   * Any process may run it; a repeated `offline` is harmless.
   */
  async expire(): Promise<Array<{ tenantId: string; presence: PresencePayload }>> {
    const now = Date.now();
    const out: Array<{ tenantId: string; presence: PresencePayload }> = [];
    for (const t of await this.redis.smembers(this.tenants())) {
      const dead = await this.redis.zrangebyscore(this.sockets(t), '-inf', now);
      if (!dead.length) {
        if ((await this.redis.zcard(this.sockets(t))) === 0) await this.redis.srem(this.tenants(), t);
        continue;
      }
      await this.redis.zrem(this.sockets(t), ...dead);
      for (const userId of new Set(dead.map((m) => m.split('|')[0]))) {
        if ((await this.liveSockets(t, userId, now)) > 0) continue;
        const name = await this.redis.hget(this.names(t), userId);
        out.push({ tenantId: t, presence: { userId, name: name || null, status: 'offline' } });
      }
    }
    return out;
  }

  async list(t: string): Promise<PresencePayload[]> {
    const members = await this.redis.zrangebyscore(this.sockets(t), Date.now(), '+inf');
    const users = [...new Set(members.map((m) => m.split('|')[0]))];
    if (!users.length) return [];
    const [statuses, names] = await Promise.all([
      this.redis.hmget(this.statuses(t), ...users),
      this.redis.hmget(this.names(t), ...users),
    ]);
    return users.map((userId, i) => ({
      userId,
      name: names[i] || null,
      status: (statuses[i] as PresenceStatus) ?? 'online',
    }));
  }

  /** Who can take work now: an open console and a status other than `away` (routing's presence reader). */
  async online(t: string): Promise<Set<string>> {
    return new Set((await this.list(t)).filter((p) => p.status !== 'away').map((p) => p.userId));
  }

  private async liveSockets(t: string, userId: string, now: number): Promise<number> {
    const members = await this.redis.zrangebyscore(this.sockets(t), now, '+inf');
    return members.filter((m) => m.startsWith(`${userId}|`)).length;
  }

  async view(
    t: string,
    ticketId: string,
    userId: string,
    socketId: string,
    name: string | null,
    replying: boolean,
  ): Promise<ViewerPayload[]> {
    await this.redis.hset(this.viewers(t, ticketId), `${userId}|${socketId}`, JSON.stringify({ name, replying }));
    await this.redis.expire(this.viewers(t, ticketId), 24 * 3600);
    return this.viewerList(t, ticketId);
  }

  async leave(t: string, ticketId: string, userId: string, socketId: string): Promise<ViewerPayload[]> {
    await this.redis.hdel(this.viewers(t, ticketId), `${userId}|${socketId}`);
    return this.viewerList(t, ticketId);
  }

  /**
   * Who has each of several tickets open, as distinct person ids (the lists' eye icon): one round trip for the
   * viewer hashes and one for their sockets' liveness. Dead sockets are skipped here and cleaned by `viewerList`.
   */
  async viewerIds(t: string, ticketIds: string[]): Promise<Record<string, string[]>> {
    const out: Record<string, string[]> = {};
    if (!ticketIds.length) return out;
    const pipeline = this.redis.pipeline();
    for (const id of ticketIds) pipeline.hkeys(this.viewers(t, id));
    const fields = ((await pipeline.exec()) ?? []).map(([, v]) => (Array.isArray(v) ? (v as string[]) : []));
    const all = [...new Set(fields.flat())];
    const scores = all.length ? await this.redis.zmscore(this.sockets(t), ...all) : [];
    const now = Date.now();
    const live = new Set(all.filter((_, i) => scores[i] && Number(scores[i]) >= now));
    ticketIds.forEach((id, i) => {
      out[id] = [...new Set(fields[i].filter((f) => live.has(f)).map((f) => f.split('|')[0]))];
    });
    return out;
  }

  /** Who has the ticket open, one entry per person (replying if any of their tabs is). Dead sockets drop out. */
  async viewerList(t: string, ticketId: string): Promise<ViewerPayload[]> {
    const entries = await this.redis.hgetall(this.viewers(t, ticketId));
    const fields = Object.keys(entries);
    if (!fields.length) return [];
    const scores = await this.redis.zmscore(this.sockets(t), ...fields);
    const now = Date.now();
    const people = new Map<string, ViewerPayload>();
    const dead: string[] = [];
    fields.forEach((field, i) => {
      if (!scores[i] || Number(scores[i]) < now) return void dead.push(field);
      const userId = field.split('|')[0];
      const v = JSON.parse(entries[field]) as { name: string | null; replying: boolean };
      const prev = people.get(userId);
      people.set(userId, { userId, name: v.name, replying: (prev?.replying ?? false) || v.replying });
    });
    if (dead.length) await this.redis.hdel(this.viewers(t, ticketId), ...dead);
    return [...people.values()];
  }
}
