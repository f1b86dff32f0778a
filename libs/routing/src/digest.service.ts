import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Row = Record<string, any>;

/** Digests go out at this local hour of each person's time zone. */
export const DIGEST_HOUR = 9;

export interface DigestDue {
  tenantId: string;
  userId: string;
  tags: string[];
  /** The person's local date, which names the digest (one a day). */
  localDate: string;
}

function localParts(at: Date, timeZone: string): { date: string; hour: number } {
  try {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat('en-CA', {
        timeZone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        hourCycle: 'h23',
      })
        .formatToParts(at)
        .map((p) => [p.type, p.value]),
    );
    return { date: `${parts.year}-${parts.month}-${parts.day}`, hour: Number(parts.hour) };
  } catch {
    return localParts(at, 'UTC');
  }
}

/**
 * The daily digest of tag subscriptions: who is due one now (their local digest hour has come and today's is not
 * sent), and the new tickets of the last day under their tags.
 */
@Injectable()
export class DigestService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async due(now: Date): Promise<DigestDue[]> {
    const rows: Row[] = await this.db.query(
      `SELECT s.tenant_id, s.user_id, u.timezone, array_agg(s.tag ORDER BY s.tag) AS tags
       FROM tag_subscriptions s JOIN users u ON u.id = s.user_id AND u.tenant_id = s.tenant_id AND u.status = 'active'
       WHERE s.digest GROUP BY s.tenant_id, s.user_id, u.timezone`,
    );
    // Past 09:00 local time, then one query for which of them had today's digest already.
    const candidates = rows
      .map((r) => ({ r, local: localParts(now, r.timezone || 'UTC') }))
      .filter(({ local }) => local.hour >= DIGEST_HOUR);
    if (!candidates.length) return [];
    const sent: Row[] = await this.db.query(
      `SELECT n.tenant_id, n.user_id FROM notifications n
       JOIN unnest($1::uuid[], $2::uuid[], $3::text[]) AS k(tenant_id, user_id, dedupe_key)
         ON n.tenant_id = k.tenant_id AND n.user_id = k.user_id AND n.dedupe_key = k.dedupe_key`,
      [
        candidates.map((c) => c.r.tenant_id),
        candidates.map((c) => c.r.user_id),
        candidates.map((c) => `digest:${c.local.date}`),
      ],
    );
    const done = new Set(sent.map((x) => `${x.tenant_id}/${x.user_id}`));
    const out: DigestDue[] = candidates
      .filter(({ r }) => !done.has(`${r.tenant_id}/${r.user_id}`))
      .map(({ r, local }) => ({ tenantId: r.tenant_id, userId: r.user_id, tags: r.tags, localDate: local.date }));
    return out;
  }

  /** New tickets of the day before `now` under these tags (newest first, at most 50). */
  async tickets(
    tenantId: string,
    tags: string[],
    now: Date,
  ): Promise<Array<{ id: string; number: number; subject: string; tags: string[]; customer: string | null }>> {
    const rows: Row[] = await this.db.query(
      `SELECT t.id, t.number, t.subject, t.tags, coalesce(c.name, c.email) AS customer
       FROM tickets t LEFT JOIN customers c ON c.id = t.requester_id AND c.tenant_id = t.tenant_id
       WHERE t.tenant_id = $1 AND t.tags && $2::text[] AND t.created_at > $3::timestamptz - interval '1 day' AND t.created_at <= $3
       ORDER BY t.created_at DESC LIMIT 50`,
      [tenantId, tags, now],
    );
    return rows.map((r) => ({
      id: r.id,
      number: Number(r.number),
      subject: r.subject,
      tags: r.tags,
      customer: r.customer,
    }));
  }
}
