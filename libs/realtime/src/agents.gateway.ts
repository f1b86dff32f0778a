import { BeforeApplicationShutdown, Logger } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayDisconnect,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import type { ErrorAck } from '@crewdesk/realtime-client';
import { AuthGuard } from '@crewdesk/auth';
import { Actor, can, TenantContext } from '@crewdesk/db';
import { TicketsService } from '@crewdesk/tickets';
import { PresenceService } from './presence.service';
import { ReplayService } from './replay.service';
import { NAMESPACES, rooms } from './rooms';
import { TicketAudience, TicketViewersPayload, viewerRooms } from './routing';
import { handshakeError, invalid, isUuid, markRead, notFound } from './socket-input';

interface AgentSocketData {
  actor: Actor;
  /**
   * Tickets this socket has open, with their requester (agents' reply typing reaches the customer) and who may
   * see them as of opening (where `ticket.viewers` goes).
   */
  viewing: Map<string, TicketAudience>;
  typingAt: Map<string, { typing: boolean; at: number }>;
}

type AgentSocket = Socket & { data: AgentSocketData };

const TYPING_MODES = new Set(['reply', 'note']);
/** Repeated "still typing" signals from one socket are coalesced to one per interval. */
const TYPING_INTERVAL_MS = 1000;

/**
 * `/agents`: staff (JWT or API key at the handshake). Rooms follow what the person may see; ticket events
 * arrive from the publisher; replay on connect; presence, viewing and typing.
 */
@WebSocketGateway({ namespace: NAMESPACES.agents, cors: { origin: true } })
export class AgentsGateway
  implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, BeforeApplicationShutdown
{
  private readonly logger = new Logger(AgentsGateway.name);
  @WebSocketServer() nsp: Namespace;
  /** While the process shuts down, sockets close without clean-up: their presence expires by itself. */
  private closing = false;

  constructor(
    private readonly auth: AuthGuard,
    private readonly tenant: TenantContext,
    private readonly replay: ReplayService,
    private readonly presence: PresenceService,
    private readonly tickets: TicketsService,
  ) {}

  afterInit(nsp: Namespace): void {
    nsp.use((socket, next) => {
      const token = socket.handshake.auth?.token;
      if (typeof token !== 'string' || !token) return next(handshakeError(undefined));
      this.auth
        .staff(token)
        .then((actor) => {
          socket.data = { actor, viewing: new Map(), typingAt: new Map() } satisfies AgentSocketData;
          next();
        })
        .catch((err) => next(handshakeError(err)));
    });
  }

  async handleConnection(socket: AgentSocket): Promise<void> {
    const { actor } = socket.data;
    if (!actor) return void socket.disconnect(true);
    const t = actor.tenantId;
    const join = [rooms.presence(t)];
    if (can(actor, 'ticket.view_all')) join.push(rooms.staff(t));
    for (const team of actor.teamIds ?? []) join.push(rooms.team(t, team));
    if (actor.kind === 'user' && actor.id) join.push(rooms.user(t, actor.id));
    socket.join(join);
    try {
      // Presence first: once a client has its replay, it counts as online everywhere.
      if (actor.kind === 'user' && actor.id) {
        const online = await this.presence.connect(t, actor.id, socket.id, actor.name ?? null);
        if (online) this.nsp.to(rooms.presence(t)).volatile.emit('presence', online);
      }
      socket.emit('replay', await this.replay.since(actor, socket.handshake.auth?.lastEventId));
    } catch (err) {
      this.logger.error({ err, tenantId: t }, 'Realtime connect failed');
      socket.disconnect(true);
    }
  }

  beforeApplicationShutdown(): void {
    this.closing = true;
  }

  async handleDisconnect(socket: AgentSocket): Promise<void> {
    const { actor, viewing } = socket.data ?? {};
    if (this.closing || !actor || actor.kind !== 'user' || !actor.id) return;
    const t = actor.tenantId;
    try {
      for (const [ticketId, audience] of viewing)
        await this.broadcastViewers(t, ticketId, await this.presence.leave(t, ticketId, actor.id, socket.id), audience);
      const offline = await this.presence.disconnect(t, actor.id, socket.id, actor.name ?? null);
      if (offline) this.nsp.to(rooms.presence(t)).volatile.emit('presence', offline);
    } catch (err) {
      this.logger.warn({ err, tenantId: t }, 'Realtime disconnect clean-up failed (presence expires by itself)');
    }
  }

  @SubscribeMessage('presence.set')
  async setPresence(@ConnectedSocket() socket: AgentSocket, @MessageBody() body: { status?: unknown }) {
    const { actor } = socket.data;
    if (actor.kind !== 'user' || !actor.id)
      return { code: 'FORBIDDEN', message: 'Only people have presence' } satisfies ErrorAck;
    if (body?.status !== 'online' && body?.status !== 'away') return invalid('status must be online or away');
    const p = await this.presence.setStatus(actor.tenantId, actor.id, body.status, actor.name ?? null);
    this.nsp.to(rooms.presence(actor.tenantId)).volatile.emit('presence', p);
    return { ok: true };
  }

  @SubscribeMessage('presence.list')
  async listPresence(@ConnectedSocket() socket: AgentSocket) {
    return { users: await this.presence.list(socket.data.actor.tenantId) };
  }

  @SubscribeMessage('ticket.view')
  async view(@ConnectedSocket() socket: AgentSocket, @MessageBody() body: { ticketId?: unknown }) {
    const { actor } = socket.data;
    if (!isUuid(body?.ticketId)) return invalid('ticketId must be a ticket id');
    const ticketId = body.ticketId;
    const audience = await this.audience(actor, ticketId).catch(() => null);
    if (!audience) return notFound();
    socket.data.viewing.set(ticketId, audience);
    await socket.join(rooms.ticket(actor.tenantId, ticketId));
    if (actor.kind !== 'user' || !actor.id)
      return { ticketId, viewers: await this.presence.viewerList(actor.tenantId, ticketId) };
    const viewers = await this.presence.view(actor.tenantId, ticketId, actor.id, socket.id, actor.name ?? null, false);
    await this.broadcastViewers(actor.tenantId, ticketId, viewers, audience);
    return { ticketId, viewers };
  }

  @SubscribeMessage('ticket.leave')
  async leave(@ConnectedSocket() socket: AgentSocket, @MessageBody() body: { ticketId?: unknown }) {
    const { actor } = socket.data;
    const audience = isUuid(body?.ticketId) ? socket.data.viewing.get(body.ticketId) : undefined;
    if (!audience) return invalid('Not viewing that ticket');
    const ticketId = body.ticketId as string;
    socket.data.viewing.delete(ticketId);
    await socket.leave(rooms.ticket(actor.tenantId, ticketId));
    if (actor.kind === 'user' && actor.id) {
      await this.broadcastViewers(
        actor.tenantId,
        ticketId,
        await this.presence.leave(actor.tenantId, ticketId, actor.id, socket.id),
        audience,
      );
    }
    return { ok: true };
  }

  /** The agent has read the customer's messages up to `messageId` (the customer sees "read"). */
  @SubscribeMessage('message.read')
  read(@ConnectedSocket() socket: AgentSocket, @MessageBody() body: { ticketId?: unknown; messageId?: unknown }) {
    return markRead(this.tenant, this.tickets, socket.data.actor, body);
  }

  /** Ephemeral and coalesced: never stored, dropped rather than queued when a client is slow. */
  @SubscribeMessage('typing')
  async typing(
    @ConnectedSocket() socket: AgentSocket,
    @MessageBody() body: { ticketId?: unknown; mode?: unknown; typing?: unknown },
  ) {
    const { actor } = socket.data;
    if (!isUuid(body?.ticketId) || !TYPING_MODES.has(body.mode as string) || typeof body.typing !== 'boolean') {
      return invalid('typing needs ticketId, mode (reply or note) and typing (boolean)');
    }
    const ticketId = body.ticketId;
    const requesterId = socket.data.viewing.get(ticketId)?.requesterId;
    if (!requesterId) return invalid('Open the ticket (ticket.view) before typing');
    const last = socket.data.typingAt.get(ticketId);
    const now = Date.now();
    if (last && last.typing === body.typing && now - last.at < TYPING_INTERVAL_MS) return;
    socket.data.typingAt.set(ticketId, { typing: body.typing, at: now });
    const t = actor.tenantId;
    const mode = body.mode as 'reply' | 'note';
    const payload = { ticketId, userId: actor.id, name: actor.name ?? null, mode, typing: body.typing };
    socket.to(rooms.ticket(t, ticketId)).volatile.emit('typing', payload);
    if (mode === 'reply') {
      // The customer sees "typing…", never who, nor anything of internal notes.
      this.nsp.server
        .of(NAMESPACES.widget)
        .to(rooms.customer(t, requesterId))
        .volatile.emit('typing', { ...payload, userId: null });
      if (actor.kind === 'user' && actor.id && last?.typing !== body.typing) {
        const viewers = await this.presence.view(t, ticketId, actor.id, socket.id, actor.name ?? null, body.typing);
        await this.broadcastViewers(t, ticketId, viewers);
      }
    }
  }

  /**
   * Who else may see the ticket (where `ticket.viewers` goes), read as the socket's actor when it is opened; null
   * when it does not exist for them.
   */
  private audience(actor: Actor, ticketId: string): Promise<TicketAudience | null> {
    return this.tenant.run(actor, () => this.tickets.audience(ticketId));
  }

  /**
   * `viewing` (names, replying) to the ticket's room; with `audience`, also `ticket.viewers` (ids only) to the
   * staff rooms that may see the ticket, for the eye icon in their lists. Typing changes pass no audience.
   */
  private async broadcastViewers(
    t: string,
    ticketId: string,
    viewers: Awaited<ReturnType<PresenceService['viewerList']>>,
    audience?: TicketAudience,
  ) {
    this.nsp.to(rooms.ticket(t, ticketId)).volatile.emit('viewing', { ticketId, viewers });
    if (audience) {
      const userIds = [...new Set(viewers.map((v) => v.userId))];
      this.nsp
        .to(viewerRooms(t, audience))
        .volatile.emit('ticket.viewers', { ticketId, userIds } satisfies TicketViewersPayload);
    }
  }

  /** This process's people sockets, for the presence heartbeat. */
  localMembers(): Array<{ tenantId: string; member: string }> {
    const out: Array<{ tenantId: string; member: string }> = [];
    for (const socket of this.nsp.sockets.values()) {
      const actor = (socket.data as AgentSocketData).actor;
      if (actor?.kind === 'user' && actor.id)
        out.push({ tenantId: actor.tenantId, member: `${actor.id}|${socket.id}` });
    }
    return out;
  }
}
