import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { pageLimit } from '@crewdesk/common';
import { RequirePermissions } from '@crewdesk/auth';
import { can, TenantContext } from '@crewdesk/db';
import { ReviewService } from '@crewdesk/routing';
import { PresenceService } from '@crewdesk/realtime';
import { TicketsService } from '@crewdesk/tickets';
import { SlaService } from '@crewdesk/sla';
import { IdempotencyKey } from '../../common/idempotency';
import {
  CreateMessageDto,
  CreateTicketDto,
  EventsQuery,
  ListTicketsQuery,
  MessagesQuery,
  TicketNumberParam,
  UpdateTicketDto,
  ViewersQuery,
} from './tickets.dto';
import {
  MessagePageDto,
  MessageWithTicketDto,
  TicketDetailDto,
  TicketDto,
  TicketEventPageDto,
  TicketPageDto,
} from './tickets-responses.dto';

interface Reply {
  status(code: number): Reply;
  header(name: string, value: string): Reply;
}

@ApiTags('tickets')
@ApiBearerAuth()
@Controller('tickets')
export class TicketsController {
  constructor(
    private readonly tickets: TicketsService,
    private readonly ctx: TenantContext,
    private readonly sla: SlaService,
    private readonly review: ReviewService,
    private readonly presence: PresenceService,
  ) {}

  /** Creates a ticket for a requester (found or added by email). A retry with the same Idempotency-Key returns the first ticket. */
  @Post()
  @RequirePermissions('ticket.create')
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiCreatedResponse({ type: TicketDto, description: 'Created (200 with `idempotent-replayed: true` for a retry)' })
  async create(
    @Body() dto: CreateTicketDto,
    @IdempotencyKey() key: string | undefined,
    @Res({ passthrough: true }) reply: Reply,
  ) {
    const { ticket, created } = await this.tickets.create({
      ...dto,
      channel: this.ctx.actor.kind === 'api_key' ? 'api' : 'web',
      idempotencyKey: key,
    });
    if (!created) reply.header('idempotent-replayed', 'true');
    return ticket;
  }

  @Get()
  @ApiOkResponse({ type: TicketPageDto })
  list(@Query() q: ListTicketsQuery) {
    const me = this.ctx.actor.id;
    const assigneeId = q.assigneeId === 'none' ? null : q.assigneeId === 'me' ? (me ?? undefined) : q.assigneeId;
    return this.tickets.list({
      ...q,
      assigneeId,
      escalatedTo: q.escalatedTo === 'me' ? (me ?? '00000000-0000-0000-0000-000000000000') : undefined,
      followedBy: q.followedBy === 'me' ? (me ?? '00000000-0000-0000-0000-000000000000') : undefined,
      sort: q.sort ?? 'created',
      limit: pageLimit(q),
    });
  }

  /**
   * Who has each ticket open (the lists' eye icon): `{ [ticketId]: userIds }`. Tickets the caller may not see,
   * or that do not exist, are absent. Declared before `:id` so `viewers` is never read as a ticket id.
   */
  @Get('viewers')
  @ApiOkResponse({
    schema: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string', format: 'uuid' } } },
  })
  async viewers(@Query() q: ViewersQuery): Promise<Record<string, string[]>> {
    const ids = [...new Set(q.ids.map((id) => id.toLowerCase()))];
    return this.presence.viewerIds(this.ctx.tenantId, await this.tickets.visibleIds(ids));
  }

  @Get('number/:number')
  @ApiOkResponse({ type: TicketDetailDto })
  async byNumber(@Param() { number }: TicketNumberParam) {
    return this.withConversation(await this.tickets.get({ number }));
  }

  @Get(':id')
  @ApiOkResponse({ type: TicketDetailDto })
  async get(@Param('id', ParseUUIDPipe) id: string) {
    return this.withConversation(await this.tickets.get({ id }));
  }

  private async withConversation<T extends { id: string }>(ticket: T) {
    const [page, sla] = await Promise.all([
      this.tickets.messages(ticket.id, { limit: 100 }),
      this.sla.timersFor(ticket.id),
    ]);
    return { ...ticket, sla, messages: page.items, messagesNextCursor: page.nextCursor };
  }

  @Patch(':id')
  @RequirePermissions('ticket.update')
  @ApiOkResponse({ type: TicketDto })
  update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateTicketDto) {
    return this.tickets.update(id, dto);
  }

  @Get(':id/messages')
  @ApiOkResponse({ type: MessagePageDto })
  messages(@Param('id', ParseUUIDPipe) id: string, @Query() q: MessagesQuery) {
    return this.tickets.messages(id, { cursor: q.cursor, limit: pageLimit(q), newestFirst: q.order === 'desc' });
  }

  /** A public reply (default) or an internal note (`internal: true`). */
  @Post(':id/messages')
  @ApiCreatedResponse({ type: MessageWithTicketDto })
  @ApiAcceptedResponse({
    type: MessageWithTicketDto,
    description: 'Held for an agent’s approval (reviewState pending)',
  })
  async reply(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: CreateMessageDto,
    @Res({ passthrough: true }) reply: Reply,
  ) {
    // Experts' public replies wait for the agent's approval where the workspace asks for it (answered 202).
    const actor = this.ctx.actor;
    const review =
      !dto.internal && actor.kind === 'user' && !can(actor, 'ticket.view_all')
        ? await this.review.needsReview(await this.tickets.get({ id }))
        : false;
    const result = await this.tickets.addMessage(id, { ...dto, review });
    if (!result.created) reply.status(200);
    else if (review) reply.status(202);
    return { ...result.message, ticket: result.ticket };
  }

  /** The ticket's event history, oldest first, after the given event id. */
  @Get(':id/events')
  @ApiOkResponse({ type: TicketEventPageDto })
  events(@Param('id', ParseUUIDPipe) id: string, @Query() q: EventsQuery) {
    return this.tickets.events(id, { after: q.after, limit: q.limit ?? 100 });
  }
}
