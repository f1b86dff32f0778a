import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import type { Socket } from 'socket.io';
import { CHAT_LIMITS, ChatService } from '@crewdesk/channels';
import { Actor, TenantContext } from '@crewdesk/db';
import { invalid, isUuid, NAMESPACES, toAck } from '@crewdesk/realtime';

interface SendBody {
  clientMessageId?: unknown;
  body?: unknown;
  attachmentIds?: unknown;
}

/**
 * `message.send` on `/widget` (the namespace's handshake and rooms are the realtime lib's): the message is
 * committed before the ack, and the ack carries its id. Acks are `{ id, ticketId, createdAt }` or `{ code, message }`.
 */
@WebSocketGateway({ namespace: NAMESPACES.widget, cors: { origin: true } })
export class WidgetChatGateway {
  constructor(
    private readonly chat: ChatService,
    private readonly tenant: TenantContext,
  ) {}

  @SubscribeMessage('message.send')
  async send(@ConnectedSocket() socket: Socket, @MessageBody() body: SendBody) {
    const actor = (socket.data as { actor?: Actor }).actor;
    if (!actor?.customerId) return { code: 'UNAUTHENTICATED', message: 'Start a widget session first' };
    if (typeof body?.clientMessageId !== 'string' || !/^[\w-]{1,64}$/.test(body.clientMessageId)) {
      return invalid(`clientMessageId must be 1 to ${CHAT_LIMITS.clientMessageId} letters, digits, - or _`);
    }
    const text = typeof body.body === 'string' ? body.body : body.body === undefined ? '' : null;
    if (text === null) return invalid('body must be text');
    if (text.length > CHAT_LIMITS.body) return invalid(`A message may be at most ${CHAT_LIMITS.body} characters`);
    const attachmentIds = body.attachmentIds ?? [];
    if (!Array.isArray(attachmentIds) || attachmentIds.length > 10 || !attachmentIds.every(isUuid)) {
      return invalid('attachmentIds must be up to 10 upload ids');
    }
    if (!text.trim() && !attachmentIds.length) return invalid('A message needs text or an image');
    try {
      const sent = await this.tenant.run(actor, () =>
        this.chat.send(
          actor.customerId!,
          { clientMessageId: body.clientMessageId as string, body: text, attachmentIds: attachmentIds as string[] },
          socket.handshake.address,
        ),
      );
      return { id: sent.id, ticketId: sent.ticketId, createdAt: sent.createdAt };
    } catch (err) {
      return toAck(err);
    }
  }
}
