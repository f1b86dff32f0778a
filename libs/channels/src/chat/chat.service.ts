import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'crypto';
import { DataSource } from 'typeorm';
import { AppError, ErrorCode } from '@crewdesk/common';
import { PG, pgCode, TenantContext } from '@crewdesk/db';
import { RateLimits } from '@crewdesk/queue';
import { TicketsService } from '@crewdesk/tickets';
import { verifyIdentity } from './identity';
import { WidgetSettingsService } from './widget-settings.service';

export const CHAT_LIMITS = {
  body: 4000,
  clientMessageId: 64,
  perVisitorPer10s: 20,
  perAddressPerMinute: 120,
  imageBytes: 10 * 1024 * 1024,
} as const;

export interface ChatIdentity {
  userId: string;
  hmac: string;
  name?: string;
  email?: string;
}

export interface SentMessage {
  id: string;
  ticketId: string;
  createdAt: string;
  duplicate: boolean;
}

/**
 * The chat channel: widget visitors (anonymous, or verified users of the host site) and their conversations,
 * each a ticket on channel `chat`. Runs with a customer or system actor of the workspace in context.
 */
@Injectable()
export class ChatService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ctx: TenantContext,
    private readonly tickets: TicketsService,
    private readonly settings: WidgetSettingsService,
    private readonly limits: RateLimits,
  ) {}

  /**
   * The customer a widget session speaks for. A verified identity (right HMAC) finds or becomes its customer,
   * taking over the anonymous visitor's conversation; a wrong HMAC never claims anything.
   */
  async resolveVisitor(currentCustomerId: string | null, identity?: ChatIdentity): Promise<string> {
    const tenantId = this.ctx.tenantId;
    if (!identity) return currentCustomerId ?? this.newVisitor();
    const { secret } = await this.settings.get();
    if (!verifyIdentity(secret, identity.userId, identity.hmac)) {
      throw new AppError(
        ErrorCode.IDENTITY_INVALID,
        'The identity could not be verified: check the HMAC of the user id',
        { field: 'identity.hmac' },
      );
    }
    const [known] = await this.db.query(
      `SELECT customer_id FROM customer_identities WHERE tenant_id = $1 AND type = 'external' AND value = $2`,
      [tenantId, identity.userId],
    );
    if (known) {
      if (currentCustomerId && currentCustomerId !== known.customer_id)
        await this.adoptAnonymous(currentCustomerId, known.customer_id);
      return known.customer_id;
    }
    // Only what the HMAC covers may link to an existing customer: the user id, or the address when the id is one.
    // An email passed beside the id is stored if free, never trusted to find someone.
    const signedEmail = /^[^\s@]+@[^\s@]+$/.test(identity.userId) ? identity.userId.trim().toLowerCase() : null;
    const email = signedEmail ?? identity.email?.trim().toLowerCase();
    const customerId = await this.db.transaction(async (m) => {
      let id: string | null = null;
      if (signedEmail) {
        const [byEmail] = await m.query(`SELECT id FROM customers WHERE tenant_id = $1 AND email = $2`, [
          tenantId,
          signedEmail,
        ]);
        id = byEmail?.id ?? null;
      }
      // An anonymous visitor becomes the verified user.
      if (!id && currentCustomerId && (await this.isAnonymous(currentCustomerId))) id = currentCustomerId;
      if (!id) {
        const [made] = await m.query(`INSERT INTO customers (tenant_id, name) VALUES ($1, $2) RETURNING id`, [
          tenantId,
          identity.name ?? null,
        ]);
        id = made.id as string;
      }
      await m.query(
        `UPDATE customers SET name = coalesce(name, $3),
           email = CASE WHEN email IS NULL AND NOT EXISTS (SELECT 1 FROM customers c2 WHERE c2.tenant_id = $1 AND c2.email = $4) THEN $4 ELSE email END,
           updated_at = now()
         WHERE tenant_id = $1 AND id = $2`,
        [tenantId, id, identity.name ?? null, email ?? null],
      );
      await m.query(
        `INSERT INTO customer_identities (tenant_id, customer_id, type, value) VALUES ($1, $2, 'external', $3) ON CONFLICT DO NOTHING`,
        [tenantId, id, identity.userId],
      );
      return id;
    });
    if (currentCustomerId && currentCustomerId !== customerId) await this.adoptAnonymous(currentCustomerId, customerId);
    return customerId;
  }

  private async newVisitor(): Promise<string> {
    const [row] = await this.db.query(
      `WITH c AS (INSERT INTO customers (tenant_id) VALUES ($1) RETURNING id)
       INSERT INTO customer_identities (tenant_id, customer_id, type, value) SELECT $1, c.id, 'widget', $2 FROM c RETURNING customer_id`,
      [this.ctx.tenantId, randomUUID()],
    );
    return row.customer_id;
  }

  private async isAnonymous(customerId: string): Promise<boolean> {
    const [row] = await this.db.query(
      `SELECT email IS NULL AND NOT EXISTS (SELECT 1 FROM customer_identities i WHERE i.tenant_id = c.tenant_id AND i.customer_id = c.id AND i.type <> 'widget') AS anonymous
       FROM customers c WHERE tenant_id = $1 AND id = $2`,
      [this.ctx.tenantId, customerId],
    );
    return !!row?.anonymous;
  }

  /** A verified user who chatted anonymously first keeps that conversation. */
  private async adoptAnonymous(anonymousId: string, customerId: string): Promise<void> {
    if (!(await this.isAnonymous(anonymousId))) return;
    await this.db.query(
      `UPDATE tickets SET requester_id = $3 WHERE tenant_id = $1 AND requester_id = $2 AND channel = 'chat'`,
      [this.ctx.tenantId, anonymousId, customerId],
    );
  }

  /** Stores a visitor's message: in their open conversation, or a new one. A resend with the same client id stores nothing new. */
  async send(
    customerId: string,
    input: { clientMessageId: string; body: string; attachmentIds?: string[] },
    address?: string,
  ): Promise<SentMessage> {
    await this.rateLimit(customerId, address);
    await this.checkImages(input.attachmentIds ?? []);
    const externalId = `${customerId}:${input.clientMessageId}`;
    const existing = await this.findSent(externalId);
    if (existing) return existing;
    const body = input.body.trim();
    try {
      const ticketId = await this.tickets.openConversation(customerId, 'chat');
      if (ticketId) {
        const { message, created } = await this.tickets.addMessage(ticketId, {
          body,
          attachmentIds: input.attachmentIds,
          channel: 'chat',
          externalId,
          clientMessageId: input.clientMessageId,
        });
        return { id: message.id, ticketId, createdAt: message.createdAt, duplicate: !created };
      }
      const subject = body ? body.replace(/\s+/g, ' ').slice(0, 80) : 'Chat';
      const { ticket, messageId } = await this.tickets.create({
        subject,
        body,
        channel: 'chat',
        requester: { customerId },
        externalId,
        clientMessageId: input.clientMessageId,
        attachmentIds: input.attachmentIds,
      });
      // Without an Idempotency-Key create() always creates and names the first message, which the ticket's own
      // statement wrote: it has the ticket's timestamp.
      return { id: messageId!, ticketId: ticket.id, createdAt: ticket.createdAt, duplicate: false };
    } catch (err) {
      // The same client id raced in on another connection: answer with the stored message.
      if (pgCode(err) === PG.UNIQUE_VIOLATION) {
        const sent = await this.findSent(externalId);
        if (sent) return sent;
      }
      throw err;
    }
  }

  private async findSent(externalId: string): Promise<SentMessage | null> {
    const [row] = await this.db.query(
      `SELECT id, ticket_id, created_at FROM messages WHERE tenant_id = $1 AND channel = 'chat' AND external_id = $2`,
      [this.ctx.tenantId, externalId],
    );
    return row
      ? { id: row.id, ticketId: row.ticket_id, createdAt: new Date(row.created_at).toISOString(), duplicate: true }
      : null;
  }

  /** Per visitor (20 in 10 s) and per address (120 a minute: many visitors can share one network). */
  private async rateLimit(customerId: string, address?: string): Promise<void> {
    const [visitor, network] = await Promise.all([
      this.limits.hit('chat', customerId, CHAT_LIMITS.perVisitorPer10s, 10),
      address ? this.limits.hit('chat-ip', address, CHAT_LIMITS.perAddressPerMinute, 60) : null,
    ]);
    const retryAfter = Math.max(visitor ?? 0, network ?? 0);
    if (retryAfter) {
      throw new AppError(ErrorCode.RATE_LIMITED, 'You are sending messages too fast; wait a few seconds', {
        retryAfter,
      });
    }
  }

  /** The widget sends images only, of at most 10 MB (types are sniffed from the bytes at upload). */
  private async checkImages(ids: string[]): Promise<void> {
    if (!ids.length) return;
    const rows: Array<{ content_type: string; size: number }> = await this.db.query(
      `SELECT content_type, size FROM attachments WHERE tenant_id = $1 AND id = ANY($2::uuid[])`,
      [this.ctx.tenantId, ids],
    );
    if (rows.some((r) => !r.content_type.startsWith('image/'))) {
      throw new AppError(ErrorCode.ATTACHMENT_INVALID, 'Only images can be sent in the chat', {
        field: 'attachmentIds',
      });
    }
    if (rows.some((r) => r.size > CHAT_LIMITS.imageBytes)) {
      throw new AppError(ErrorCode.PAYLOAD_TOO_LARGE, 'Images may be at most 10 MB', {
        maxBytes: CHAT_LIMITS.imageBytes,
      });
    }
  }

  /** An address to answer by when nobody is online: on the customer, or on the open conversation if another customer has it. */
  async leaveContact(customerId: string, email: string): Promise<void> {
    const tenantId = this.ctx.tenantId;
    const normalized = email.trim().toLowerCase();
    const [taken] = await this.db.query(`SELECT id FROM customers WHERE tenant_id = $1 AND email = $2`, [
      tenantId,
      normalized,
    ]);
    if (!taken) {
      await this.db.query(
        `UPDATE customers SET email = coalesce(email, $3), updated_at = now() WHERE tenant_id = $1 AND id = $2`,
        [tenantId, customerId, normalized],
      );
    }
    if (!taken || taken.id !== customerId) {
      await this.db.query(
        `INSERT INTO customer_identities (tenant_id, customer_id, type, value) VALUES ($1, $2, 'email', $3) ON CONFLICT DO NOTHING`,
        [tenantId, customerId, normalized],
      );
    }
  }
}
