import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { TurnBatch } from '@crewdesk/common';
import { Actor, queryPrepared, TenantContext, TICKET_STATUSES } from '@crewdesk/db';
import { EventRoute, TicketEventRecord } from './event-bus';
import { statusAfterMessage } from './state-machine';
import { asksOnOpenEscalation, likeContains, Params, ticketSequenceName } from './sql';
import { seesEveryTicket, visibleTo } from './visibility';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Row = Record<string, any>;

export interface ActorRef {
  type: string;
  id: string | null;
}

export interface NewTicketRow {
  id: string;
  subject: string;
  priority: string;
  channel: string;
  requester: { customerId?: string; email?: string | null; name?: string | null; phone?: string | null };
  assigneeId: string | null;
  teamId: string | null;
  tags: string[];
  customFields: Record<string, unknown>;
  message: {
    id: string;
    text: string;
    html: string;
    author: ActorRef;
    externalId: string | null;
    attachmentIds?: string[];
  };
  idempotency?: { key: string; hash: string };
  eventData: Record<string, unknown>;
  /** Routing has nothing to decide for it: the ticket is stored routed (`routed_at`), sparing an UPDATE after commit. */
  routed?: boolean;
}

export interface NewMessageRow {
  id: string;
  ticketId: string;
  kind: 'public' | 'internal' | 'system';
  author: ActorRef;
  authorRole: 'staff' | 'customer';
  text: string;
  html: string;
  /** null: the ticket's own channel. */
  channel: string | null;
  externalId: string | null;
  mentions: string[];
  attachmentIds: string[];
  /** Who may have uploaded them: the actor writing (an ingest's system actor writes as the customer it names). */
  uploader: ActorRef;
  reviewState?: 'pending' | null;
  /** The event's data; the statement adds the ticket's channel and its state after the change. */
  eventData: Record<string, unknown>;
}

export interface TicketFilters {
  status?: string[];
  priority?: string[];
  assigneeId?: string | null;
  teamId?: string;
  tag?: string;
  requesterId?: string;
  q?: string;
  /** Tickets with an open escalation naming this person. */
  escalatedTo?: string;
  /** Tickets this person follows. */
  followedBy?: string;
  sort: 'created' | 'updated';
  after?: [string, string];
  limit: number;
}

/** Who may see a ticket as it stands: its requester, team, assignee and the people it was shared with. */
export type AudienceRoute = Required<Pick<EventRoute, 'requesterId' | 'teamId' | 'assigneeId' | 'sharedWith'>>;

const REQUESTER_JOIN = `LEFT JOIN customers c ON c.id = t.requester_id AND c.tenant_id = t.tenant_id`;
const TICKET_SELECT = `t.*, c.name AS requester_name, c.email AS requester_email`;

/** The SQL CASE that applies `statusAfterMessage` inside the write, so concurrent writers cannot race it. */
function statusCase(role: 'staff' | 'customer', internal: boolean, column: string): string {
  const moves = TICKET_STATUSES.map((s) => [s, statusAfterMessage(s, role, internal)] as const).filter(
    ([a, b]) => a !== b,
  );
  if (!moves.length) return column;
  return `CASE ${column} ${moves.map(([a, b]) => `WHEN '${a}' THEN '${b}'`).join(' ')} ELSE ${column} END`;
}

function eventRecord(
  row: Row,
  tenantId: string,
  ticketId: string,
  type: string,
  actor: ActorRef,
  visibility: string,
): TicketEventRecord {
  const data = row.event_data ?? {};
  const changes = (data.changes ?? {}) as Record<string, { from?: string | null }>;
  return {
    id: String(row.event_id),
    tenantId,
    ticketId,
    type,
    visibility: visibility as 'public' | 'internal',
    actorType: actor.type,
    actorId: actor.id,
    data,
    createdAt: new Date(row.event_created_at).toISOString(),
    route: {
      teamId: row.team_id ?? null,
      assigneeId: row.assignee_id ?? null,
      requesterId: row.requester_id,
      previousTeamId: changes.teamId ? (changes.teamId.from ?? null) : undefined,
      previousAssigneeId: changes.assigneeId ? (changes.assigneeId.from ?? null) : undefined,
      sharedWith: row.shared_with ?? [],
    },
  };
}

/** Appends the change's event and audit rows, from the CTE rows in `from`. */
function eventAndAudit(
  p: Params,
  tenant: string,
  requestId: string | null,
  type: string,
  actor: ActorRef,
  visibility: string,
  data: string,
  from = 't',
): string {
  const actorType = p.add(actor.type);
  const actorId = p.add(actor.id);
  return `
      e AS (
        INSERT INTO ticket_events (tenant_id, ticket_id, type, actor_type, actor_id, visibility, data)
        SELECT ${tenant}, t.id, ${p.add(type)}, ${actorType}, ${actorId}, ${p.add(visibility)}, ${data} FROM ${from}
        RETURNING id, created_at, data
      ),
      a AS (
        INSERT INTO audit_log (tenant_id, actor_type, actor_id, action, entity_type, entity_id, data, request_id)
        SELECT ${tenant}, ${actorType}, ${actorId}, ${p.add(type)}, 'ticket', t.id, jsonb_build_object('eventId', e.id), ${p.add(requestId)}
        FROM t, e
      )`;
}

/**
 * The uploads a new message takes: the writer's own that no message holds yet. `attached` (ATTACHED) lists those it
 * took; the caller compares it with what it asked for, and fails the write (rolled back) when one was not free.
 */
function attachSql(p: Params, tenant: string, ids: string[], uploader: ActorRef): string {
  return `att AS (
        UPDATE attachments SET message_id = m.id, ticket_id = m.ticket_id FROM m
        WHERE attachments.tenant_id = ${tenant} AND attachments.id = ANY(${p.add(ids)}::uuid[]) AND attachments.message_id IS NULL
          AND attachments.uploader_type = ${p.add(uploader.type)} AND attachments.uploader_id IS NOT DISTINCT FROM ${p.add(uploader.id)}::uuid
        RETURNING attachments.id)`;
}

const ATTACHED = 'ARRAY(SELECT id::text FROM att) AS attached';

/**
 * The whole ticket create as one statement (customer upsert, idempotency key, ticket, first message, event, audit,
 * the ticket's facts for reports).
 */
export function buildInsertTicket(
  tenantId: string,
  requestId: string | null,
  n: NewTicketRow,
  actor: ActorRef,
): { sql: string; values: unknown[] } {
  const p = new Params();
  const tenant = p.add(tenantId);
  const customer = n.requester.customerId
    ? `c AS (SELECT id, name, email FROM customers WHERE tenant_id = ${tenant} AND id = ${p.add(n.requester.customerId)})`
    : `c AS (
          INSERT INTO customers (tenant_id, email, name, phone) VALUES (${tenant}, ${p.add(n.requester.email)}, ${p.add(n.requester.name)}, ${p.add(n.requester.phone)})
          ON CONFLICT (tenant_id, email) WHERE email IS NOT NULL
          DO UPDATE SET name = coalesce(customers.name, EXCLUDED.name), phone = coalesce(customers.phone, EXCLUDED.phone)
          RETURNING id, name, email)`;
  const idem = n.idempotency
    ? `idem AS (
          INSERT INTO idempotency_keys (tenant_id, scope, key, request_hash, resource_id)
          VALUES (${tenant}, 'ticket', ${p.add(n.idempotency.key)}, ${p.add(n.idempotency.hash)}, ${p.add(n.id)})
          ON CONFLICT DO NOTHING RETURNING 1),`
    : '';
  const channel = p.add(n.channel);
  const data = `${p.add(JSON.stringify(n.eventData))}::jsonb || jsonb_build_object('number', t.number, 'requester',
      jsonb_build_object('id', c.id, 'name', c.name, 'email', c.email), 'createdAt', t.created_at, 'version', t.version)`;
  const sql = `
      WITH ${customer}, ${idem}
      t AS (
        INSERT INTO tickets (id, tenant_id, number, subject, priority, channel, requester_id, assignee_id, team_id, tags, custom_fields${n.routed ? ', routed_at' : ''})
        SELECT ${p.add(n.id)}, ${tenant}, nextval(${p.add(ticketSequenceName(tenantId))}::regclass), ${p.add(n.subject)},
               ${p.add(n.priority)}, ${channel}, c.id, ${p.add(n.assigneeId)}::uuid, ${p.add(n.teamId)}::uuid,
               ${p.add(n.tags)}::text[], ${p.add(JSON.stringify(n.customFields))}::jsonb${n.routed ? ', now()' : ''}
        FROM c ${n.idempotency ? 'JOIN idem ON true' : ''}
        RETURNING *
      ),
      m AS (
        INSERT INTO messages (id, tenant_id, ticket_id, kind, author_type, author_id, body_text, body_html, channel, external_id)
        SELECT ${p.add(n.message.id)}, ${tenant}, t.id, 'public', ${p.add(n.message.author.type)},
               coalesce(${p.add(n.message.author.id)}::uuid, t.requester_id), ${p.add(n.message.text)}, ${p.add(n.message.html)},
               ${channel}, ${p.add(n.message.externalId)}
        FROM t RETURNING id, ticket_id
      ),${n.message.attachmentIds?.length ? `${attachSql(p, tenant, n.message.attachmentIds, actor)},` : ''}
      ${eventAndAudit(p, tenant, requestId, 'ticket.created', actor, 'public', data, 't, c')},
      -- The new ticket's facts for reports, as refreshFactsSql (libs/insights) computes them from this one event:
      -- the opening message counts as the customer's when they wrote it; nothing else has happened yet.
      f AS (
        INSERT INTO ticket_facts (tenant_id, ticket_id, created_at, channel, priority, status, team_id, assignee_id, tags,
                                  customer_messages, last_event_id)
        SELECT t.tenant_id, t.id, t.created_at, t.channel, t.priority, t.status, t.team_id, t.assignee_id, t.tags,
               ${n.message.author.type === 'customer' ? 1 : 0}, e.id
        FROM t, e
      )
      SELECT t.*, c.name AS requester_name, c.email AS requester_email, e.id AS event_id, e.created_at AS event_created_at, e.data AS event_data
        ${n.message.attachmentIds?.length ? `, ${ATTACHED}` : ''}
      FROM t, c, e, m`;
  return { sql, values: p.values };
}

/**
 * `attachSql` for the multi-row writes: the uploads each new message of `m` takes, listed by its row of `x`
 * (`attachment_ids`, with the columns naming the message and who may have uploaded them).
 */
const attachManySql = (messageId: string, uploaderType: string, uploaderId: string) => `att AS (
        UPDATE attachments SET message_id = m.id, ticket_id = m.ticket_id FROM m JOIN x ON ${messageId} = m.id
        WHERE attachments.tenant_id = x.tenant_id AND attachments.message_id IS NULL
          AND attachments.id IN (SELECT jsonb_array_elements_text(x.attachment_ids)::uuid)
          AND attachments.uploader_type = ${uploaderType} AND attachments.uploader_id IS NOT DISTINCT FROM ${uploaderId}
        RETURNING attachments.id, attachments.message_id)`;

/**
 * `buildInsertTicket` for many tickets whose requester is known by id (no idempotency key), as one statement: one row
 * of `x` per ticket, each with its own workspace, actor and uploads. A ticket whose requester does not exist in its
 * workspace gets no row. The same SQL text for any number of tickets (one prepared statement).
 */
const INSERT_TICKETS = `
      WITH x AS (
        SELECT * FROM unnest($1::int[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::uuid[],
                             $9::uuid[], $10::uuid[], $11::jsonb[], $12::jsonb[], $13::boolean[], $14::uuid[], $15::text[],
                             $16::text[], $17::text[], $18::uuid[], $19::text[], $20::jsonb[], $21::text[], $22::uuid[],
                             $23::text[], $24::jsonb[])
          AS x(i, tenant_id, id, seq, subject, priority, channel, customer_id, assignee_id, team_id, tags, custom_fields,
               routed, message_id, body_text, body_html, author_type, author_id, external_id, event_data, actor_type,
               actor_id, request_id, attachment_ids)
      ),
      c AS (SELECT x.i, c.id, c.name, c.email FROM x JOIN customers c ON c.tenant_id = x.tenant_id AND c.id = x.customer_id),
      t AS (
        INSERT INTO tickets (id, tenant_id, number, subject, priority, channel, requester_id, assignee_id, team_id, tags, custom_fields, routed_at)
        SELECT x.id, x.tenant_id, nextval(x.seq::regclass), x.subject, x.priority, x.channel, c.id, x.assignee_id, x.team_id,
               ARRAY(SELECT jsonb_array_elements_text(x.tags)), x.custom_fields, CASE WHEN x.routed THEN now() END
        FROM x JOIN c ON c.i = x.i ORDER BY x.i
        RETURNING *
      ),
      m AS (
        INSERT INTO messages (id, tenant_id, ticket_id, kind, author_type, author_id, body_text, body_html, channel, external_id)
        SELECT x.message_id, t.tenant_id, t.id, 'public', x.author_type, coalesce(x.author_id, t.requester_id), x.body_text,
               x.body_html, t.channel, x.external_id
        FROM t JOIN x ON x.id = t.id
        RETURNING id, ticket_id
      ),
      ${attachManySql('x.message_id', 'x.actor_type', 'x.actor_id')},
      e AS (
        INSERT INTO ticket_events (tenant_id, ticket_id, type, actor_type, actor_id, visibility, data)
        SELECT t.tenant_id, t.id, 'ticket.created', x.actor_type, x.actor_id, 'public',
               x.event_data || jsonb_build_object('number', t.number, 'requester',
                 jsonb_build_object('id', c.id, 'name', c.name, 'email', c.email), 'createdAt', t.created_at, 'version', t.version)
        FROM t JOIN x ON x.id = t.id JOIN c ON c.i = x.i ORDER BY x.i
        RETURNING id, ticket_id, created_at, data
      ),
      a AS (
        INSERT INTO audit_log (tenant_id, actor_type, actor_id, action, entity_type, entity_id, data, request_id)
        SELECT x.tenant_id, x.actor_type, x.actor_id, 'ticket.created', 'ticket', x.id, jsonb_build_object('eventId', e.id), x.request_id
        FROM e JOIN x ON x.id = e.ticket_id
      ),
      -- As in buildInsertTicket: the new ticket's facts for reports, from its one event.
      f AS (
        INSERT INTO ticket_facts (tenant_id, ticket_id, created_at, channel, priority, status, team_id, assignee_id, tags,
                                  customer_messages, last_event_id)
        SELECT t.tenant_id, t.id, t.created_at, t.channel, t.priority, t.status, t.team_id, t.assignee_id, t.tags,
               CASE WHEN x.author_type = 'customer' THEN 1 ELSE 0 END, e.id
        FROM t JOIN x ON x.id = t.id JOIN e ON e.ticket_id = t.id
      )
      SELECT t.*, c.name AS requester_name, c.email AS requester_email, e.id AS event_id, e.created_at AS event_created_at,
             e.data AS event_data, ARRAY(SELECT att.id::text FROM att WHERE att.message_id = m.id) AS attached
      FROM t JOIN x ON x.id = t.id JOIN c ON c.i = x.i JOIN e ON e.ticket_id = t.id JOIN m ON m.ticket_id = t.id`;

/**
 * `insertMessage` for many customers' public messages (mail replies), each on another ticket, written by an actor who
 * sees every ticket: one row of `x` per message, each with its own workspace and uploads. A message whose ticket is
 * closed or missing, or whose external id is stored already, gets no row.
 */
const INSERT_CUSTOMER_MESSAGES = `
      WITH x AS (
        SELECT * FROM unnest($1::int[], $2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::text[], $7::text[], $8::text[],
                             $9::text[], $10::jsonb[], $11::text[], $12::uuid[], $13::text[], $14::jsonb[])
          AS x(i, tenant_id, id, ticket_id, author_id, body_text, body_html, channel, external_id, event_data,
               uploader_type, uploader_id, request_id, attachment_ids)
      ),
      m AS (
        INSERT INTO messages (id, tenant_id, ticket_id, kind, author_type, author_id, body_text, body_html, channel, external_id, mentions, created_at)
        SELECT x.id, x.tenant_id, tk.id, 'public', 'customer', x.author_id, x.body_text, x.body_html,
               coalesce(x.channel, tk.channel), x.external_id, '{}'::uuid[], clock_timestamp()
        FROM x JOIN tickets tk ON tk.tenant_id = x.tenant_id AND tk.id = x.ticket_id AND tk.status <> 'closed'
        ORDER BY x.i
        ON CONFLICT (tenant_id, channel, external_id) WHERE external_id IS NOT NULL DO NOTHING
        RETURNING *
      ),
      t AS (
        UPDATE tickets SET
          status = ${statusCase('customer', false, 'tickets.status')},
          solved_at = CASE WHEN ${statusCase('customer', false, 'tickets.status')} = 'solved' THEN tickets.solved_at END,
          last_message_at = now(), version = tickets.version + 1, updated_at = now()
        FROM m WHERE tickets.tenant_id = m.tenant_id AND tickets.id = m.ticket_id
        RETURNING tickets.*
      ),
      ${attachManySql('x.id', 'x.uploader_type', 'x.uploader_id')},
      e AS (
        INSERT INTO ticket_events (tenant_id, ticket_id, type, actor_type, actor_id, visibility, data)
        SELECT t.tenant_id, t.id, 'message.created', 'customer', m.author_id, 'public',
               x.event_data || jsonb_build_object('channel', t.channel, 'ticket', jsonb_build_object('status', t.status,
                 'version', t.version, 'updatedAt', t.updated_at, 'firstResponseAt', t.first_response_at), 'createdAt', m.created_at)
        FROM m JOIN t ON t.id = m.ticket_id JOIN x ON x.id = m.id ORDER BY x.i
        RETURNING id, ticket_id, created_at, data
      ),
      a AS (
        INSERT INTO audit_log (tenant_id, actor_type, actor_id, action, entity_type, entity_id, data, request_id)
        SELECT x.tenant_id, 'customer', x.author_id, 'message.created', 'ticket', x.ticket_id, jsonb_build_object('eventId', e.id), x.request_id
        FROM e JOIN x ON x.ticket_id = e.ticket_id
      )
      SELECT row_to_json(m.*) AS message, ${TICKET_SELECT}, e.id AS event_id, e.created_at AS event_created_at, e.data AS event_data,
             ARRAY(SELECT f.user_id FROM ticket_followers f WHERE f.tenant_id = t.tenant_id AND f.ticket_id = t.id) AS follower_ids,
             ARRAY(SELECT att.id::text FROM att WHERE att.message_id = m.id) AS attached
      FROM t ${REQUESTER_JOIN} JOIN m ON m.ticket_id = t.id JOIN e ON e.ticket_id = t.id`;

/** Where a row of a multi-row write came from: its workspace and request (the context of the call that asked). */
interface Asked<I> {
  tenantId: string;
  requestId: string | null;
  item: I;
}

/**
 * The rows asked for within one open transaction by one callback of the event loop (and the promise continuations it
 * set off), written together by `write` once that callback is done (`TurnBatch`, `end: 'callback'`): `write` answers
 * one result per row, null where it wrote nothing; if it fails, every row of it fails with its error.
 */
class InCallback<I, R> {
  private readonly batches = new WeakMap<EntityManager, TurnBatch<Asked<I> & { result?: R | null }>>();

  constructor(private readonly write: (asked: Array<Asked<I>>, manager: EntityManager) => Promise<Array<R | null>>) {}

  async add(asked: Asked<I>, manager: EntityManager): Promise<R | null> {
    let batch = this.batches.get(manager);
    if (!batch) {
      batch = new TurnBatch(
        async (queued) => {
          const results = await this.write(queued, manager);
          queued.forEach((q, i) => (q.result = results[i]));
        },
        { end: 'callback' },
      );
      this.batches.set(manager, batch);
    }
    const entry: Asked<I> & { result?: R | null } = { ...asked };
    await batch.add(entry); // rejects, for every row of it, when the write failed
    return entry.result ?? null;
  }
}

/**
 * Every ticket query. The tenant comes from the context, never from a caller; writes append their event
 * and audit rows in the same statement (one round trip, one transaction).
 */
@Injectable()
export class TicketsRepository {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ctx: TenantContext,
  ) {}

  async insertTicket(
    n: NewTicketRow,
    actor: ActorRef,
    manager?: EntityManager,
  ): Promise<{ row: Row; event: TicketEventRecord } | null> {
    const { sql, values } = buildInsertTicket(this.ctx.tenantId, this.ctx.requestId ?? null, n, actor);
    const [row] = await queryPrepared(manager ?? this.db, sql, values);
    if (!row) return null;
    const event = eventRecord(row, this.ctx.tenantId, row.id, 'ticket.created', actor, 'public');
    if (row.routed_at) event.routed = true;
    return { row, event };
  }

  /**
   * `insertTicket` inside a caller's transaction that creates many tickets at once (mail ingested in batches): the
   * tickets asked for by one callback of the event loop (and its promise continuations) go out as one statement
   * (INSERT_TICKETS), which costs the database about half the work of one statement each. If that statement fails,
   * every ticket of it fails (the caller's transaction rolls back). A ticket with an idempotency key or a requester
   * to upsert goes alone.
   */
  insertTicketInTurn(
    n: NewTicketRow,
    actor: ActorRef,
    manager: EntityManager,
  ): Promise<{ row: Row; event: TicketEventRecord } | null> {
    if (!n.requester.customerId || n.idempotency) return this.insertTicket(n, actor, manager);
    return this.ticketsInTurn.add(
      { tenantId: this.ctx.tenantId, requestId: this.ctx.requestId ?? null, item: { n, actor } },
      manager,
    );
  }

  private readonly ticketsInTurn = new InCallback<
    { n: NewTicketRow; actor: ActorRef },
    { row: Row; event: TicketEventRecord }
  >(async (asked, manager) => {
    const col = <T>(f: (a: Asked<{ n: NewTicketRow; actor: ActorRef }>, i: number) => T) => asked.map(f);
    const rows: Row[] = await queryPrepared(manager, INSERT_TICKETS, [
      col((_, i) => i),
      col((a) => a.tenantId),
      col((a) => a.item.n.id),
      col((a) => ticketSequenceName(a.tenantId)),
      col((a) => a.item.n.subject),
      col((a) => a.item.n.priority),
      col((a) => a.item.n.channel),
      col((a) => a.item.n.requester.customerId),
      col((a) => a.item.n.assigneeId),
      col((a) => a.item.n.teamId),
      col((a) => JSON.stringify(a.item.n.tags)),
      col((a) => JSON.stringify(a.item.n.customFields)),
      col((a) => !!a.item.n.routed),
      col((a) => a.item.n.message.id),
      col((a) => a.item.n.message.text),
      col((a) => a.item.n.message.html),
      col((a) => a.item.n.message.author.type),
      col((a) => a.item.n.message.author.id),
      col((a) => a.item.n.message.externalId),
      col((a) => JSON.stringify(a.item.n.eventData)),
      col((a) => a.item.actor.type),
      col((a) => a.item.actor.id),
      col((a) => a.requestId),
      col((a) => JSON.stringify(a.item.n.message.attachmentIds ?? [])),
    ]);
    const byId = new Map(rows.map((r) => [r.id as string, r]));
    return asked.map(({ tenantId, item }) => {
      const row = byId.get(item.n.id);
      if (!row) return null;
      const event = eventRecord(row, tenantId, row.id, 'ticket.created', item.actor, 'public');
      if (row.routed_at) event.routed = true;
      return { row, event };
    });
  });

  /**
   * `insertMessage` inside a caller's transaction that writes many messages at once (mail ingested in batches): a
   * customer's public message written by an actor who sees every ticket (the ingest's system actor) waits for the
   * others asked for by the same callback of the event loop, and they go out as one statement
   * (INSERT_CUSTOMER_MESSAGES), two on one ticket in statements one after the other. Any other message goes alone.
   */
  insertMessageInTurn(
    n: NewMessageRow,
    manager: EntityManager,
  ): Promise<{ row: Row; ticket: Row; event: TicketEventRecord } | null> {
    const actor = this.ctx.actor;
    const customerMessage =
      n.kind === 'public' &&
      n.authorRole === 'customer' &&
      n.author.type === 'customer' &&
      !n.mentions.length &&
      !n.reviewState &&
      seesEveryTicket(actor);
    if (!customerMessage) return this.insertMessage(n, manager);
    return this.messagesInTurn.add(
      { tenantId: this.ctx.tenantId, requestId: this.ctx.requestId ?? null, item: n },
      manager,
    );
  }

  private readonly messagesInTurn = new InCallback<NewMessageRow, { row: Row; ticket: Row; event: TicketEventRecord }>(
    async (asked, manager) => {
      // One message per ticket in a statement (its UPDATE moves each ticket once); a second goes in the next one.
      const rounds: Array<Array<Asked<NewMessageRow>>> = [];
      for (const a of asked) {
        const free = rounds.find(
          (r) => !r.some((o) => o.tenantId === a.tenantId && o.item.ticketId === a.item.ticketId),
        );
        if (free) free.push(a);
        else rounds.push([a]);
      }
      const written = new Map<Asked<NewMessageRow>, { row: Row; ticket: Row; event: TicketEventRecord }>();
      for (const round of rounds) {
        const col = <T>(f: (a: Asked<NewMessageRow>, i: number) => T) => round.map(f);
        const rows: Row[] = await queryPrepared(manager, INSERT_CUSTOMER_MESSAGES, [
          col((_, i) => i),
          col((a) => a.tenantId),
          col((a) => a.item.id),
          col((a) => a.item.ticketId),
          col((a) => a.item.author.id),
          col((a) => a.item.text),
          col((a) => a.item.html),
          col((a) => a.item.channel),
          col((a) => a.item.externalId),
          col((a) => JSON.stringify(a.item.eventData)),
          col((a) => a.item.uploader.type),
          col((a) => a.item.uploader.id),
          col((a) => a.requestId),
          col((a) => JSON.stringify(a.item.attachmentIds)),
        ]);
        const byId = new Map(rows.map((r) => [r.message.id as string, r]));
        for (const a of round) {
          const row = byId.get(a.item.id);
          if (!row) continue;
          const event = eventRecord(row, a.tenantId, a.item.ticketId, 'message.created', a.item.author, 'public');
          event.route!.followers = row.follower_ids;
          written.set(a, { row: row.message, ticket: row, event });
        }
      }
      return asked.map((a) => written.get(a) ?? null);
    },
  );

  /** Whether the workspace holds experts' public replies for approval (`settings.expertReview`). */
  async expertReview(): Promise<boolean> {
    const [row] = await this.db.query(`SELECT settings->>'expertReview' = 'true' AS on FROM tenants WHERE id = $1`, [
      this.ctx.tenantId,
    ]);
    return row?.on === true;
  }

  async findIdempotent(scope: string, key: string): Promise<{ requestHash: string; resourceId: string } | null> {
    const [row] = await this.db.query(
      `SELECT request_hash, resource_id FROM idempotency_keys WHERE tenant_id = $1 AND scope = $2 AND key = $3`,
      [this.ctx.tenantId, scope, key],
    );
    return row ? { requestHash: row.request_hash, resourceId: row.resource_id } : null;
  }

  /** A ticket the actor may see, by id or number; null when it does not exist for them. */
  async findVisible(
    actor: Actor,
    by: { id: string } | { number: number },
    manager?: EntityManager,
  ): Promise<Row | null> {
    const p = new Params();
    const tenant = p.add(this.ctx.tenantId);
    const key = 'id' in by ? `t.id = ${p.add(by.id)}` : `t.number = ${p.add(by.number)}`;
    const sql = `SELECT ${TICKET_SELECT} FROM tickets t ${REQUESTER_JOIN}
                 WHERE t.tenant_id = ${tenant} AND ${key} AND ${visibleTo(actor, p)}`;
    const [row] = await queryPrepared(manager ?? this.db, sql, p.values);
    return row ?? null;
  }

  /** Of `ids`, those of tickets the context's actor may see (in no particular order); the others are left out. */
  async visibleIds(ids: string[]): Promise<string[]> {
    if (!ids.length) return [];
    const p = new Params();
    const sql = `SELECT t.id FROM tickets t WHERE t.tenant_id = ${p.add(this.ctx.tenantId)}
                 AND t.id = ANY(${p.add(ids)}::uuid[]) AND ${visibleTo(this.ctx.actor, p)}`;
    const rows: Row[] = await this.db.query(sql, p.values);
    return rows.map((r) => r.id);
  }

  /**
   * Who may see a ticket the context's actor may see (its requester, team, assignee and the people it was shared
   * with), from one lean query; null when it does not exist for the actor.
   */
  async audience(ticketId: string): Promise<AudienceRoute | null> {
    const p = new Params();
    const sql = `SELECT t.requester_id, t.team_id, t.assignee_id, t.shared_with FROM tickets t
                 WHERE t.tenant_id = ${p.add(this.ctx.tenantId)} AND t.id = ${p.add(ticketId)} AND ${visibleTo(this.ctx.actor, p)}`;
    const [row] = await this.db.query(sql, p.values);
    if (!row) return null;
    return {
      requesterId: row.requester_id,
      teamId: row.team_id ?? null,
      assigneeId: row.assignee_id ?? null,
      sharedWith: row.shared_with ?? [],
    };
  }

  async list(actor: Actor, f: TicketFilters): Promise<Row[]> {
    const p = new Params();
    const tenant = p.add(this.ctx.tenantId);
    const where = [`t.tenant_id = ${tenant}`, visibleTo(actor, p)];
    if (f.status?.length) where.push(`t.status = ANY(${p.add(f.status)}::text[])`);
    if (f.priority?.length) where.push(`t.priority = ANY(${p.add(f.priority)}::text[])`);
    if (f.assigneeId === null) where.push(`t.assignee_id IS NULL`);
    else if (f.assigneeId) where.push(`t.assignee_id = ${p.add(f.assigneeId)}`);
    if (f.teamId) where.push(`t.team_id = ${p.add(f.teamId)}`);
    if (f.tag) where.push(`t.tags @> ARRAY[${p.add(f.tag)}]::text[]`);
    if (f.requesterId) where.push(`t.requester_id = ${p.add(f.requesterId)}`);
    if (f.escalatedTo)
      where.push(`t.id IN (SELECT x.ticket_id FROM ticket_escalations x WHERE x.tenant_id = ${tenant}
                             AND ${asksOnOpenEscalation(`${p.add(f.escalatedTo)}::uuid`, 'x')})`);
    if (f.followedBy)
      where.push(
        `t.id IN (SELECT x.ticket_id FROM ticket_followers x WHERE x.tenant_id = ${tenant} AND x.user_id = ${p.add(f.followedBy)})`,
      );
    if (f.q) {
      const like = p.add(likeContains(f.q));
      const number = /^#?\d{1,15}$/.test(f.q) ? ` OR t.number = ${p.add(Number(f.q.replace('#', '')))}` : '';
      // Two index-friendly halves (trigram GIN on subject and on message bodies) rather than one OR across a join.
      where.push(`(t.id IN (SELECT s.id FROM tickets s WHERE s.tenant_id = ${tenant} AND s.subject ILIKE ${like}
                             UNION SELECT m.ticket_id FROM messages m WHERE m.tenant_id = ${tenant} AND m.body_text ILIKE ${like})${number})`);
    }
    const col = f.sort === 'updated' ? 't.updated_at' : 't.created_at';
    if (f.after) where.push(`(${col}, t.id) < (${p.add(f.after[0])}::timestamptz, ${p.add(f.after[1])}::uuid)`);
    const sql = `SELECT ${TICKET_SELECT} FROM tickets t ${REQUESTER_JOIN}
                 WHERE ${where.join(' AND ')} ORDER BY ${col} DESC, t.id DESC LIMIT ${p.add(f.limit + 1)}`;
    return this.db.query(sql, p.values);
  }

  /** Applies `set` if the ticket is still at `version`; null means someone changed it first. */
  async updateTicket(
    id: string,
    version: number,
    set: Record<string, { sql: string; value?: unknown }>,
    type: string,
    actor: ActorRef,
    changes: Record<string, unknown>,
  ): Promise<{ row: Row; event: TicketEventRecord } | null> {
    const p = new Params();
    const tenant = p.add(this.ctx.tenantId);
    const assignments = Object.entries(set).map(
      ([column, v]) => `${column} = ${v.sql.replace('?', () => p.add(v.value))}`,
    );
    const data = `jsonb_build_object('changes', ${p.add(JSON.stringify(changes))}::jsonb, 'version', t.version, 'updatedAt', t.updated_at)`;
    const sql = `
      WITH t AS (
        UPDATE tickets SET ${[...assignments, 'version = version + 1', 'updated_at = now()'].join(', ')}
        WHERE tenant_id = ${tenant} AND id = ${p.add(id)} AND version = ${p.add(version)}
        RETURNING *
      ),
      ${eventAndAudit(p, tenant, this.ctx.requestId ?? null, type, actor, 'public', data)}
      SELECT ${TICKET_SELECT}, e.id AS event_id, e.created_at AS event_created_at, e.data AS event_data
      FROM t ${REQUESTER_JOIN} CROSS JOIN e`;
    const [row] = await queryPrepared(this.db, sql, p.values);
    if (!row) return null;
    return { row, event: eventRecord(row, this.ctx.tenantId, id, type, actor, 'public') };
  }

  /**
   * Inserts a message and moves the ticket (status, version, timestamps) in one statement, if the context's actor
   * may see the ticket. Returns null when the ticket is not visible, closed, or the message's external id was
   * already stored (the caller tells which).
   */
  async insertMessage(
    n: NewMessageRow,
    manager?: EntityManager,
  ): Promise<{ row: Row; ticket: Row; event: TicketEventRecord } | null> {
    const p = new Params();
    const tenant = p.add(this.ctx.tenantId);
    const publicStaff = n.kind === 'public' && n.authorRole === 'staff';
    const visibility = n.kind === 'internal' ? 'internal' : 'public';
    // The ticket after the change travels with the event (firstResponseAt spares the SLA engine a query per reply).
    const data = `${p.add(JSON.stringify(n.eventData))}::jsonb || jsonb_build_object('channel', t.channel, 'ticket',
      jsonb_build_object('status', t.status, 'version', t.version, 'updatedAt', t.updated_at, 'firstResponseAt', t.first_response_at),
      'createdAt', m.created_at)`;
    const attach = n.attachmentIds.length ? `, ${attachSql(p, tenant, n.attachmentIds, n.uploader)}` : '';
    const sql = `
      WITH m AS (
        INSERT INTO messages (id, tenant_id, ticket_id, kind, author_type, author_id, body_text, body_html, channel, external_id, mentions, review_state, delivery_state, created_at)
        SELECT ${p.add(n.id)}, ${tenant}, tk.id, ${p.add(n.kind)}, ${p.add(n.author.type)}, ${p.add(n.author.id)}, ${p.add(n.text)},
               ${p.add(n.html)}, coalesce(${p.add(n.channel)}::text, tk.channel), ${p.add(n.externalId)}, ${p.add(n.mentions)}::uuid[], ${p.add(n.reviewState ?? null)},
               -- A staff public reply on a ticket of a delivering channel waits for the outbound worker.
               ${publicStaff ? `CASE WHEN tk.channel IN ('email', 'wechat') THEN 'queued' END` : 'NULL'},
               -- The statement's own time, not its transaction's: messages written in one transaction (mail
               -- ingested in batches) keep the order they were written in.
               clock_timestamp()
        FROM tickets tk WHERE tk.tenant_id = ${tenant} AND tk.id = ${p.add(n.ticketId)} AND tk.status <> 'closed'
          AND ${visibleTo(this.ctx.actor, p, 'tk')}
        ON CONFLICT (tenant_id, channel, external_id) WHERE external_id IS NOT NULL DO NOTHING
        RETURNING *
      ),
      t AS (
        UPDATE tickets SET
          status = ${statusCase(n.authorRole, n.kind !== 'public', 'tickets.status')},
          solved_at = CASE WHEN ${statusCase(n.authorRole, n.kind !== 'public', 'tickets.status')} = 'solved' THEN tickets.solved_at END,
          first_response_at = ${publicStaff ? 'coalesce(tickets.first_response_at, now())' : 'tickets.first_response_at'},
          last_message_at = ${n.kind === 'internal' ? 'tickets.last_message_at' : 'now()'},${
            n.mentions.length
              ? `
          shared_with = ARRAY(SELECT DISTINCT u FROM unnest(tickets.shared_with || ${p.add(n.mentions)}::uuid[]) u),`
              : ''
          }
          version = tickets.version + 1, updated_at = now()
        FROM m WHERE tickets.tenant_id = ${tenant} AND tickets.id = m.ticket_id
        RETURNING tickets.*
      )${attach}${
        n.mentions.length
          ? `,
      g AS (
        -- A mention grants the mentioned people access to this ticket alone (no expiry).
        INSERT INTO ticket_grants (ticket_id, user_id, tenant_id, reason, granted_by)
        SELECT m.ticket_id, u, ${tenant}, 'mention', ${p.add(n.author.type === 'user' ? n.author.id : null)}::uuid
        FROM m, unnest(m.mentions) u
        ON CONFLICT (ticket_id, user_id) DO UPDATE SET expires_at = NULL WHERE ticket_grants.expires_at IS NOT NULL
        RETURNING 1)`
          : ''
      },
      ${eventAndAudit(p, tenant, this.ctx.requestId ?? null, 'message.created', n.author, visibility, data, 't, m')}
      SELECT row_to_json(m.*) AS message, ${TICKET_SELECT}, e.id AS event_id, e.created_at AS event_created_at, e.data AS event_data,
             ARRAY(SELECT f.user_id FROM ticket_followers f WHERE f.tenant_id = ${tenant} AND f.ticket_id = t.id) AS follower_ids
        ${n.attachmentIds.length ? `, ${ATTACHED}` : ''}${
          n.author.type === 'user' && n.author.id
            ? `,
             EXISTS (SELECT 1 FROM ticket_escalations x WHERE x.tenant_id = ${tenant} AND x.ticket_id = t.id
                       AND ${asksOnOpenEscalation(`${p.add(n.author.id)}::uuid`, 'x')}) AS answers_escalation`
            : ''
        }
      FROM t ${REQUESTER_JOIN} CROSS JOIN m CROSS JOIN e`;
    const [row] = await queryPrepared(manager ?? this.db, sql, p.values);
    if (!row) return null;
    const event = eventRecord(row, this.ctx.tenantId, n.ticketId, 'message.created', n.author, visibility);
    event.route!.followers = row.follower_ids;
    if (typeof row.answers_escalation === 'boolean') event.route!.answersEscalation = row.answers_escalation;
    return { row: row.message, ticket: row, event };
  }

  /** The customer's newest conversation on a channel that is still going (not solved or closed). */
  async openConversation(requesterId: string, channel: string): Promise<string | null> {
    const [row] = await this.db.query(
      `SELECT id FROM tickets WHERE tenant_id = $1 AND requester_id = $2 AND channel = $3 AND status NOT IN ('solved', 'closed')
       ORDER BY created_at DESC LIMIT 1`,
      [this.ctx.tenantId, requesterId, channel],
    );
    return row?.id ?? null;
  }

  /** An event that changes no ticket row (read receipts): the event alone, in one statement. */
  async appendEvent(
    ticketId: string,
    type: string,
    actor: ActorRef,
    visibility: 'public' | 'internal',
    data: Record<string, unknown>,
    manager?: EntityManager,
  ): Promise<TicketEventRecord | null> {
    const [row] = await (manager ?? this.db).query(
      `WITH e AS (
         INSERT INTO ticket_events (tenant_id, ticket_id, type, actor_type, actor_id, visibility, data)
         SELECT tenant_id, id, $3, $4, $5, $6, $7::jsonb FROM tickets WHERE tenant_id = $1 AND id = $2
         RETURNING id, created_at, data, ticket_id)
       SELECT e.id AS event_id, e.created_at AS event_created_at, e.data AS event_data, t.team_id, t.assignee_id, t.requester_id, t.shared_with
       FROM e JOIN tickets t ON t.id = e.ticket_id`,
      [this.ctx.tenantId, ticketId, type, actor.type, actor.id, visibility, JSON.stringify(data)],
    );
    return row ? eventRecord(row, this.ctx.tenantId, ticketId, type, actor, visibility) : null;
  }

  /** Moves a message's delivery state and appends its event, in one statement; null if it was not in `from`. */
  async setDeliveryState(
    ticketId: string,
    messageId: string,
    from: string[],
    to: string,
    type: string,
    visibility: 'public' | 'internal',
    data: Record<string, unknown>,
  ): Promise<TicketEventRecord | null> {
    const [row] = await this.db.query(
      `WITH m AS (
         UPDATE messages SET delivery_state = $4 WHERE tenant_id = $1 AND ticket_id = $2 AND id = $3 AND delivery_state = ANY($5::text[])
         RETURNING ticket_id),
       e AS (
         INSERT INTO ticket_events (tenant_id, ticket_id, type, actor_type, actor_id, visibility, data)
         SELECT $1, m.ticket_id, $6, 'system', NULL, $7, $8::jsonb FROM m RETURNING id, created_at, data, ticket_id)
       SELECT e.id AS event_id, e.created_at AS event_created_at, e.data AS event_data, t.team_id, t.assignee_id, t.requester_id, t.shared_with
       FROM e JOIN tickets t ON t.id = e.ticket_id`,
      [this.ctx.tenantId, ticketId, messageId, to, from, type, visibility, JSON.stringify(data)],
    );
    return row ? eventRecord(row, this.ctx.tenantId, ticketId, type, { type: 'system', id: null }, visibility) : null;
  }

  async findMessageByExternalId(channel: string, externalId: string, manager?: EntityManager): Promise<Row | null> {
    const [row] = await (manager ?? this.db).query(
      `SELECT * FROM messages WHERE tenant_id = $1 AND channel = $2 AND external_id = $3`,
      [this.ctx.tenantId, channel, externalId],
    );
    return row ?? null;
  }

  /** A conversation page, oldest first, with author names and attachments. */
  async messages(
    ticketId: string,
    opts: { publicOnly: boolean; after?: [string, string]; limit: number; id?: string; newestFirst?: boolean },
    manager?: EntityManager,
  ): Promise<Row[]> {
    const p = new Params();
    const tenant = p.add(this.ctx.tenantId);
    const where = [`m.tenant_id = ${tenant}`, `m.ticket_id = ${p.add(ticketId)}`];
    if (opts.publicOnly) where.push(`m.kind = 'public'`);
    if (opts.id) where.push(`m.id = ${p.add(opts.id)}`);
    if (opts.after)
      where.push(
        `(m.created_at, m.id) ${opts.newestFirst ? '<' : '>'} (${p.add(opts.after[0])}::timestamptz, ${p.add(opts.after[1])}::uuid)`,
      );
    const sql = `
      SELECT m.*,
        CASE m.author_type WHEN 'user' THEN u.name WHEN 'customer' THEN c.name WHEN 'api_key' THEN k.name END AS author_name,
        coalesce((SELECT json_agg(json_build_object('id', a.id, 'filename', a.filename, 'content_type', a.content_type, 'size', a.size) ORDER BY a.created_at)
                  FROM attachments a WHERE a.tenant_id = m.tenant_id AND a.message_id = m.id), '[]') AS attachments
      FROM messages m
      LEFT JOIN users u ON m.author_type = 'user' AND u.id = m.author_id AND u.tenant_id = m.tenant_id
      LEFT JOIN customers c ON m.author_type = 'customer' AND c.id = m.author_id AND c.tenant_id = m.tenant_id
      LEFT JOIN api_keys k ON m.author_type = 'api_key' AND k.id = m.author_id AND k.tenant_id = m.tenant_id
      WHERE ${where.join(' AND ')}
      ORDER BY ${opts.newestFirst ? 'm.created_at DESC, m.id DESC' : 'm.created_at, m.id'} LIMIT ${p.add(opts.limit + 1)}`;
    return (manager ?? this.db).query(sql, p.values);
  }

  async events(ticketId: string, opts: { publicOnly: boolean; after?: string; limit: number }): Promise<Row[]> {
    const p = new Params();
    const where = [`tenant_id = ${p.add(this.ctx.tenantId)}`, `ticket_id = ${p.add(ticketId)}`];
    if (opts.publicOnly) where.push(`visibility = 'public'`);
    if (opts.after) where.push(`id > ${p.add(opts.after)}::bigint`);
    return this.db.query(
      `SELECT * FROM ticket_events WHERE ${where.join(' AND ')} ORDER BY id LIMIT ${p.add(opts.limit + 1)}`,
      p.values,
    );
  }

  /** Ids from `ids` that are not active staff of this tenant. */
  async unknownUsers(ids: string[]): Promise<string[]> {
    if (!ids.length) return [];
    const rows: Row[] = await this.db.query(
      `SELECT id FROM users WHERE tenant_id = $1 AND id = ANY($2::uuid[]) AND status = 'active'`,
      [this.ctx.tenantId, ids],
    );
    const found = new Set(rows.map((r) => r.id));
    return ids.filter((id) => !found.has(id));
  }

  async teamExists(id: string): Promise<boolean> {
    const rows = await this.db.query(`SELECT 1 FROM teams WHERE tenant_id = $1 AND id = $2`, [this.ctx.tenantId, id]);
    return rows.length > 0;
  }

  async customerExists(id: string, manager?: EntityManager): Promise<boolean> {
    const rows = await (manager ?? this.db).query(`SELECT 1 FROM customers WHERE tenant_id = $1 AND id = $2`, [
      this.ctx.tenantId,
      id,
    ]);
    return rows.length > 0;
  }

  /** Attachments that `uploader` uploaded and that no message holds yet. */
  transaction<T>(fn: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(fn);
  }

  /** Customer lookup by phone, for requesters known only by phone. */
  async customerIdByPhone(phone: string, name: string | null): Promise<string> {
    const [row] = await this.db.query(
      `WITH found AS (SELECT id FROM customers WHERE tenant_id = $1 AND phone = $2 ORDER BY created_at LIMIT 1),
            made AS (INSERT INTO customers (tenant_id, phone, name) SELECT $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM found) RETURNING id)
       SELECT id FROM found UNION ALL SELECT id FROM made`,
      [this.ctx.tenantId, phone, name],
    );
    return row.id;
  }
}
