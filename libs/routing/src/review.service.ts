import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppError, ErrorCode } from '@crewdesk/common';
import { Actor, can, queryRows, TenantContext } from '@crewdesk/db';
import { MessageView, TicketsService, TicketView } from '@crewdesk/tickets';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Row = Record<string, any>;

/**
 * Optional review of experts' replies: a workspace with `settings.expertReview` holds the public replies of people
 * brought in (those without `ticket.view_all` who are not the ticket's assignee) until the ticket's agent approves
 * them. A held reply is an internal message in `pending` review; approving posts it to the customer under the
 * expert's name, once (its external id is the held message's).
 */
@Injectable()
export class ReviewService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ctx: TenantContext,
    private readonly tickets: TicketsService,
  ) {}

  /** Whether the actor's public reply on this ticket waits for approval. */
  needsReview(ticket: TicketView, actor: Actor = this.ctx.actor): Promise<boolean> {
    return this.tickets.needsReview(ticket, actor);
  }

  private async held(ticketId: string, messageId: string): Promise<Row> {
    const [m] = await this.db.query(
      `SELECT m.*, u.name AS author_name FROM messages m LEFT JOIN users u ON u.id = m.author_id AND u.tenant_id = m.tenant_id
       WHERE m.tenant_id = $1 AND m.ticket_id = $2 AND m.id = $3`,
      [this.ctx.tenantId, ticketId, messageId],
    );
    if (!m || !m.review_state) throw AppError.notFound('Reply awaiting review');
    return m;
  }

  /** Only the ticket's agent (its assignee) or someone who sees every ticket may decide. */
  private async mayDecide(ticketId: string): Promise<TicketView> {
    const ticket = await this.tickets.get({ id: ticketId });
    const actor = this.ctx.actor;
    if (!can(actor, 'ticket.reply'))
      throw new AppError(ErrorCode.FORBIDDEN, 'This needs the permission ticket.reply', { missing: ['ticket.reply'] });
    if (ticket.assigneeId !== actor.id && !can(actor, 'ticket.view_all'))
      throw new AppError(ErrorCode.FORBIDDEN, "Only the ticket's agent can approve an expert's reply");
    return ticket;
  }

  async approve(ticketId: string, messageId: string): Promise<MessageView> {
    await this.mayDecide(ticketId);
    const m = await this.held(ticketId, messageId);
    if (m.review_state === 'rejected')
      throw new AppError(ErrorCode.CONFLICT, 'This reply was rejected; the expert can write a new one');
    const expert: Actor = {
      kind: 'user',
      id: m.author_id,
      tenantId: this.ctx.tenantId,
      // The approver's authority lets the expert's words out, even if their own access has ended since.
      permissions: new Set(['ticket.reply', 'ticket.view_all']),
      name: m.author_name ?? undefined,
    };
    const sent = await this.ctx.run(expert, () =>
      this.tickets.addMessage(ticketId, {
        body: m.body_text,
        html: m.body_html,
        channel: 'web',
        externalId: `review-${messageId}`,
      }),
    );
    await this.decide(ticketId, messageId, 'approved', { publicMessageId: sent.message.id });
    return sent.message;
  }

  async reject(ticketId: string, messageId: string, reason?: string): Promise<void> {
    await this.mayDecide(ticketId);
    const m = await this.held(ticketId, messageId);
    if (m.review_state === 'approved') throw new AppError(ErrorCode.CONFLICT, 'This reply was already sent');
    await this.decide(ticketId, messageId, 'rejected', { reason: reason ?? null });
  }

  private async decide(ticketId: string, messageId: string, to: 'approved' | 'rejected', data: Row): Promise<void> {
    const actor = this.ctx.actor;
    const event = await this.db.transaction(async (tx) => {
      const [row] = await queryRows(
        tx,
        `UPDATE messages SET review_state = $4 WHERE tenant_id = $1 AND ticket_id = $2 AND id = $3 AND review_state = 'pending'
         RETURNING author_id`,
        [this.ctx.tenantId, ticketId, messageId, to],
      );
      if (!row) return null; // decided already (a retry, or someone else first)
      return this.tickets.recordEvent(
        ticketId,
        'message.review_decided',
        { messageId, decision: to, expertId: row.author_id, by: actor.id, byName: actor.name ?? null, ...data },
        'internal',
        tx,
      );
    });
    this.tickets.publish([event]);
  }
}
