import { Injectable } from '@nestjs/common';
import { createHash, randomUUID } from 'crypto';
import {
  AppError,
  cleanText,
  decodeCursor,
  encodeCursor,
  ErrorCode,
  Page,
  sanitizeMessageHtml,
  textToHtml,
} from '@crewdesk/common';
import { EntityManager } from 'typeorm';
import { Actor, can, Channel, TenantContext, TicketPriority, TicketStatus } from '@crewdesk/db';
import { TicketEventBus, TicketEventRecord } from './event-bus';
import { assertTransition } from './state-machine';
import { ActorRef, AudienceRoute, NewTicketRow, TicketFilters, TicketsRepository } from './tickets.repository';
import {
  customerMessageView,
  isStaff,
  MessageView,
  messageView,
  TicketEventView,
  TicketView,
  ticketView,
} from './views';

/** A ticket's team and assignee as a change names them (null: none). */
export interface TicketRefs {
  teamId?: string | null;
  assigneeId?: string | null;
}

export interface CreateTicketCommand {
  subject: string;
  body: string;
  /** HTML from a rich channel (mail); sanitized before storage. Plain `body` is escaped otherwise. */
  html?: string;
  /**
   * HTML its (internal) caller already passed through `sanitizeMessageHtml`, stored as is: mail ingest sanitizes
   * before it rewrites `cid:` images, and sanitizing twice cost as much again. Never set from request bodies.
   */
  sanitizedHtml?: string;
  channel: Channel;
  requester: { customerId?: string; email?: string; name?: string; phone?: string };
  priority?: TicketPriority;
  tags?: string[];
  customFields?: Record<string, unknown>;
  teamId?: string;
  assigneeId?: string;
  idempotencyKey?: string;
  externalId?: string;
  /** Uploads of the actor's to attach to the first message. */
  attachmentIds?: string[];
  /** The sender's own id for the message (the widget's), echoed in the event so the sender can match it. */
  clientMessageId?: string;
}

export interface AddMessageCommand {
  body: string;
  html?: string;
  internal?: boolean;
  mentions?: string[];
  attachmentIds?: string[];
  channel?: string;
  externalId?: string;
  clientMessageId?: string;
  /** For system actors (mail ingest): the customer who wrote it. */
  authorCustomerId?: string;
  /** Hold this public reply for approval: it is stored as an internal message awaiting review, never sent. */
  review?: boolean;
}

export interface UpdateTicketCommand {
  version: number;
  status?: TicketStatus;
  priority?: TicketPriority;
  assigneeId?: string | null;
  teamId?: string | null;
  tags?: string[];
  customFields?: Record<string, unknown>;
}

export const normalizeTags = (tags: string[] | undefined) =>
  [...new Set((tags ?? []).map((t) => t.trim().toLowerCase()).filter(Boolean))].sort();

const actorRef = (a: Actor): ActorRef => ({ type: a.kind, id: a.id });
const notFound = () => AppError.notFound('Ticket');

/** Upload ids as given, once each (in the form PostgreSQL prints them, so that what it took compares with them). */
const uploadIds = (ids: string[] | undefined): string[] => [...new Set((ids ?? []).map((id) => id.toLowerCase()))];

/**
 * A write takes only the writer's own uploads that no message holds yet (checked by its statement, not by a read
 * before it); when it took fewer than asked, it fails (and is rolled back) naming the others.
 */
function checkAttached(wanted: string[], attached: string[]): void {
  if (attached.length === wanted.length) return;
  throw new AppError(ErrorCode.ATTACHMENT_INVALID, 'Some attachments do not exist or are already used', {
    field: 'attachmentIds',
    invalid: wanted.filter((a) => !attached.includes(a)),
  });
}

/**
 * A caller's open transaction: a write given one runs its statements in it and collects its event instead of
 * publishing it; the caller publishes the events once the transaction committed (`publish`) and drops them if not.
 */
export interface InTransaction {
  manager: EntityManager;
  events: TicketEventRecord[];
}

/**
 * The one write path for tickets: every change updates its rows and appends exactly one `ticket_events`
 * row and one audit row in the same transaction, then publishes the event on the bus after commit.
 */
@Injectable()
export class TicketsService {
  constructor(
    private readonly repo: TicketsRepository,
    private readonly ctx: TenantContext,
    private readonly bus: TicketEventBus,
  ) {}

  /**
   * Whether this person's public reply on this ticket waits for approval, from the console or by mail alike: the
   * workspace reviews experts' replies, and they neither see every ticket nor are its assignee.
   */
  async needsReview(ticket: Pick<TicketView, 'assigneeId'>, actor: Actor = this.ctx.actor): Promise<boolean> {
    if (actor.kind !== 'user' || !actor.id || can(actor, 'ticket.view_all') || ticket.assigneeId === actor.id)
      return false;
    return this.repo.expertReview();
  }

  /** Routing's answer to "is there nothing to decide for a new ticket of this team?" (from its cache, no query). */
  private nothingToRoute?: (teamId: string | null) => boolean;

  /** Lets routing store new tickets already routed when it has nothing to decide (one UPDATE less per ticket). */
  setRoutingCheck(check: (teamId: string | null) => boolean): void {
    this.nothingToRoute = check;
  }

  /** `messageId` is the first message's id when this call created the ticket (not on an idempotent replay). */
  async create(
    cmd: CreateTicketCommand,
    tx?: InTransaction,
  ): Promise<{ ticket: TicketView; created: boolean; messageId?: string }> {
    const actor = this.ctx.actor;
    // The request's fingerprint matters only with an Idempotency-Key (a replay must be the same request).
    const hash = cmd.idempotencyKey ? createHash('sha256').update(JSON.stringify(cmd)).digest('hex') : '';
    if (cmd.idempotencyKey) {
      const replay = await this.replay(cmd.idempotencyKey, hash);
      if (replay) return { ticket: replay, created: false };
    }
    await this.checkRefs({ teamId: cmd.teamId, assigneeId: cmd.assigneeId });
    const requester = { ...cmd.requester, email: cmd.requester.email?.trim().toLowerCase() };
    if (!requester.customerId && !requester.email) {
      if (!requester.phone)
        throw new AppError(ErrorCode.VALIDATION_FAILED, 'requester needs an email or a phone', { field: 'requester' });
      requester.customerId = await this.repo.customerIdByPhone(requester.phone, requester.name ?? null);
    } else if (requester.customerId && cmd.idempotencyKey && !(await this.repo.customerExists(requester.customerId))) {
      // Checked first only here: the statement would record the key even though it creates no ticket.
      throw AppError.notFound('Customer', { field: 'requester.customerId' });
    }
    // Otherwise a requester given by id is not looked up first: without them the insert writes nothing (below).
    const attachmentIds = uploadIds(cmd.attachmentIds);
    const subject = cleanText(cmd.subject).trim();
    const text = cleanText(cmd.body);
    const html = cmd.sanitizedHtml ?? (cmd.html ? sanitizeMessageHtml(cmd.html) : textToHtml(text));
    const id = randomUUID();
    const messageId = randomUUID();
    // The first message is the customer's unless a person of staff wrote it.
    const author: ActorRef = actor.kind === 'user' ? actorRef(actor) : { type: 'customer', id: null };
    const tags = normalizeTags(cmd.tags);
    const priority = cmd.priority ?? 'normal';
    const row: NewTicketRow = {
      id,
      subject,
      priority,
      channel: cmd.channel,
      requester,
      assigneeId: cmd.assigneeId ?? null,
      teamId: cmd.teamId ?? null,
      tags,
      customFields: cmd.customFields ?? {},
      message: { id: messageId, text, html, author, externalId: cmd.externalId ?? null, attachmentIds },
      idempotency: cmd.idempotencyKey ? { key: cmd.idempotencyKey, hash } : undefined,
      routed: this.nothingToRoute?.(cmd.teamId ?? null) || undefined,
      eventData: {
        id,
        subject,
        status: 'new',
        priority,
        channel: cmd.channel,
        assigneeId: cmd.assigneeId ?? null,
        teamId: cmd.teamId ?? null,
        tags,
        message: {
          id: messageId,
          ticketId: id,
          kind: 'public',
          internal: false,
          authorType: author.type,
          body: text,
          html,
          attachmentIds,
          clientMessageId: cmd.clientMessageId,
        },
      },
    };
    const result = await this.write(tx, attachmentIds.length > 0, async (manager) => {
      // In a caller's transaction (mail ingest), the tickets asked for together are inserted by one statement.
      const r = tx
        ? await this.repo.insertTicketInTurn(row, actorRef(actor), tx.manager)
        : await this.repo.insertTicket(row, actorRef(actor), manager);
      if (r && attachmentIds.length) checkAttached(attachmentIds, r.row.attached);
      return r;
    });
    if (!result) {
      if (requester.customerId && !(await this.repo.customerExists(requester.customerId, tx?.manager)))
        throw AppError.notFound('Customer', { field: 'requester.customerId' });
      // Another request with the same Idempotency-Key committed first.
      const replay = await this.replay(cmd.idempotencyKey!, hash);
      if (replay) return { ticket: replay, created: false };
      throw new AppError(ErrorCode.CONFLICT, 'The ticket could not be created; try again');
    }
    this.emit(tx, result.event);
    return { ticket: ticketView(result.row), created: true, messageId };
  }

  private async replay(key: string, hash: string): Promise<TicketView | null> {
    const prior = await this.repo.findIdempotent('ticket', key);
    if (!prior) return null;
    if (prior.requestHash !== hash) {
      throw new AppError(ErrorCode.IDEMPOTENCY_KEY_REUSED, 'This Idempotency-Key was used for a different request');
    }
    const row = await this.repo.findVisible(TenantContext.system(this.ctx.tenantId), { id: prior.resourceId });
    return row ? ticketView(row) : null;
  }

  /**
   * Runs a write in the caller's transaction if it has one; else in a transaction of its own when it links files
   * (they go with the message or not at all), else as the one statement it is.
   */
  private write<R>(
    tx: InTransaction | undefined,
    withFiles: boolean,
    run: (manager?: EntityManager) => Promise<R>,
  ): Promise<R> {
    return tx ? run(tx.manager) : withFiles ? this.repo.transaction(run) : run();
  }

  /** Publishes a committed write's event, or hands it to the caller's transaction, which publishes it on commit. */
  private emit(tx: InTransaction | undefined, event: TicketEventRecord): void {
    if (tx) tx.events.push(event);
    else this.bus.publish([event]);
  }

  /** Which of these references name no team, or no active person, of this workspace. */
  async unknownRefs(refs: TicketRefs): Promise<Array<keyof TicketRefs>> {
    const unknown: Array<keyof TicketRefs> = [];
    if (refs.teamId && !(await this.repo.teamExists(refs.teamId))) unknown.push('teamId');
    if (refs.assigneeId && (await this.repo.unknownUsers([refs.assigneeId])).length) unknown.push('assigneeId');
    return unknown;
  }

  private async checkRefs(refs: TicketRefs): Promise<void> {
    const unknown = await this.unknownRefs(refs);
    if (unknown.includes('teamId')) throw AppError.notFound('Team', { field: 'teamId' });
    if (unknown.includes('assigneeId')) throw AppError.notFound('Assignee', { field: 'assigneeId' });
  }

  async get(by: { id: string } | { number: number }): Promise<TicketView> {
    const row = await this.repo.findVisible(this.ctx.actor, by);
    if (!row) throw notFound();
    return ticketView(row);
  }

  /** Of `ids`, those of tickets the actor may see; those they may not, or that do not exist, are left out. */
  visibleIds(ids: string[]): Promise<string[]> {
    return this.repo.visibleIds(ids);
  }

  /** Who may see a ticket the actor may see (realtime's viewers); null when it does not exist for them. */
  audience(ticketId: string): Promise<AudienceRoute | null> {
    return this.repo.audience(ticketId);
  }

  async list(filters: Omit<TicketFilters, 'after'> & { cursor?: string }): Promise<Page<TicketView>> {
    const after = decodeCursor(filters.cursor, ['string', 'string']) as [string, string] | undefined;
    const rows = await this.repo.list(this.ctx.actor, { ...filters, after });
    const items = rows.slice(0, filters.limit).map(ticketView);
    const last = items[items.length - 1];
    const nextCursor =
      rows.length > filters.limit && last
        ? encodeCursor([filters.sort === 'updated' ? last.updatedAt : last.createdAt, last.id])
        : null;
    return { items, nextCursor };
  }

  async update(id: string, cmd: UpdateTicketCommand): Promise<TicketView> {
    const actor = this.ctx.actor;
    const row = await this.repo.findVisible(actor, { id });
    if (!row) throw notFound();
    const current = ticketView(row);
    if (current.version !== cmd.version) throw this.conflict(current);

    const set: Record<string, { sql: string; value?: unknown }> = {};
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    const change = (field: keyof TicketView, column: string, to: unknown, sql = '?') => {
      if (to === undefined || JSON.stringify(current[field]) === JSON.stringify(to)) return;
      changes[field] = { from: current[field], to };
      set[column] = { sql, value: to };
    };
    if (cmd.status !== undefined && cmd.status !== current.status) {
      if (current.status === 'closed') throw new AppError(ErrorCode.TICKET_CLOSED, 'A closed ticket cannot change');
      assertTransition(current.status as TicketStatus, cmd.status);
      change('status', 'status', cmd.status);
      if (cmd.status === 'solved') set.solved_at = { sql: 'now()' };
      else if (current.status === 'solved') set.solved_at = { sql: 'NULL' };
      if (cmd.status === 'closed') set.closed_at = { sql: 'now()' };
    } else if (current.status === 'closed' && Object.keys(cmd).some((k) => k !== 'version' && k !== 'status')) {
      throw new AppError(ErrorCode.TICKET_CLOSED, 'A closed ticket cannot change');
    }
    change('priority', 'priority', cmd.priority);
    if (cmd.assigneeId !== undefined && cmd.assigneeId !== current.assigneeId)
      await this.checkRefs({ assigneeId: cmd.assigneeId });
    if (cmd.teamId !== undefined && cmd.teamId !== current.teamId) await this.checkRefs({ teamId: cmd.teamId });
    change('assigneeId', 'assignee_id', cmd.assigneeId, '?::uuid');
    change('teamId', 'team_id', cmd.teamId, '?::uuid');
    if (cmd.tags !== undefined) change('tags', 'tags', normalizeTags(cmd.tags), '?::text[]');
    if (cmd.customFields !== undefined) {
      const merged = Object.fromEntries(
        Object.entries({ ...current.customFields, ...cmd.customFields }).filter(([, v]) => v !== null),
      );
      if (JSON.stringify(merged) !== JSON.stringify(current.customFields)) {
        changes.customFields = { from: current.customFields, to: merged };
        set.custom_fields = { sql: '?::jsonb', value: JSON.stringify(merged) };
      }
    }
    if (!Object.keys(changes).length) return current;

    const type = 'assigneeId' in changes || 'teamId' in changes ? 'ticket.assigned' : 'ticket.updated';
    const result = await this.repo.updateTicket(id, cmd.version, set, type, actorRef(actor), changes);
    if (!result) {
      const latest = await this.repo.findVisible(actor, { id });
      if (!latest) throw notFound();
      throw this.conflict(ticketView(latest));
    }
    this.bus.publish([result.event]);
    return ticketView(result.row);
  }

  private conflict(current: TicketView): AppError {
    return new AppError(ErrorCode.VERSION_CONFLICT, 'The ticket changed since you loaded it; reload and try again', {
      currentVersion: current.version,
      ticket: current,
    });
  }

  /** A public reply, an internal note, or a customer's message. */
  async addMessage(
    ticketId: string,
    cmd: AddMessageCommand,
    tx?: InTransaction,
  ): Promise<{ message: MessageView; ticket: TicketView; created: boolean }> {
    const actor = this.ctx.actor;
    const held = !!cmd.review && !cmd.internal;
    const internal = !!cmd.internal || held;
    if (actor.kind === 'customer' && internal)
      throw new AppError(ErrorCode.FORBIDDEN, 'Customers cannot add internal notes');
    if (isStaff(actor)) {
      const needed = internal && !held ? 'ticket.note' : 'ticket.reply';
      if (!can(actor, needed)) {
        throw new AppError(ErrorCode.FORBIDDEN, `This needs the permission ${needed}`, { missing: [needed] });
      }
    }
    // The ticket is not read first: the insert itself requires it visible and open, and only when it wrote nothing
    // is the ticket read to say why (one statement per message instead of two).
    const mentions = [...new Set(cmd.mentions ?? [])];
    const unknown = await this.repo.unknownUsers(mentions);
    if (unknown.length)
      throw new AppError(ErrorCode.VALIDATION_FAILED, 'Some mentioned people do not exist', {
        field: 'mentions',
        unknown,
      });
    const attachmentIds = uploadIds(cmd.attachmentIds);

    const text = cleanText(cmd.body);
    const html = cmd.html ? sanitizeMessageHtml(cmd.html) : textToHtml(text);
    const id = randomUUID();
    const kind = internal ? 'internal' : 'public';
    const channel = cmd.channel ?? (actor.kind === 'customer' ? null : 'web'); // null: the ticket's channel
    const byCustomer = actor.kind === 'customer' || (actor.kind === 'system' && !!cmd.authorCustomerId);
    const author: ActorRef =
      actor.kind === 'system' && cmd.authorCustomerId
        ? { type: 'customer', id: cmd.authorCustomerId }
        : actorRef(actor);
    const insert = {
      id,
      ticketId,
      kind: kind as 'internal' | 'public',
      author,
      authorRole: byCustomer ? ('customer' as const) : ('staff' as const),
      text,
      html,
      channel,
      externalId: cmd.externalId ?? null,
      mentions,
      attachmentIds,
      uploader: actorRef(actor),
      reviewState: held ? ('pending' as const) : null,
      eventData: {
        message: {
          id,
          ticketId,
          kind,
          internal,
          authorType: author.type,
          authorId: author.id,
          authorName: actor.name ?? null,
          body: text,
          html,
          mentions,
          attachmentIds,
          clientMessageId: cmd.clientMessageId,
          ...(held ? { reviewState: 'pending' } : {}),
        },
      },
    };
    const result = await this.write(tx, attachmentIds.length > 0, async (manager) => {
      // In a caller's transaction (mail ingest), customers' messages asked for together go in one statement.
      const r = tx
        ? await this.repo.insertMessageInTurn(insert, tx.manager)
        : await this.repo.insertMessage(insert, manager);
      if (r && attachmentIds.length) checkAttached(attachmentIds, r.ticket.attached);
      return r;
    });
    const manager = tx?.manager;
    if (!result) {
      const ticket = await this.repo.findVisible(actor, { id: ticketId }, manager);
      if (!ticket) throw notFound();
      if (ticket.status !== 'closed' && cmd.externalId) {
        const existing = await this.repo.findMessageByExternalId(channel ?? ticket.channel, cmd.externalId, manager);
        if (existing && existing.ticket_id === ticketId) {
          const [m] = await this.repo.messages(ticketId, { publicOnly: false, limit: 1, id: existing.id }, manager);
          return { message: messageView(m), ticket: ticketView(ticket), created: false };
        }
      }
      throw new AppError(ErrorCode.TICKET_CLOSED, 'This ticket is closed; open a new one');
    }
    this.emit(tx, result.event);
    let message = messageView({
      ...result.row,
      author_name: actor.kind === 'customer' ? result.ticket.requester_name : (actor.name ?? null),
      attachments: [],
    });
    if (attachmentIds.length) {
      const [withFiles] = await this.repo.messages(ticketId, { publicOnly: false, limit: 1, id }, manager);
      message = messageView(withFiles);
    }
    return { message, ticket: ticketView(result.ticket), created: true };
  }

  /** The requester's conversation on a channel that is still going, if any. */
  openConversation(requesterId: string, channel: Channel): Promise<string | null> {
    return this.repo.openConversation(requesterId, channel);
  }

  /**
   * A read receipt: the actor has read the other side's messages up to `messageId`. One event, no ticket
   * change; customers learn that staff read theirs, staff that the customer read theirs.
   */
  async markRead(ticketId: string, messageId: string): Promise<{ eventId: string } | null> {
    const actor = this.ctx.actor;
    if (!(await this.repo.findVisible(actor, { id: ticketId }))) throw notFound();
    const [message] = await this.repo.messages(ticketId, {
      publicOnly: actor.kind === 'customer',
      limit: 1,
      id: messageId,
    });
    if (!message) throw AppError.notFound('Message');
    const by = actor.kind === 'customer' ? 'customer' : 'staff';
    if ((message.author_type === 'customer') === (by === 'customer')) return null; // one's own message
    const event = await this.repo.appendEvent(ticketId, 'message.read', actorRef(actor), 'public', {
      messageId,
      by,
      readerId: actor.kind === 'customer' ? null : actor.id,
      readerName: actor.kind === 'customer' ? null : (actor.name ?? null),
    });
    if (!event) throw notFound();
    this.bus.publish([event]);
    return { eventId: event.id };
  }

  /**
   * An event about a ticket that changes none of its rows (an escalation, a link, a grant): appended to the log
   * and published like any other. Callers check the actor's rights first; null when the ticket does not exist.
   */
  async recordEvent(
    ticketId: string,
    type: string,
    data: Record<string, unknown>,
    visibility: 'public' | 'internal' = 'internal',
    /** Append inside the caller's transaction; the caller publishes after commit (`publish`). */
    manager?: EntityManager,
  ): Promise<TicketEventRecord | null> {
    const event = await this.repo.appendEvent(ticketId, type, actorRef(this.ctx.actor), visibility, data, manager);
    if (event && !manager) this.bus.publish([event]);
    return event;
  }

  /** Publishes events that a caller appended inside its own transaction, once it committed. */
  publish(events: Array<TicketEventRecord | null>): void {
    const committed = events.filter((e): e is TicketEventRecord => !!e);
    if (committed.length) this.bus.publish(committed);
  }

  /**
   * Records what became of a message's delivery (`sent` or `failed`): the message's state and one event, which
   * agents see (a failure is internal: the customer never learns of our relay's trouble).
   */
  async recordDelivery(
    ticketId: string,
    messageId: string,
    state: 'sent' | 'failed',
    detail?: string,
  ): Promise<boolean> {
    const event = await this.repo.setDeliveryState(
      ticketId,
      messageId,
      ['queued'],
      state,
      state === 'sent' ? 'message.delivered' : 'message.delivery_failed',
      state === 'sent' ? 'public' : 'internal',
      { messageId, state, ...(detail ? { detail } : {}) },
    );
    if (event) this.bus.publish([event]);
    return !!event;
  }

  /** A page of the conversation, oldest first, or newest first with `newestFirst` (a thread shows its end first). */
  async messages(
    ticketId: string,
    page: { cursor?: string; limit: number; newestFirst?: boolean },
  ): Promise<Page<MessageView>> {
    const actor = this.ctx.actor;
    if (!(await this.repo.findVisible(actor, { id: ticketId }))) throw notFound();
    const after = decodeCursor(page.cursor, ['string', 'string']) as [string, string] | undefined;
    const rows = await this.repo.messages(ticketId, {
      publicOnly: actor.kind === 'customer',
      after,
      limit: page.limit,
      newestFirst: page.newestFirst,
    });
    const items = rows.slice(0, page.limit).map(messageView);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > page.limit && last ? encodeCursor([last.createdAt, last.id]) : null };
  }

  /** Customer-safe conversation: public messages only, no staff internals. */
  async customerMessages(ticketId: string, page: { cursor?: string; limit: number }) {
    const result = await this.messages(ticketId, page);
    return { items: result.items.map(customerMessageView), nextCursor: result.nextCursor };
  }

  async events(ticketId: string, page: { after?: string; limit: number }) {
    const actor = this.ctx.actor;
    if (!(await this.repo.findVisible(actor, { id: ticketId }))) throw notFound();
    const rows = await this.repo.events(ticketId, {
      publicOnly: actor.kind === 'customer',
      after: page.after,
      limit: page.limit,
    });
    const items = rows.slice(0, page.limit).map((r): TicketEventView => ({
      id: String(r.id),
      type: r.type,
      ticketId: r.ticket_id,
      actor: { type: r.actor_type, id: r.actor_id },
      visibility: r.visibility,
      data: r.data,
      createdAt: new Date(r.created_at).toISOString(),
    }));
    return { items, nextCursor: rows.length > page.limit ? items[items.length - 1].id : null };
  }
}
