import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentActor, RequirePermissions } from '@crewdesk/auth';
import { pageLimit } from '@crewdesk/common';
import type { Actor } from '@crewdesk/db';
import { AtRiskQuery, CannedReplyDto, PreferencesDto, SlaSummaryQuery } from './inbox.dto';
import { TicketPageDto } from '../tickets/tickets-responses.dto';
import {
  CannedReplyPageDto,
  CannedReplyResponseDto,
  InboxCountsDto,
  PreferencesResultDto,
  SlaSummaryListDto,
} from './inbox-responses.dto';
import { InboxService } from './inbox.service';

/** What the console's inbox needs beyond the ticket list: view counts, SLA badges, the at-risk view. */
@ApiTags('inbox')
@ApiBearerAuth()
@Controller()
export class InboxController {
  constructor(private readonly inbox: InboxService) {}

  /** Open tickets per built-in view (mine, unassigned, team = the first of my teams, SLA at risk, all). */
  @Get('inbox/counts')
  @ApiOkResponse({ type: InboxCountsDto })
  counts() {
    return this.inbox.counts();
  }

  /** The next SLA target of each ticket (active timers only), for list badges. */
  @Get('inbox/sla')
  @ApiOkResponse({ type: SlaSummaryListDto })
  sla(@Query() q: SlaSummaryQuery) {
    return this.inbox.slaSummaries(q.ticketIds);
  }

  /** Open tickets whose next target is in its warning window or breached, soonest first. */
  @Get('inbox/sla-at-risk')
  @ApiOkResponse({ type: TicketPageDto })
  atRisk(@Query() q: AtRiskQuery) {
    return this.inbox.atRisk({ cursor: q.cursor, limit: pageLimit(q) });
  }

  /** A person's own settings (the console language). */
  @Patch('me/preferences')
  @ApiOkResponse({ type: PreferencesResultDto })
  preferences(@CurrentActor() actor: Actor, @Body() dto: PreferencesDto) {
    return this.inbox.setPreferences(actor, dto);
  }

  @Get('canned-replies')
  @ApiOkResponse({ type: CannedReplyPageDto })
  @RequirePermissions('ticket.reply')
  cannedReplies() {
    return this.inbox.cannedReplies();
  }

  @Post('canned-replies')
  @ApiCreatedResponse({ type: CannedReplyResponseDto })
  @RequirePermissions('settings.manage')
  createCannedReply(@Body() dto: CannedReplyDto) {
    return this.inbox.createCannedReply(dto);
  }

  @Patch('canned-replies/:id')
  @ApiOkResponse({ type: CannedReplyResponseDto })
  @RequirePermissions('settings.manage')
  updateCannedReply(@Param('id', ParseUUIDPipe) id: string, @Body() dto: CannedReplyDto) {
    return this.inbox.updateCannedReply(id, dto);
  }

  @Delete('canned-replies/:id')
  @RequirePermissions('settings.manage')
  @HttpCode(204)
  async deleteCannedReply(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.inbox.deleteCannedReply(id);
  }
}
