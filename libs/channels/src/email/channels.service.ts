import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { AppError, ErrorCode } from '@crewdesk/common';
import { Env } from '@crewdesk/config';
import { newApiKey, sha256 } from '@crewdesk/auth';
import { PG, pgCode, queryRows, TenantContext } from '@crewdesk/db';
import { REDIS, RedisKeys } from '@crewdesk/queue';
import { isReplyLocalPart, parseReplyAddress } from './reply-address';
import { SecretBox } from './secrets';

export interface ImapSettings {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  password?: string;
  mailbox?: string;
}

export interface EmailChannelInput {
  address: string;
  name?: string;
  /** Acknowledge new tickets from people (on by default). */
  acknowledge?: boolean;
  imap?: ImapSettings | null;
}

/** How the worker last found a polled IMAP mailbox, as it reported it (kept for IMAP_STATUS_TTL_SECONDS). */
export interface ImapStatus {
  connected: boolean;
  lastPollAt: string | null;
  /** Why the last attempt failed (`Authentication failed`, a refused connection), never a password. */
  lastError: string | null;
  /** When the worker reported this. */
  at: string;
}

/** A report older than this is gone: no worker polls the mailbox (none running, or the channel disabled). */
export const IMAP_STATUS_TTL_SECONDS = 15 * 60;

export function imapStatusKey(keys: RedisKeys, channelId: string): string {
  return keys.key('imap', 'status', channelId);
}

export interface ChannelView {
  id: string;
  type: 'email';
  name: string;
  address: string;
  acknowledge: boolean;
  imap: Omit<ImapSettings, 'password'> | null;
  /** For a mailbox with IMAP: the worker's last report, or null when no worker has polled it lately. */
  imapStatus?: ImapStatus | null;
  enabled: boolean;
  createdAt: string;
}

/* eslint-disable @typescript-eslint/no-explicit-any */
type Row = Record<string, any>;

export interface Recipient {
  tenantId: string;
  channelId: string;
  address: string;
  /** A signed staff reply address rather than the mailbox itself. */
  reply: boolean;
}

/** How long the lookups of mail intake (recipient, own addresses, mailbox) are reused: edits elsewhere take this long. */
export const CHANNEL_CACHE_MS = 3_000;

/** A mailbox as the mails sent from it need it. */
export interface Mailbox {
  id: string;
  address: string;
  name: string;
  acknowledge: boolean;
  /** The workspace's name, the sender name of its mail (a rename reaches other processes within CHANNEL_CACHE_MS). */
  workspaceName: string;
}

/**
 * The intake's lookups, shared by every ChannelsService of the process (the API and the worker may run in one):
 * each mail asked PostgreSQL the same three questions about rarely changing rows. Any channel edit in this
 * process clears it at once; other processes see edits within CHANNEL_CACHE_MS. Misses are not kept, so a
 * mailbox created elsewhere receives mail as soon as it exists.
 */
const lookups = new Map<string, { at: number; value: Promise<unknown> }>();

function cached<T>(key: string, load: () => Promise<T>): Promise<T> {
  const now = Date.now();
  const hit = lookups.get(key);
  if (hit && hit.at > now - CHANNEL_CACHE_MS) return hit.value as Promise<T>;
  if (lookups.size >= 10_000) lookups.clear();
  const value = load();
  const entry = { at: now, value };
  lookups.set(key, entry);
  const drop = () => void (lookups.get(key) === entry && lookups.delete(key));
  value.then((v) => (v === null || v === undefined) && drop(), drop);
  return value;
}

/** Email mailboxes of the workspaces. Addresses are unique across workspaces; secrets are sealed at rest. */
@Injectable()
export class ChannelsService {
  private readonly box: SecretBox;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ctx: TenantContext,
    env: Env,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {
    this.box = new SecretBox(env.ENCRYPTION_KEY ?? env.JWT_SECRET);
    this.jwtSecret = env.JWT_SECRET;
  }

  /** Reply addresses are signed with it (see reply-address.ts). */
  private readonly jwtSecret: string;

  private view(r: Row): ChannelView {
    const imap = r.config?.imap ?? null;
    return {
      id: r.id,
      type: r.type,
      name: r.name,
      address: r.address,
      acknowledge: r.config?.acknowledge !== false,
      imap,
      enabled: r.enabled,
      createdAt: new Date(r.created_at).toISOString(),
    };
  }

  async create(input: EmailChannelInput): Promise<ChannelView & { inboundToken: string }> {
    const address = input.address.trim().toLowerCase();
    const token = newApiKey();
    const { config, secrets } = this.split(input);
    try {
      const [row] = await this.db.query(
        `INSERT INTO channels (tenant_id, type, name, address, config, secrets, inbound_token_hash)
         VALUES ($1, 'email', $2, $3, $4, $5, $6) RETURNING *`,
        [this.ctx.tenantId, input.name ?? address, address, JSON.stringify(config), secrets, sha256(token.key)],
      );
      lookups.clear();
      return { ...this.view(row), inboundToken: token.key };
    } catch (err) {
      if (pgCode(err) === PG.UNIQUE_VIOLATION) {
        throw new AppError(ErrorCode.CONFLICT, `The address ${address} is already used by a workspace`, {
          field: 'address',
        });
      }
      throw err;
    }
  }

  private split(input: Partial<EmailChannelInput>): { config: Row; secrets: string | null } {
    const { password, ...imap } = input.imap ?? ({} as ImapSettings);
    return {
      config: { acknowledge: input.acknowledge !== false, imap: input.imap ? { mailbox: 'INBOX', ...imap } : null },
      secrets: input.imap?.password ? this.box.seal({ imapPassword: password }) : null,
    };
  }

  async list(): Promise<ChannelView[]> {
    const rows = await this.db.query(`SELECT * FROM channels WHERE tenant_id = $1 ORDER BY created_at`, [
      this.ctx.tenantId,
    ]);
    return this.withImapStatus(rows.map((r: Row) => this.view(r)));
  }

  async get(id: string): Promise<ChannelView> {
    const [row] = await this.db.query(`SELECT * FROM channels WHERE tenant_id = $1 AND id = $2`, [
      this.ctx.tenantId,
      id,
    ]);
    if (!row) throw AppError.notFound('Channel');
    const [view] = await this.withImapStatus([this.view(row)]);
    return view;
  }

  /** Adds what the worker last reported of each IMAP mailbox (Redis down: the views without it). */
  private async withImapStatus(views: ChannelView[]): Promise<ChannelView[]> {
    const polled = views.filter((v) => v.imap);
    if (!polled.length) return views;
    const reports = await this.redis
      .mget(polled.map((v) => imapStatusKey(this.keys, v.id)))
      .catch(() => polled.map(() => null));
    polled.forEach((v, i) => {
      try {
        v.imapStatus = reports[i] ? (JSON.parse(reports[i]!) as ImapStatus) : null;
      } catch {
        v.imapStatus = null;
      }
    });
    return views;
  }

  async update(id: string, patch: Partial<EmailChannelInput> & { enabled?: boolean }): Promise<ChannelView> {
    const [current] = await this.db.query(`SELECT * FROM channels WHERE tenant_id = $1 AND id = $2`, [
      this.ctx.tenantId,
      id,
    ]);
    if (!current) throw AppError.notFound('Channel');
    const config = { ...current.config };
    if (patch.acknowledge !== undefined) config.acknowledge = patch.acknowledge;
    let secrets = current.secrets;
    if (patch.imap !== undefined) {
      const split = this.split({ imap: patch.imap });
      config.imap = split.config.imap;
      secrets = split.secrets ?? (patch.imap ? current.secrets : null);
    }
    const [row] = await queryRows(
      this.db,
      `UPDATE channels SET name = coalesce($3, name), config = $4, secrets = $5, enabled = coalesce($6, enabled), updated_at = now()
       WHERE tenant_id = $1 AND id = $2 RETURNING *`,
      [this.ctx.tenantId, id, patch.name ?? null, JSON.stringify(config), secrets, patch.enabled ?? null],
    );
    lookups.clear();
    return this.view(row);
  }

  async remove(id: string): Promise<void> {
    const rows = await queryRows(this.db, `DELETE FROM channels WHERE tenant_id = $1 AND id = $2 RETURNING id`, [
      this.ctx.tenantId,
      id,
    ]);
    lookups.clear();
    if (!rows.length) throw AppError.notFound('Channel');
  }

  /** Who receives mail for an address (SMTP RCPT): a mailbox, or a staff reply address on a mailbox's domain. Any tenant. */
  recipient(address: string): Promise<Recipient | null> {
    const normalized = address.trim().toLowerCase();
    return cached(`rcpt:${normalized}`, () => this.findRecipient(normalized));
  }

  private async findRecipient(normalized: string): Promise<Recipient | null> {
    const [mailbox] = await this.db.query(`SELECT id, tenant_id FROM channels WHERE address = $1 AND enabled`, [
      normalized,
    ]);
    if (mailbox) return { tenantId: mailbox.tenant_id, channelId: mailbox.id, address: normalized, reply: false };
    if (!isReplyLocalPart(normalized)) return null;
    // A staff reply address names its ticket (signed): the workspace is the ticket's, never merely the first one
    // with a mailbox on that domain (several workspaces may share a mail domain).
    const reply = parseReplyAddress(this.jwtSecret, normalized);
    if (!reply) return null;
    const domain = normalized.split('@')[1];
    const [sibling] = await this.db.query(
      `SELECT c.id, c.tenant_id FROM tickets t JOIN channels c ON c.tenant_id = t.tenant_id
       WHERE t.id = $1 AND c.address LIKE $2 AND c.enabled ORDER BY c.created_at LIMIT 1`,
      [reply.ticketId, `%@${domain.replace(/[\\%_]/g, (c) => `\\${c}`)}`],
    );
    return sibling ? { tenantId: sibling.tenant_id, channelId: sibling.id, address: normalized, reply: true } : null;
  }

  /** The channel of a raw-MIME webhook token. */
  async byInboundToken(
    channelId: string,
    token: string,
  ): Promise<{ tenantId: string; channelId: string; address: string } | null> {
    const [row] = await this.db.query(
      `SELECT id, tenant_id, address FROM channels WHERE id = $1 AND inbound_token_hash = $2 AND enabled`,
      [channelId, sha256(token)],
    );
    return row ? { tenantId: row.tenant_id, channelId: row.id, address: row.address } : null;
  }

  /** Every mailbox address of the workspace in context (mail from these never becomes a requester). */
  ownAddresses(): Promise<string[]> {
    const tenantId = this.ctx.tenantId;
    return cached(`own:${tenantId}`, async () => {
      const rows = await this.db.query(`SELECT address FROM channels WHERE tenant_id = $1 AND type = 'email'`, [
        tenantId,
      ]);
      return rows.map((r: Row) => r.address as string);
    });
  }

  mailbox(channelId: string | null): Promise<Mailbox | null> {
    const tenantId = this.ctx.tenantId;
    return cached(`mailbox:${tenantId}:${channelId}`, () => this.findMailbox(tenantId, channelId));
  }

  private async findMailbox(tenantId: string, channelId: string | null): Promise<Mailbox | null> {
    const [row] = await this.db.query(
      `SELECT c.*, tn.name AS workspace_name FROM channels c JOIN tenants tn ON tn.id = c.tenant_id
       WHERE c.tenant_id = $1 AND c.type = 'email' AND ($2::uuid IS NULL OR c.id = $2)
       ORDER BY (c.id = $2) DESC NULLS LAST, c.created_at LIMIT 1`,
      [tenantId, channelId],
    );
    return row
      ? {
          id: row.id,
          address: row.address,
          name: row.name,
          acknowledge: row.config?.acknowledge !== false,
          workspaceName: row.workspace_name,
        }
      : null;
  }

  /** IMAP accounts to poll, with their passwords unsealed (worker only). */
  async imapAccounts(): Promise<
    Array<{ channelId: string; tenantId: string; address: string; imap: ImapSettings; state: Row }>
  > {
    const rows: Row[] = await this.db.query(
      `SELECT * FROM channels WHERE type = 'email' AND enabled AND config->'imap' IS NOT NULL AND config->>'imap' <> 'null'`,
    );
    return rows.map((r) => ({
      channelId: r.id,
      tenantId: r.tenant_id,
      address: r.address,
      imap: {
        ...r.config.imap,
        password: r.secrets ? this.box.open<{ imapPassword?: string }>(r.secrets).imapPassword : undefined,
      },
      state: r.state ?? {},
    }));
  }

  async saveState(channelId: string, state: Row): Promise<void> {
    await this.db.query(`UPDATE channels SET state = $2 WHERE id = $1`, [channelId, JSON.stringify(state)]);
  }
}
