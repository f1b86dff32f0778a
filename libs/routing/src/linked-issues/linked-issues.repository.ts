import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { queryRows, TenantContext } from '@crewdesk/db';

/* eslint-disable @typescript-eslint/no-explicit-any */
export type Row = Record<string, any>;

export interface IssueFilters {
  status?: string;
  q?: string;
  after?: [string, string];
  limit: number;
}

/** Escapes LIKE wildcards so user text matches literally. */
const likeContains = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

const COUNTS = `
  (SELECT count(*) FROM ticket_issue_links l WHERE l.tenant_id = i.tenant_id AND l.issue_id = i.id)::int AS ticket_count,
  (SELECT count(*) FROM ticket_issue_links l WHERE l.tenant_id = i.tenant_id AND l.issue_id = i.id AND l.notified_at IS NOT NULL)::int AS notified_count`;

/**
 * Every linked-issue query. The tenant comes from the context; the reconciler's scan is the one query across
 * tenants (it returns each row's tenant, and the work then runs in that tenant's context).
 */
@Injectable()
export class LinkedIssuesRepository {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ctx: TenantContext,
  ) {}

  async insert(v: {
    key: string;
    title: string;
    url: string | null;
    status: string;
    shipMessage: string | null;
    onShip: string;
    by: { type: string; id: string | null };
  }): Promise<Row> {
    const shipped = v.status === 'shipped';
    const [row] = await this.db.query(
      `INSERT INTO linked_issues (tenant_id, key, title, url, status, ship_message, on_ship, created_by, shipped_at, shipped_by_type, shipped_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CASE WHEN $9::boolean THEN now() END, $10, $11)
       RETURNING *, 0 AS ticket_count, 0 AS notified_count`,
      [
        this.ctx.tenantId,
        v.key,
        v.title,
        v.url,
        v.status,
        v.shipMessage,
        v.onShip,
        v.by.id,
        shipped,
        shipped ? v.by.type : null,
        shipped ? v.by.id : null,
      ],
    );
    return row;
  }

  async find(id: string): Promise<Row | null> {
    const [row] = await this.db.query(
      `SELECT i.*, ${COUNTS} FROM linked_issues i WHERE i.tenant_id = $1 AND i.id = $2`,
      [this.ctx.tenantId, id],
    );
    return row ?? null;
  }

  async list(f: IssueFilters): Promise<Row[]> {
    const values: unknown[] = [this.ctx.tenantId];
    const add = (v: unknown) => `$${values.push(v)}`;
    const where = [`i.tenant_id = $1`];
    if (f.status) where.push(`i.status = ${add(f.status)}`);
    if (f.q) {
      const like = add(likeContains(f.q));
      where.push(`(i.key ILIKE ${like} OR i.title ILIKE ${like})`);
    }
    if (f.after) where.push(`(i.created_at, i.id) < (${add(f.after[0])}::timestamptz, ${add(f.after[1])}::uuid)`);
    return this.db.query(
      `SELECT i.*, ${COUNTS} FROM linked_issues i WHERE ${where.join(' AND ')}
       ORDER BY i.created_at DESC, i.id DESC LIMIT ${add(f.limit + 1)}`,
      values,
    );
  }

  /** Sets the given columns; null when the issue does not exist in this tenant. */
  async update(id: string, set: Record<string, { sql: string; value?: unknown }>): Promise<Row | null> {
    const values: unknown[] = [this.ctx.tenantId, id];
    const assignments = Object.entries(set).map(
      ([column, v]) => `${column} = ${v.sql.replace('?', () => `$${values.push(v.value)}`)}`,
    );
    const [row] = await queryRows(
      this.db,
      `UPDATE linked_issues i SET ${[...assignments, 'updated_at = now()'].join(', ')}
       WHERE i.tenant_id = $1 AND i.id = $2 RETURNING i.*, ${COUNTS}`,
      values,
    );
    return row ?? null;
  }

  /**
   * Marks the issue shipped if it is not yet: one statement, so two concurrent ships cannot both win. Null when it
   * was already shipped (or does not exist).
   */
  async ship(
    id: string,
    by: { type: string; id: string | null },
    overrides: { shipMessage?: string; onShip?: string },
  ): Promise<Row | null> {
    const [row] = await queryRows(
      this.db,
      `UPDATE linked_issues i SET status = 'shipped', shipped_at = now(), shipped_by_type = $3, shipped_by = $4,
              ship_message = coalesce($5, ship_message), on_ship = coalesce($6, on_ship), updated_at = now()
       WHERE i.tenant_id = $1 AND i.id = $2 AND i.shipped_at IS NULL
       RETURNING i.*, ${COUNTS}`,
      [this.ctx.tenantId, id, by.type, by.id, overrides.shipMessage ?? null, overrides.onShip ?? null],
    );
    return row ?? null;
  }

  /** Inserts the link; null when it existed already. */
  async link(issueId: string, ticketId: string, linkedBy: string | null): Promise<Row | null> {
    const [row] = await this.db.query(
      `INSERT INTO ticket_issue_links (tenant_id, issue_id, ticket_id, linked_by)
       SELECT $1, i.id, $3, $4 FROM linked_issues i WHERE i.tenant_id = $1 AND i.id = $2
       ON CONFLICT (issue_id, ticket_id) DO NOTHING RETURNING *`,
      [this.ctx.tenantId, issueId, ticketId, linkedBy],
    );
    return row ?? null;
  }

  async findLink(issueId: string, ticketId: string): Promise<Row | null> {
    const [row] = await this.db.query(
      `SELECT * FROM ticket_issue_links WHERE tenant_id = $1 AND issue_id = $2 AND ticket_id = $3`,
      [this.ctx.tenantId, issueId, ticketId],
    );
    return row ?? null;
  }

  async unlink(issueId: string, ticketId: string): Promise<boolean> {
    const rows = await queryRows(
      this.db,
      `DELETE FROM ticket_issue_links WHERE tenant_id = $1 AND issue_id = $2 AND ticket_id = $3 RETURNING 1`,
      [this.ctx.tenantId, issueId, ticketId],
    );
    return rows.length > 0;
  }

  /** The issues a ticket is linked to, newest link first (a ticket has few). */
  async issuesOfTicket(ticketId: string): Promise<Row[]> {
    return this.db.query(
      `SELECT i.*, ${COUNTS}, l.created_at AS linked_at, l.linked_by, l.notified_at
       FROM ticket_issue_links l JOIN linked_issues i ON i.tenant_id = l.tenant_id AND i.id = l.issue_id
       WHERE l.tenant_id = $1 AND l.ticket_id = $2 ORDER BY l.created_at DESC LIMIT 100`,
      [this.ctx.tenantId, ticketId],
    );
  }

  /** Tickets of a shipped issue whose customer has not been told yet. */
  async pendingTickets(issueId: string): Promise<string[]> {
    const rows: Row[] = await this.db.query(
      `SELECT l.ticket_id FROM ticket_issue_links l JOIN linked_issues i ON i.tenant_id = l.tenant_id AND i.id = l.issue_id
       WHERE l.tenant_id = $1 AND l.issue_id = $2 AND l.notified_at IS NULL AND i.shipped_at IS NOT NULL
       ORDER BY l.created_at`,
      [this.ctx.tenantId, issueId],
    );
    return rows.map((r) => r.ticket_id);
  }

  /** Across tenants: links of shipped issues nobody told for `graceSeconds` (the reconciler's scan). */
  async pendingEverywhere(graceSeconds: number, limit: number): Promise<Row[]> {
    return this.db.query(
      `SELECT l.tenant_id, l.issue_id, l.ticket_id
       FROM ticket_issue_links l JOIN linked_issues i ON i.tenant_id = l.tenant_id AND i.id = l.issue_id
       WHERE l.notified_at IS NULL AND i.shipped_at IS NOT NULL
         AND greatest(i.shipped_at, l.created_at) <= now() - make_interval(secs => $1)
       ORDER BY l.created_at LIMIT $2`,
      [graceSeconds, limit],
    );
  }

  /** Everything one notification needs: the issue, the link, the ticket, its customer, workspace and reply (if any). */
  async notification(
    issueId: string,
    ticketId: string,
    reply: { channel: string; externalId: string },
  ): Promise<Row | null> {
    const [row] = await this.db.query(
      `SELECT i.id AS issue_id, i.key, i.title, i.url, i.ship_message, i.on_ship, i.shipped_at, i.shipped_by_type, i.shipped_by,
              l.notified_at, t.id AS ticket_id, t.number, t.status, t.subject, c.name AS customer_name, c.locale AS customer_locale,
              tn.name AS workspace_name, tn.settings->>'locale' AS workspace_locale,
              (SELECT m.body_text FROM messages m WHERE m.tenant_id = t.tenant_id AND m.ticket_id = t.id AND m.author_type = 'customer'
                ORDER BY m.created_at LIMIT 1) AS first_text,
              CASE i.shipped_by_type WHEN 'user' THEN (SELECT u.name FROM users u WHERE u.tenant_id = i.tenant_id AND u.id = i.shipped_by)
                                     WHEN 'api_key' THEN (SELECT k.name FROM api_keys k WHERE k.tenant_id = i.tenant_id AND k.id = i.shipped_by)
              END AS shipped_by_name,
              (SELECT u.name FROM users u WHERE u.tenant_id = i.tenant_id AND u.id = i.created_by AND u.status = 'active') AS created_by_name,
              i.created_by,
              (SELECT m.id FROM messages m WHERE m.tenant_id = l.tenant_id AND m.channel = $4 AND m.external_id = $5) AS reply_id
       FROM ticket_issue_links l
       JOIN linked_issues i ON i.tenant_id = l.tenant_id AND i.id = l.issue_id
       JOIN tickets t ON t.tenant_id = l.tenant_id AND t.id = l.ticket_id
       JOIN tenants tn ON tn.id = l.tenant_id
       LEFT JOIN customers c ON c.tenant_id = t.tenant_id AND c.id = t.requester_id
       WHERE l.tenant_id = $1 AND l.issue_id = $2 AND l.ticket_id = $3`,
      [this.ctx.tenantId, issueId, ticketId, reply.channel, reply.externalId],
    );
    return row ?? null;
  }

  async markNotified(issueId: string, ticketId: string, messageId: string | null): Promise<void> {
    await this.db.query(
      `UPDATE ticket_issue_links SET notified_at = now(), notify_message_id = $4
       WHERE tenant_id = $1 AND issue_id = $2 AND ticket_id = $3 AND notified_at IS NULL`,
      [this.ctx.tenantId, issueId, ticketId, messageId],
    );
  }
}
