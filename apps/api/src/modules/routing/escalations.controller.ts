import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppError, ErrorCode } from '@crewdesk/common';
import { can, TenantContext } from '@crewdesk/db';
import { EscalationService, NotificationsService, ReviewService, RoutingService } from '@crewdesk/routing';
import { TicketsService } from '@crewdesk/tickets';
import {
  EscalateDto,
  FollowDto,
  MarkReadDto,
  NotificationsQuery,
  RejectReplyDto,
  TagSubscriptionsDto,
} from './routing.dto';
import {
  EscalationDto,
  EscalationPageDto,
  FollowerDto,
  FollowerPageDto,
  MarkedReadDto,
  NotificationPageDto,
  TagSubscriptionsResponseDto,
  TicketGrantDto,
  TicketGrantPageDto,
} from './routing-responses.dto';
import { MessageDto } from '../tickets/tickets-responses.dto';

/* eslint-disable @typescript-eslint/no-explicit-any */
const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);

/** Escalations, access grants and followers of a ticket. */
@ApiTags('routing')
@ApiBearerAuth()
@Controller('tickets/:id')
export class TicketRoutingController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ctx: TenantContext,
    private readonly tickets: TicketsService,
    private readonly escalations: EscalationService,
    private readonly routing: RoutingService,
    private readonly review: ReviewService,
  ) {}

  /** Bring in (or hand over to) a team, a role or a person, with a reason; they are notified and get access. */
  @Post('escalations')
  @ApiCreatedResponse({ type: EscalationDto })
  escalate(@Param('id', ParseUUIDPipe) id: string, @Body() dto: EscalateDto) {
    return this.escalations.escalate(id, { ...dto, mode: dto.mode ?? 'bring_in' });
  }

  @Get('escalations')
  @ApiOkResponse({ type: EscalationPageDto })
  async escalationsOf(@Param('id', ParseUUIDPipe) id: string): Promise<EscalationPageDto> {
    return { items: await this.escalations.list(id), nextCursor: null };
  }

  @Post('escalations/:escalationId/acknowledge')
  @HttpCode(200)
  @ApiOkResponse({ type: EscalationDto })
  acknowledge(@Param('id', ParseUUIDPipe) id: string, @Param('escalationId', ParseUUIDPipe) escalationId: string) {
    return this.escalations.acknowledge(id, escalationId);
  }

  /** Sends an expert's held reply to the customer, under the expert's name (the ticket's agent decides). */
  @Post('messages/:messageId/approve')
  @HttpCode(200)
  @ApiOkResponse({ type: MessageDto, description: 'The public reply sent (the same one again if it was sent already)' })
  approve(@Param('id', ParseUUIDPipe) id: string, @Param('messageId', ParseUUIDPipe) messageId: string) {
    return this.review.approve(id, messageId);
  }

  @Post('messages/:messageId/reject')
  @HttpCode(204)
  async reject(
    @Param('id', ParseUUIDPipe) id: string,
    @Param('messageId', ParseUUIDPipe) messageId: string,
    @Body() dto: RejectReplyDto,
  ) {
    await this.review.reject(id, messageId, dto.reason);
  }

  /** Who was given access to this ticket alone, why, and until when. */
  @Get('grants')
  @ApiOkResponse({ type: TicketGrantPageDto })
  async grants(@Param('id', ParseUUIDPipe) id: string): Promise<TicketGrantPageDto> {
    await this.tickets.get({ id });
    const rows = await this.db.query(
      `SELECT g.*, u.name FROM ticket_grants g JOIN users u ON u.id = g.user_id
       WHERE g.tenant_id = $1 AND g.ticket_id = $2 AND (g.expires_at IS NULL OR g.expires_at > now()) ORDER BY g.created_at`,
      [this.ctx.tenantId, id],
    );
    return {
      items: rows.map((r: any): TicketGrantDto => ({
        userId: r.user_id,
        name: r.name,
        reason: r.reason,
        grantedBy: r.granted_by,
        expiresAt: iso(r.expires_at),
        createdAt: iso(r.created_at)!,
      })),
      nextCursor: null,
    };
  }

  @Get('followers')
  @ApiOkResponse({ type: FollowerPageDto })
  async followers(@Param('id', ParseUUIDPipe) id: string): Promise<FollowerPageDto> {
    await this.tickets.get({ id });
    const rows = await this.db.query(
      `SELECT f.user_id, u.name, f.created_at FROM ticket_followers f JOIN users u ON u.id = f.user_id
       WHERE f.tenant_id = $1 AND f.ticket_id = $2 ORDER BY f.created_at`,
      [this.ctx.tenantId, id],
    );
    return {
      items: rows.map((r: any): FollowerDto => ({ userId: r.user_id, name: r.name, createdAt: iso(r.created_at)! })),
      nextCursor: null,
    };
  }

  /** Follow the ticket yourself, or add someone (with ticket.update); followers hear of its messages and changes. */
  @Post('followers')
  @HttpCode(200)
  @ApiOkResponse({ type: FollowerPageDto, description: 'The ticket’s followers now' })
  async follow(@Param('id', ParseUUIDPipe) id: string, @Body() dto: FollowDto) {
    await this.tickets.get({ id });
    const me = this.ctx.actor.id;
    const userId = dto.userId ?? me;
    if (!userId || this.ctx.actor.kind !== 'user')
      throw new AppError(ErrorCode.FORBIDDEN, 'Only people can follow tickets');
    if (userId !== me && !can(this.ctx.actor, 'ticket.update'))
      throw new AppError(ErrorCode.FORBIDDEN, 'Adding someone else needs the permission ticket.update', {
        missing: ['ticket.update'],
      });
    const [u] = await this.db.query(`SELECT 1 FROM users WHERE tenant_id = $1 AND id = $2 AND status = 'active'`, [
      this.ctx.tenantId,
      userId,
    ]);
    if (!u) throw AppError.notFound('User', { field: 'userId' });
    await this.routing.follow(id, [userId]);
    return this.followers(id);
  }

  @Delete('followers/:userId')
  @HttpCode(204)
  async unfollow(@Param('id', ParseUUIDPipe) id: string, @Param('userId', ParseUUIDPipe) userId: string) {
    await this.tickets.get({ id });
    if (userId !== this.ctx.actor.id && !can(this.ctx.actor, 'ticket.update'))
      throw new AppError(ErrorCode.FORBIDDEN, 'Removing someone else needs the permission ticket.update', {
        missing: ['ticket.update'],
      });
    await this.db.query(`DELETE FROM ticket_followers WHERE tenant_id = $1 AND ticket_id = $2 AND user_id = $3`, [
      this.ctx.tenantId,
      id,
      userId,
    ]);
  }
}

/** The signed-in person's notifications, escalations and tag subscriptions. */
@ApiTags('routing')
@ApiBearerAuth()
@Controller()
export class MyRoutingController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ctx: TenantContext,
    private readonly notifications: NotificationsService,
    private readonly escalations: EscalationService,
  ) {}

  private me(): string {
    const { actor } = this.ctx;
    if (actor.kind !== 'user' || !actor.id) throw new AppError(ErrorCode.FORBIDDEN, 'This is for people signed in');
    return actor.id;
  }

  @Get('notifications')
  @ApiOkResponse({ type: NotificationPageDto })
  list(@Query() q: NotificationsQuery) {
    return this.notifications.list(this.me(), { unread: q.unread === 'true', cursor: q.cursor, limit: q.limit ?? 50 });
  }

  @Post('notifications/read')
  @HttpCode(200)
  @ApiOkResponse({ type: MarkedReadDto })
  async read(@Body() dto: MarkReadDto): Promise<MarkedReadDto> {
    if (!dto.all && !dto.ids?.length)
      throw new AppError(ErrorCode.VALIDATION_FAILED, 'Give ids, or all: true', { field: 'ids' });
    return { marked: await this.notifications.markRead(this.me(), dto.all ? 'all' : dto.ids!) };
  }

  @Get('escalations/mine')
  @ApiOkResponse({
    type: EscalationPageDto,
    description: 'Escalations naming me that wait (open or acknowledged), newest first',
  })
  async mine(): Promise<EscalationPageDto> {
    return { items: await this.escalations.mine(this.me()), nextCursor: null };
  }

  @Get('me/tag-subscriptions')
  @ApiOkResponse({ type: TagSubscriptionsResponseDto })
  async subscriptions(): Promise<TagSubscriptionsResponseDto> {
    const rows = await this.db.query(
      `SELECT tag, digest FROM tag_subscriptions WHERE tenant_id = $1 AND user_id = $2 ORDER BY tag`,
      [this.ctx.tenantId, this.me()],
    );
    return { tags: rows.map((r: any) => r.tag), digest: rows.some((r: any) => r.digest) };
  }

  /** Replaces the tags whose new tickets reach you live (and, with digest, in a daily mail). */
  @Put('me/tag-subscriptions')
  @ApiOkResponse({ type: TagSubscriptionsResponseDto })
  async subscribe(@Body() dto: TagSubscriptionsDto) {
    const me = this.me();
    const tags = [...new Set(dto.tags.map((t) => t.trim().toLowerCase()).filter(Boolean))];
    await this.db.transaction(async (m) => {
      await m.query(`DELETE FROM tag_subscriptions WHERE tenant_id = $1 AND user_id = $2`, [this.ctx.tenantId, me]);
      if (tags.length)
        await m.query(
          `INSERT INTO tag_subscriptions (tenant_id, user_id, tag, digest) SELECT $1, $2, t, $4 FROM unnest($3::text[]) t`,
          [this.ctx.tenantId, me, tags, dto.digest ?? true],
        );
    });
    return this.subscriptions();
  }
}
