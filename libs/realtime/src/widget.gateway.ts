import { Logger } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import { TokensService } from '@crewdesk/auth';
import { Actor, TenantContext } from '@crewdesk/db';
import { TicketsService } from '@crewdesk/tickets';
import { ReplayService } from './replay.service';
import { NAMESPACES, rooms } from './rooms';
import { handshakeError, invalid, isUuid, markRead } from './socket-input';

interface CustomerSocketData {
  actor: Actor;
  /** Tickets this customer may type into (checked once each). */
  allowed: Set<string>;
  typingAt: Map<string, { typing: boolean; at: number }>;
}
type CustomerSocket = Socket & { data: CustomerSocketData };

/**
 * `/widget`: customers (a signed customer token at the handshake). They join only their own room, get only
 * the public events of their own tickets, and can signal typing.
 */
@WebSocketGateway({ namespace: NAMESPACES.widget, cors: { origin: true } })
export class WidgetGateway implements OnGatewayInit, OnGatewayConnection {
  private readonly logger = new Logger(WidgetGateway.name);
  @WebSocketServer() nsp: Namespace;

  constructor(
    private readonly tokens: TokensService,
    private readonly tenant: TenantContext,
    private readonly replay: ReplayService,
    private readonly tickets: TicketsService,
  ) {}

  afterInit(nsp: Namespace): void {
    nsp.use((socket, next) => {
      const token = socket.handshake.auth?.visitorToken ?? socket.handshake.auth?.token;
      if (typeof token !== 'string' || !token) return next(handshakeError(undefined));
      try {
        const claims = this.tokens.verify(token, 'portal');
        const actor: Actor = {
          kind: 'customer',
          id: claims.sub,
          customerId: claims.sub,
          tenantId: claims.tid,
          permissions: new Set(),
          ticketId: claims.tkt,
        };
        socket.data = { actor, allowed: new Set(), typingAt: new Map() } satisfies CustomerSocketData;
        next();
      } catch (err) {
        next(handshakeError(err));
      }
    });
  }

  async handleConnection(socket: CustomerSocket): Promise<void> {
    const { actor } = socket.data;
    if (!actor?.customerId) return void socket.disconnect(true);
    socket.join(rooms.customer(actor.tenantId, actor.customerId));
    try {
      socket.emit('replay', await this.replay.since(actor, socket.handshake.auth?.lastEventId));
    } catch (err) {
      this.logger.error({ err, tenantId: actor.tenantId }, 'Widget connect failed');
      socket.disconnect(true);
    }
  }

  /** The customer has read staff messages up to `messageId`. */
  @SubscribeMessage('message.read')
  read(@ConnectedSocket() socket: CustomerSocket, @MessageBody() body: { ticketId?: unknown; messageId?: unknown }) {
    return markRead(this.tenant, this.tickets, socket.data.actor, body);
  }

  @SubscribeMessage('typing')
  async typing(
    @ConnectedSocket() socket: CustomerSocket,
    @MessageBody() body: { ticketId?: unknown; typing?: unknown },
  ) {
    const { actor } = socket.data;
    if (!isUuid(body?.ticketId) || typeof body.typing !== 'boolean')
      return invalid('typing needs ticketId and typing (boolean)');
    const ticketId = body.ticketId;
    if (!socket.data.allowed.has(ticketId)) {
      const ticket = await this.tenant.run(actor, () => this.tickets.get({ id: ticketId }).catch(() => null));
      if (!ticket) return { code: 'NOT_FOUND', message: 'Ticket not found' };
      socket.data.allowed.add(ticketId);
    }
    const last = socket.data.typingAt.get(ticketId);
    const now = Date.now();
    if (last && last.typing === body.typing && now - last.at < 1000) return;
    socket.data.typingAt.set(ticketId, { typing: body.typing, at: now });
    this.nsp.server
      .of(NAMESPACES.agents)
      .to(rooms.ticket(actor.tenantId, ticketId))
      .volatile.emit('typing', { ticketId, userId: null, name: null, mode: 'message', typing: body.typing });
  }
}
