import { Injectable, Logger } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { AppError, decodeCursor, encodeCursor, ErrorCode, Page } from '@crewdesk/common';
import { Actor, AuditService, IssueOnShip, IssueStatus, PG, pgCode, TenantContext } from '@crewdesk/db';
import { IssueNotifyJob, JobName, QueueName } from '@crewdesk/queue';
import { TicketsService } from '@crewdesk/tickets';
import { LinkedIssuesRepository, Row } from './linked-issues.repository';
import { DEFAULT_SHIP_MESSAGES, renderTemplate, replyLocale, unknownPlaceholders } from './template';

export interface LinkedIssueView {
  id: string;
  key: string;
  title: string;
  url: string | null;
  status: IssueStatus;
  shipMessage: string | null;
  onShip: IssueOnShip;
  shippedAt: string | null;
  shippedBy: { type: string; id: string | null } | null;
  createdBy: string | null;
  /** Linked tickets, and how many of their customers were told of the ship. */
  tickets: { total: number; notified: number };
  createdAt: string;
  updatedAt: string;
}

export interface CreateIssueCommand {
  key: string;
  title: string;
  url?: string | null;
  status?: IssueStatus;
  shipMessage?: string | null;
  onShip?: IssueOnShip;
}

export type UpdateIssueCommand = Partial<CreateIssueCommand>;

export interface ShipResult {
  issue: LinkedIssueView;
  /** Whether this call shipped it (false: it was shipped already and nothing changed). */
  shipped: boolean;
  /** Linked tickets whose customers are still to be told (all of them, on the first ship). */
  ticketsToNotify: number;
}

/** A ticket's link to an issue. */
export interface IssueLinkView {
  issueId: string;
  ticketId: string;
  linkedBy: string | null;
  linkedAt: string;
  /** When the ticket's customer was told of the ship; null until then. */
  notifiedAt: string | null;
  /** The reply that told them. */
  notifyMessageId: string | null;
}

/** An issue as a ticket's list shows it, with that ticket's link. */
export interface TicketLinkedIssueView extends LinkedIssueView {
  link: { linkedAt: string; linkedBy: string | null; notifiedAt: string | null };
}

export type NotifyOutcome = 'notified' | 'already-notified' | 'not-shipped' | 'gone' | 'skipped-closed';

const iso = (v: unknown) => (v == null ? null : new Date(v as string).toISOString());

export function issueView(r: Row): LinkedIssueView {
  return {
    id: r.id,
    key: r.key,
    title: r.title,
    url: r.url ?? null,
    status: r.status,
    shipMessage: r.ship_message ?? null,
    onShip: r.on_ship,
    shippedAt: iso(r.shipped_at),
    shippedBy: r.shipped_by_type ? { type: r.shipped_by_type, id: r.shipped_by ?? null } : null,
    createdBy: r.created_by ?? null,
    tickets: { total: Number(r.ticket_count ?? 0), notified: Number(r.notified_count ?? 0) },
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
  };
}

/** The external id of a ship reply: one per issue and ticket, so the message insert itself refuses a second one. */
export const shipReplyExternalId = (issueId: string, ticketId: string) => `issue-shipped-${issueId}-${ticketId}`;
/** Ship replies are stored on channel `web` (the console's), like any staff reply; delivery follows the ticket's channel. */
const REPLY_CHANNEL = 'web';
const notFound = () => AppError.notFound('Linked issue');

/**
 * Linked issues: an engineering issue that many tickets point at. Marking it shipped commits first; then every
 * linked ticket gets one public reply in its own channel (through the one ticket write path, so email goes out via
 * the outbound worker and chat reaches the widget live), is solved or set pending as configured, and its link is
 * stamped `notified_at`. Jobs do the telling; the reconciler tells whoever a crash or a lost job left out.
 */
@Injectable()
export class LinkedIssuesService {
  private readonly logger = new Logger(LinkedIssuesService.name);

  constructor(
    private readonly repo: LinkedIssuesRepository,
    private readonly tickets: TicketsService,
    private readonly ctx: TenantContext,
    private readonly auditLog: AuditService,
    @InjectQueue(QueueName.LinkedIssues) private readonly queue: Queue,
  ) {}

  private by(): { type: string; id: string | null } {
    const a = this.ctx.actor;
    return { type: a.kind, id: a.id };
  }

  private checkTemplate(template: string | null | undefined): void {
    if (!template) return;
    const unknown = unknownPlaceholders(template);
    if (unknown.length)
      throw new AppError(ErrorCode.VALIDATION_FAILED, `Unknown placeholders in shipMessage: ${unknown.join(', ')}`, {
        field: 'shipMessage',
        unknown,
      });
  }

  private keyTaken(key: string): AppError {
    return new AppError(ErrorCode.ISSUE_KEY_TAKEN, `An issue with key "${key}" exists in this workspace`, {
      field: 'key',
    });
  }

  async create(cmd: CreateIssueCommand): Promise<LinkedIssueView> {
    this.checkTemplate(cmd.shipMessage);
    let row: Row;
    try {
      row = await this.repo.insert({
        key: cmd.key.trim(),
        title: cmd.title.trim(),
        url: cmd.url ?? null,
        status: cmd.status ?? 'open',
        shipMessage: cmd.shipMessage?.trim() || null,
        onShip: cmd.onShip ?? 'solve',
        by: this.by(),
      });
    } catch (err) {
      if (pgCode(err) === PG.UNIQUE_VIOLATION) throw this.keyTaken(cmd.key.trim());
      throw err;
    }
    await this.auditLog.record('linked_issue.created', 'linked_issue', row.id, { key: row.key, status: row.status });
    return issueView(row);
  }

  async get(id: string): Promise<LinkedIssueView> {
    const row = await this.repo.find(id);
    if (!row) throw notFound();
    return issueView(row);
  }

  async list(f: { status?: IssueStatus; q?: string; cursor?: string; limit: number }): Promise<Page<LinkedIssueView>> {
    const after = decodeCursor(f.cursor, ['string', 'string']) as [string, string] | undefined;
    const rows = await this.repo.list({ status: f.status, q: f.q?.trim() || undefined, after, limit: f.limit });
    const items = rows.slice(0, f.limit).map(issueView);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > f.limit && last ? encodeCursor([last.createdAt, last.id]) : null };
  }

  /**
   * Changes fields and status. `status: "shipped"` ships it exactly as `ship()` does (the webhook-friendly form);
   * back to `open` or `in_progress` un-ships it (customers already told are not told again); `closed` keeps a ship.
   */
  async update(id: string, cmd: UpdateIssueCommand): Promise<LinkedIssueView> {
    this.checkTemplate(cmd.shipMessage);
    const set: Record<string, { sql: string; value?: unknown }> = {};
    if (cmd.key !== undefined) set.key = { sql: '?', value: cmd.key.trim() };
    if (cmd.title !== undefined) set.title = { sql: '?', value: cmd.title.trim() };
    if (cmd.url !== undefined) set.url = { sql: '?', value: cmd.url };
    if (cmd.shipMessage !== undefined) set.ship_message = { sql: '?', value: cmd.shipMessage?.trim() || null };
    if (cmd.onShip !== undefined) set.on_ship = { sql: '?', value: cmd.onShip };
    if (cmd.status !== undefined && cmd.status !== 'shipped') {
      set.status = { sql: '?', value: cmd.status };
      if (cmd.status === 'open' || cmd.status === 'in_progress') {
        set.shipped_at = { sql: 'NULL' };
        set.shipped_by_type = { sql: 'NULL' };
        set.shipped_by = { sql: 'NULL' };
      }
    }
    let row: Row | null = null;
    if (Object.keys(set).length) {
      try {
        row = await this.repo.update(id, set);
      } catch (err) {
        if (pgCode(err) === PG.UNIQUE_VIOLATION) throw this.keyTaken(String(cmd.key).trim());
        throw err;
      }
      if (!row) throw notFound();
      await this.auditLog.record('linked_issue.updated', 'linked_issue', id, cmd);
    }
    if (cmd.status === 'shipped') return (await this.ship(id)).issue;
    return row ? issueView(row) : this.get(id);
  }

  /**
   * Marks the issue shipped (once: a second call changes nothing) and queues one notification per linked ticket.
   * The status is committed before any job exists, so a lost job only delays the telling (the reconciler).
   */
  async ship(id: string, overrides: { message?: string; onShip?: IssueOnShip } = {}): Promise<ShipResult> {
    this.checkTemplate(overrides.message);
    const row = await this.repo.ship(id, this.by(), {
      shipMessage: overrides.message?.trim() || undefined,
      onShip: overrides.onShip,
    });
    if (!row) {
      const current = await this.repo.find(id);
      if (!current) throw notFound();
      const pending = current.shipped_at ? await this.repo.pendingTickets(id) : [];
      return { issue: issueView(current), shipped: false, ticketsToNotify: pending.length };
    }
    await this.auditLog.record('linked_issue.shipped', 'linked_issue', id, { onShip: row.on_ship });
    const pending = await this.repo.pendingTickets(id);
    await this.enqueue(id, new Date(row.shipped_at), pending);
    return { issue: issueView(row), shipped: true, ticketsToNotify: pending.length };
  }

  /** One job per ticket; the id names the ship, so a re-ship after an un-ship queues afresh and a retry does not. */
  private async enqueue(issueId: string, shippedAt: Date, ticketIds: string[]): Promise<void> {
    const tenantId = this.ctx.tenantId;
    try {
      for (let i = 0; i < ticketIds.length; i += 500) {
        await this.queue.addBulk(
          ticketIds.slice(i, i + 500).map((ticketId) => ({
            name: JobName.IssueNotify,
            data: { tenantId, issueId, ticketId } satisfies IssueNotifyJob,
            opts: { jobId: `issue-notify-${issueId}-${ticketId}-${shippedAt.getTime()}` },
          })),
        );
      }
    } catch (err) {
      // Committed already: the reconciler tells these customers when Redis is back.
      this.logger.warn({ err, tenantId, issueId }, 'Could not queue ship notifications; the reconciler will');
    }
  }

  /** Links a ticket the caller can see (404 otherwise); linking to a shipped issue tells that customer too. */
  async link(issueId: string, ticketId: string): Promise<{ link: IssueLinkView; created: boolean }> {
    const issue = await this.repo.find(issueId);
    if (!issue) throw notFound();
    await this.tickets.get({ id: ticketId });
    const actor = this.ctx.actor;
    const row = await this.repo.link(issueId, ticketId, actor.kind === 'user' ? actor.id : null);
    if (!row) {
      const existing = await this.repo.findLink(issueId, ticketId);
      if (!existing) throw notFound(); // deleted meanwhile
      return { link: linkView(existing), created: false };
    }
    await this.tickets.recordEvent(
      ticketId,
      'issue.linked',
      { issueId, key: issue.key, title: issue.title, url: issue.url ?? null, status: issue.status },
      'internal',
    );
    if (issue.shipped_at) await this.enqueue(issueId, new Date(issue.shipped_at), [ticketId]);
    return { link: linkView(row), created: true };
  }

  async unlink(issueId: string, ticketId: string): Promise<void> {
    const issue = await this.repo.find(issueId);
    if (!issue) throw notFound();
    await this.tickets.get({ id: ticketId });
    if (!(await this.repo.unlink(issueId, ticketId))) throw AppError.notFound('Link');
    await this.tickets.recordEvent(ticketId, 'issue.unlinked', { issueId, key: issue.key }, 'internal');
  }

  async issuesOfTicket(ticketId: string): Promise<Page<TicketLinkedIssueView>> {
    await this.tickets.get({ id: ticketId });
    const rows = await this.repo.issuesOfTicket(ticketId);
    return {
      items: rows.map((r) => ({
        ...issueView(r),
        link: { linkedAt: iso(r.linked_at)!, linkedBy: r.linked_by ?? null, notifiedAt: iso(r.notified_at) },
      })),
      nextCursor: null,
    };
  }

  /**
   * Tells one linked ticket's customer (worker code, in the tenant's system context). Idempotent at every step:
   * the reply's external id is unique per issue and ticket, so a second run finds the first reply instead of
   * posting another; the status step re-reads the ticket; `notified_at` is stamped last.
   */
  async notify(issueId: string, ticketId: string): Promise<NotifyOutcome> {
    const externalId = shipReplyExternalId(issueId, ticketId);
    const n = await this.repo.notification(issueId, ticketId, { channel: REPLY_CHANNEL, externalId });
    if (!n) return 'gone'; // unlinked, or the issue or ticket was deleted
    if (n.notified_at) return 'already-notified';
    if (!n.shipped_at) return 'not-shipped'; // un-shipped meanwhile: the next ship queues it again
    if (n.status === 'closed' && n.reply_id) {
      // Told before a crash, closed since: only the record was missing.
      await this.repo.markNotified(issueId, ticketId, n.reply_id);
      return 'notified';
    }
    if (n.status === 'closed') {
      // A closed ticket takes no more messages (the customer opens a follow-up); record that it was passed over.
      await this.tickets.recordEvent(ticketId, 'issue.notify_skipped', { issueId, key: n.key, reason: 'closed' });
      await this.repo.markNotified(issueId, ticketId, null);
      return 'skipped-closed';
    }
    const locale = replyLocale({
      customerLocale: n.customer_locale,
      ticketText: `${n.subject ?? ''}\n${n.first_text ?? ''}`,
      workspaceLocale: n.workspace_locale,
    });
    const body = renderTemplate(
      n.ship_message || DEFAULT_SHIP_MESSAGES[locale],
      {
        'customer.name': n.customer_name,
        'issue.key': n.key,
        'issue.title': n.title,
        'issue.url': n.url,
        'ticket.number': n.number,
      },
      locale,
    );
    const author = this.author(n);
    const { message } = await this.ctx.run(author, () =>
      this.tickets.addMessage(ticketId, {
        body,
        channel: REPLY_CHANNEL,
        externalId,
      }),
    );
    await this.ctx.run(author, () => this.applyOnShip(ticketId, n.on_ship));
    await this.repo.markNotified(issueId, ticketId, message.id);
    return 'notified';
  }

  /**
   * The reply's author, so the customer sees a person: whoever marked the issue shipped; when a tracker's API key
   * shipped it, the person who created the issue; else the key itself; else the workspace (system). The author acts
   * with the system's reach, so the visibility rules of their role cannot strand a customer.
   */
  private author(n: Row): Actor {
    const tenantId = this.ctx.tenantId;
    const all = new Set(['*']);
    if (n.shipped_by_type === 'user' && n.shipped_by_name)
      return { kind: 'user', id: n.shipped_by, tenantId, permissions: all, name: n.shipped_by_name };
    if (n.created_by_name)
      return { kind: 'user', id: n.created_by, tenantId, permissions: all, name: n.created_by_name };
    if (n.shipped_by_type === 'api_key' && n.shipped_by_name)
      return { kind: 'api_key', id: n.shipped_by, tenantId, permissions: all, name: n.shipped_by_name };
    return { ...TenantContext.system(tenantId), name: n.workspace_name };
  }

  /** solve: solved after the reply; reopen: pending (open again, awaiting the customer's confirmation); none: as is. */
  private async applyOnShip(ticketId: string, onShip: IssueOnShip): Promise<void> {
    if (onShip === 'none') return;
    const target = onShip === 'solve' ? 'solved' : 'pending';
    for (let attempt = 0; ; attempt++) {
      const ticket = await this.tickets.get({ id: ticketId });
      if (ticket.status === target || ticket.status === 'closed') return;
      try {
        await this.tickets.update(ticketId, { version: ticket.version, status: target });
        return;
      } catch (err) {
        if (err instanceof AppError && err.code === ErrorCode.VERSION_CONFLICT && attempt < 5) continue;
        throw err;
      }
    }
  }

  /** Tells every customer of a shipped issue that no job told within `graceSeconds` (across tenants). */
  async reconcile(opts: { graceSeconds?: number; limit?: number } = {}): Promise<{ notified: number; failed: number }> {
    const rows = await this.repo.pendingEverywhere(opts.graceSeconds ?? 30, opts.limit ?? 500);
    let notified = 0;
    let failed = 0;
    for (const r of rows) {
      try {
        const outcome = await this.ctx.run(TenantContext.system(r.tenant_id), () =>
          this.notify(r.issue_id, r.ticket_id),
        );
        if (outcome === 'notified') notified++;
      } catch (err) {
        failed++;
        this.logger.warn(
          { err, tenantId: r.tenant_id, issueId: r.issue_id, ticketId: r.ticket_id },
          'Ship notification failed',
        );
      }
    }
    return { notified, failed };
  }
}

export function linkView(r: Row): IssueLinkView {
  return {
    issueId: r.issue_id,
    ticketId: r.ticket_id,
    linkedBy: r.linked_by ?? null,
    linkedAt: iso(r.created_at)!,
    notifiedAt: iso(r.notified_at),
    notifyMessageId: r.notify_message_id ?? null,
  };
}
