import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { pageLimit } from '@crewdesk/common';
import { RequirePermissions } from '@crewdesk/auth';
import { LinkedIssuesService } from '@crewdesk/routing';
import {
  CreateLinkedIssueDto,
  LinkTicketDto,
  ListLinkedIssuesQuery,
  ShipIssueDto,
  UpdateLinkedIssueDto,
} from './linked-issues.dto';
import {
  IssueLinkDto,
  LinkedIssueDto,
  LinkedIssuePageDto,
  ShipResultDto,
  TicketLinkedIssueListDto,
} from './linked-issues-responses.dto';

interface Reply {
  status(code: number): Reply;
}

/**
 * Engineering issues that tickets link to. Any staff may read them; linking and shipping need `ticket.update`
 * (agents, engineers and product staff hold it). Shipping tells every linked ticket's customer once, in their channel.
 */
@ApiTags('linked-issues')
@ApiBearerAuth()
@Controller()
export class LinkedIssuesController {
  constructor(private readonly issues: LinkedIssuesService) {}

  @Post('linked-issues')
  @RequirePermissions('ticket.update')
  @ApiCreatedResponse({ type: LinkedIssueDto })
  create(@Body() dto: CreateLinkedIssueDto) {
    return this.issues.create(dto);
  }

  @Get('linked-issues')
  @ApiOkResponse({ type: LinkedIssuePageDto })
  list(@Query() q: ListLinkedIssuesQuery) {
    return this.issues.list({ status: q.status, q: q.q, cursor: q.cursor, limit: pageLimit(q) });
  }

  @Get('linked-issues/:id')
  @ApiOkResponse({ type: LinkedIssueDto })
  get(@Param('id', ParseUUIDPipe) id: string) {
    return this.issues.get(id);
  }

  /** `status: "shipped"` does what `POST …/ship` does (for trackers' webhooks). */
  @Patch('linked-issues/:id')
  @RequirePermissions('ticket.update')
  @ApiOkResponse({ type: LinkedIssueDto })
  update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateLinkedIssueDto) {
    return this.issues.update(id, dto);
  }

  /** Marks it shipped and answers how many customers will be told; shipping again changes nothing. */
  @Post('linked-issues/:id/ship')
  @RequirePermissions('ticket.update')
  @HttpCode(200)
  @ApiOkResponse({ type: ShipResultDto })
  ship(@Param('id', ParseUUIDPipe) id: string, @Body() dto: ShipIssueDto) {
    return this.issues.ship(id, dto);
  }

  /** Links a ticket the caller can see (201; 200 when it was linked already). */
  @Post('linked-issues/:id/tickets')
  @RequirePermissions('ticket.update')
  @ApiCreatedResponse({ type: IssueLinkDto })
  @ApiOkResponse({ type: IssueLinkDto, description: 'Linked already' })
  async link(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: LinkTicketDto,
    @Res({ passthrough: true }) reply: Reply,
  ) {
    const { link, created } = await this.issues.link(id, dto.ticketId);
    if (!created) reply.status(200);
    return link;
  }

  @Delete('linked-issues/:id/tickets/:ticketId')
  @RequirePermissions('ticket.update')
  @HttpCode(204)
  async unlink(
    @Param('id', ParseUUIDPipe) id: string,
    @Param('ticketId', ParseUUIDPipe) ticketId: string,
  ): Promise<void> {
    await this.issues.unlink(id, ticketId);
  }

  @Get('tickets/:id/linked-issues')
  @ApiOkResponse({ type: TicketLinkedIssueListDto })
  ofTicket(@Param('id', ParseUUIDPipe) id: string) {
    return this.issues.issuesOfTicket(id);
  }
}
