import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Req } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiConsumes,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { AppError, ErrorCode } from '@crewdesk/common';
import { Env } from '@crewdesk/config';
import { bearer, Public, RequirePermissions } from '@crewdesk/auth';
import { ChannelsService, EmailDispatcher, EmailIngestService } from '@crewdesk/channels';
import { AuditService, TenantContext } from '@crewdesk/db';
import { RateLimit } from '../../common/rate-limit.guard';
import { ChannelDto, ChannelPageDto, InboundReceiptDto, NewChannelDto } from './channels-responses.dto';
import { CreateChannelDto, UpdateChannelDto } from './channels.dto';

/** Email mailboxes: inbound through SMTP (port SMTP_INBOUND_PORT), IMAP polling, or the raw-MIME webhook. */
@ApiTags('channels')
@Controller('channels')
export class ChannelsController {
  constructor(
    private readonly channels: ChannelsService,
    private readonly ingest: EmailIngestService,
    private readonly dispatcher: EmailDispatcher,
    private readonly ctx: TenantContext,
    private readonly auditLog: AuditService,
    private readonly env: Env,
  ) {}

  /** The response holds `inboundToken` once: the Bearer token of this mailbox's raw-MIME webhook. */
  @Post()
  @ApiBearerAuth()
  @RequirePermissions('settings.manage')
  @ApiCreatedResponse({ type: NewChannelDto })
  async create(@Body() dto: CreateChannelDto) {
    const channel = await this.channels.create(dto);
    await this.auditLog.record('channel.created', 'channel', channel.id, { address: channel.address });
    return { ...channel, smtpPort: this.env.SMTP_INBOUND_PORT };
  }

  @Get()
  @ApiBearerAuth()
  @RequirePermissions('settings.manage')
  @ApiOkResponse({ type: ChannelPageDto })
  async list() {
    return { items: await this.channels.list(), nextCursor: null };
  }

  @Get(':id')
  @ApiBearerAuth()
  @RequirePermissions('settings.manage')
  @ApiOkResponse({ type: ChannelDto })
  get(@Param('id', ParseUUIDPipe) id: string) {
    return this.channels.get(id);
  }

  @Patch(':id')
  @ApiBearerAuth()
  @RequirePermissions('settings.manage')
  @ApiOkResponse({ type: ChannelDto })
  async update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateChannelDto) {
    const channel = await this.channels.update(id, dto);
    await this.auditLog.record('channel.updated', 'channel', id, {
      ...dto,
      imap: dto.imap ? { ...dto.imap, password: dto.imap.password ? '[set]' : undefined } : dto.imap,
    });
    return channel;
  }

  @Delete(':id')
  @ApiBearerAuth()
  @RequirePermissions('settings.manage')
  @HttpCode(204)
  async remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.channels.remove(id);
    await this.auditLog.record('channel.deleted', 'channel', id, {});
  }

  /**
   * Raw MIME from a mail provider: `Content-Type: message/rfc822`, `Authorization: Bearer <inboundToken>`.
   * 202 once the bytes are stored; parsing follows in the worker.
   */
  @Post(':id/inbound')
  @Public()
  @RateLimit('public')
  @ApiConsumes('message/rfc822')
  @HttpCode(202)
  @ApiAcceptedResponse({ type: InboundReceiptDto })
  async inbound(
    @Param('id', ParseUUIDPipe) id: string,
    @Req() req: { headers: Record<string, string | string[] | undefined>; body: unknown },
  ): Promise<InboundReceiptDto> {
    const token = bearer(req);
    const channel = token ? await this.channels.byInboundToken(id, token) : null;
    if (!channel)
      throw new AppError(
        ErrorCode.UNAUTHENTICATED,
        'Send the channel’s inbound token as `Authorization: Bearer <token>`',
      );
    if (!Buffer.isBuffer(req.body) || req.body.length === 0) {
      throw new AppError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'Send the raw message with Content-Type: message/rfc822');
    }
    const inboundId = await this.ingest.store({
      tenantId: channel.tenantId,
      channelId: channel.channelId,
      source: 'webhook',
      envelopeFrom: null,
      envelopeTo: [channel.address],
      raw: req.body,
    });
    await this.dispatcher.process({ tenantId: channel.tenantId, inboundId }).catch(() => undefined);
    return { id: inboundId, status: 'received' };
  }
}
