import { Inject, Injectable, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { decodeCursor, encodeCursor, Page } from '@crewdesk/common';
import { queryRows, TenantContext } from '@crewdesk/db';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Row = Record<string, any>;

export const NOTIFICATION_TYPES = [
  'assigned',
  'mentioned',
  'escalated',
  'escalation_acknowledged',
  'escalation_answered',
  'handoff_breached',
  'new_message',
  'followed_update',
  'tag_match',
  'sla_warning',
  'sla_breached',
  'backlog',
  'review_requested',
  'review_decided',
  'digest',
] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

export interface NotificationView {
  id: string;
  type: NotificationType;
  ticketId: string | null;
  data: Record<string, unknown>;
  readAt: string | null;
  createdAt: string;
}

export interface NewNotification {
  userId: string;
  type: NotificationType;
  ticketId?: string | null;
  /** Unique per person: the same cause never notifies twice (`<eventId>:mentioned`, `backlog:<team>:<hour>`). */
  dedupeKey: string;
  data?: Record<string, unknown>;
}

/** How new notifications reach the person's open consoles (the apps wire sockets in; none in tests of the lib). */
export interface NotificationSink {
  deliver(tenantId: string, userId: string, notification: NotificationView): void;
}
export const NOTIFICATION_SINK = Symbol('NOTIFICATION_SINK');

const view = (r: Row): NotificationView => ({
  id: r.id,
  type: r.type,
  ticketId: r.ticket_id,
  data: r.data ?? {},
  readAt: r.read_at ? new Date(r.read_at).toISOString() : null,
  createdAt: new Date(r.created_at).toISOString(),
});

/** The in-app bell: one row per person and cause (deduplicated), delivered live when it is new. */
@Injectable()
export class NotificationsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ctx: TenantContext,
    @Optional() @Inject(NOTIFICATION_SINK) private readonly sink?: NotificationSink,
  ) {}

  /** Writes what is new (a repeated cause is a no-op) and delivers it; returns the new ones. */
  async notify(items: NewNotification[]): Promise<NotificationView[]> {
    if (!items.length) return [];
    const t = this.ctx.tenantId;
    const rows: Row[] = await this.db.query(
      `INSERT INTO notifications (tenant_id, user_id, type, ticket_id, dedupe_key, data)
       SELECT $1, x.user_id, x.type, x.ticket_id, x.dedupe_key, x.data
       FROM jsonb_to_recordset($2::jsonb) AS x(user_id uuid, type text, ticket_id uuid, dedupe_key text, data jsonb)
       -- Only active people of this workspace.
       WHERE EXISTS (SELECT 1 FROM users u WHERE u.tenant_id = $1 AND u.id = x.user_id AND u.status = 'active')
       ON CONFLICT (tenant_id, user_id, dedupe_key) DO NOTHING
       RETURNING *`,
      [
        t,
        JSON.stringify(
          items.map((i) => ({
            user_id: i.userId,
            type: i.type,
            ticket_id: i.ticketId ?? null,
            dedupe_key: i.dedupeKey,
            data: i.data ?? {},
          })),
        ),
      ],
    );
    const out = rows.map(view);
    rows.forEach((r, i) => this.sink?.deliver(t, r.user_id, out[i]));
    return out;
  }

  async list(
    userId: string,
    opts: { unread?: boolean; cursor?: string; limit: number },
  ): Promise<Page<NotificationView> & { unread: number }> {
    const after = decodeCursor(opts.cursor, ['string', 'string']) as [string, string] | undefined;
    const rows: Row[] = await this.db.query(
      `SELECT * FROM notifications WHERE tenant_id = $1 AND user_id = $2 ${opts.unread ? 'AND read_at IS NULL' : ''}
         AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid))
       ORDER BY created_at DESC, id DESC LIMIT $5`,
      [this.ctx.tenantId, userId, after?.[0] ?? null, after?.[1] ?? null, opts.limit + 1],
    );
    const items = rows.slice(0, opts.limit).map(view);
    const last = items[items.length - 1];
    const [{ n }] = await this.db.query(
      `SELECT count(*)::int AS n FROM notifications WHERE tenant_id = $1 AND user_id = $2 AND read_at IS NULL`,
      [this.ctx.tenantId, userId],
    );
    return {
      items,
      nextCursor: rows.length > opts.limit && last ? encodeCursor([last.createdAt, last.id]) : null,
      unread: n,
    };
  }

  /** Marks the person's notifications read: these ids, or all of them. */
  async markRead(userId: string, ids: string[] | 'all'): Promise<number> {
    const rows = await queryRows(
      this.db,
      `UPDATE notifications SET read_at = now() WHERE tenant_id = $1 AND user_id = $2 AND read_at IS NULL
         ${ids === 'all' ? '' : 'AND id = ANY($3::uuid[])'} RETURNING id`,
      ids === 'all' ? [this.ctx.tenantId, userId] : [this.ctx.tenantId, userId, ids],
    );
    return rows.length;
  }
}
