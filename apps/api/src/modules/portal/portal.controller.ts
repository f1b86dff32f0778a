import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { pageLimit, PageQuery } from '@crewdesk/common';
import { CustomerAuth } from '@crewdesk/auth';
import { customerMessageView, customerTicketView, TicketsService } from '@crewdesk/tickets';
import { PortalMessageDto } from './portal.dto';
import {
  CustomerMessagePageDto,
  CustomerMessageWithTicketDto,
  CustomerTicketDetailDto,
  CustomerTicketPageDto,
} from './portal-responses.dto';

/** What a customer sees with their access token: their own tickets and the public conversation only. */
@ApiTags('portal')
@ApiBearerAuth()
@Controller('portal/tickets')
@CustomerAuth()
export class PortalController {
  constructor(private readonly tickets: TicketsService) {}

  @Get()
  @ApiOkResponse({ type: CustomerTicketPageDto })
  async list(@Query() q: PageQuery) {
    const page = await this.tickets.list({ cursor: q.cursor, limit: pageLimit(q), sort: 'created' });
    return { items: page.items.map(customerTicketView), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOkResponse({ type: CustomerTicketDetailDto })
  async get(@Param('id', ParseUUIDPipe) id: string) {
    const ticket = await this.tickets.get({ id });
    const page = await this.tickets.customerMessages(id, { limit: 100 });
    return { ...customerTicketView(ticket), messages: page.items, messagesNextCursor: page.nextCursor };
  }

  @Get(':id/messages')
  @ApiOkResponse({ type: CustomerMessagePageDto })
  messages(@Param('id', ParseUUIDPipe) id: string, @Query() q: PageQuery) {
    return this.tickets.customerMessages(id, { cursor: q.cursor, limit: pageLimit(q) });
  }

  @Post(':id/messages')
  @ApiCreatedResponse({ type: CustomerMessageWithTicketDto })
  async reply(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: PortalMessageDto,
    @Res({ passthrough: true }) res: { status(c: number): unknown },
  ) {
    const result = await this.tickets.addMessage(id, { body: dto.body, attachmentIds: dto.attachmentIds });
    if (!result.created) res.status(200);
    return { ...customerMessageView(result.message), ticket: customerTicketView(result.ticket) };
  }
}
