import { Body, Controller, Get, Headers, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AppError, ErrorCode } from '@crewdesk/common';
import { Env } from '@crewdesk/config';
import { CurrentActor, CustomerAuth, Public, RequirePermissions, TokensService } from '@crewdesk/auth';
import { BusinessHours, ChatService, isOpen, WidgetSettingsService } from '@crewdesk/channels';
import { Actor, TenantContext } from '@crewdesk/db';
import { PresenceService } from '@crewdesk/realtime';
import { TicketsService } from '@crewdesk/tickets';
import { RateLimit } from '../../common/rate-limit.guard';
import { WorkspacesService } from '../workspaces/workspaces.service';
import {
  UpdateWidgetSettingsDto,
  WidgetContactDto,
  WidgetContactResultDto,
  WidgetSessionDto,
  WidgetSessionResultDto,
  WidgetSettingsResponseDto,
} from './widget.dto';

const VALID_HOURS = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;

/** The chat widget's public endpoints: a session for a visitor (anonymous or verified), and a contact address. */
@ApiTags('widget')
@Controller()
export class WidgetController {
  constructor(
    private readonly workspaces: WorkspacesService,
    private readonly chat: ChatService,
    private readonly settings: WidgetSettingsService,
    private readonly presence: PresenceService,
    private readonly tickets: TicketsService,
    private readonly tokens: TokensService,
    private readonly ctx: TenantContext,
    private readonly env: Env,
  ) {}

  @Post('public/:workspace/widget/session')
  @Public()
  @RateLimit('public')
  @HttpCode(200)
  @ApiOkResponse({ type: WidgetSessionResultDto })
  async session(
    @Param('workspace') slug: string,
    @Body() dto: WidgetSessionDto,
    @Headers('accept-language') language?: string,
  ): Promise<WidgetSessionResultDto> {
    const workspace = /^[a-z0-9-]{1,48}$/i.test(slug) ? await this.workspaces.findBySlug(slug) : null;
    if (!workspace) throw AppError.notFound('Workspace');
    const current = this.visitorOf(dto.visitorToken, workspace.id);
    return this.ctx.run(
      {
        kind: 'customer',
        id: current,
        customerId: current ?? undefined,
        tenantId: workspace.id,
        permissions: new Set(),
      },
      async () => {
        const customerId = await this.chat.resolveVisitor(current, dto.identity);
        const settings = await this.settings.get();
        const ticketId = await this.tickets.openConversation(customerId, 'chat');
        const people = await this.presence.list(workspace.id);
        const online = people.some((p) => p.status === 'online') && isOpen(settings.businessHours);
        const zh = /^zh/i.test(language ?? '');
        return {
          visitorToken: this.tokens.signPortal({ sub: customerId, tid: workspace.id }),
          customerId,
          workspace: { name: workspace.name },
          greeting: zh ? settings.greeting['zh-CN'] : settings.greeting.en,
          online,
          conversation: ticketId ? { ticketId, status: await this.statusOf(workspace.id, customerId, ticketId) } : null,
        };
      },
    );
  }

  /** A visitor's token, if it is valid and of this workspace; anything else starts a new visitor. */
  private visitorOf(token: string | undefined, tenantId: string): string | null {
    if (!token) return null;
    try {
      const claims = this.tokens.verify(token, 'portal');
      return claims.tid === tenantId && !claims.tkt ? claims.sub : null;
    } catch {
      return null;
    }
  }

  private statusOf(tenantId: string, customerId: string, ticketId: string): Promise<string> {
    const actor: Actor = { kind: 'customer', id: customerId, customerId, tenantId, permissions: new Set() };
    return this.ctx.run(actor, async () => (await this.tickets.get({ id: ticketId })).status);
  }

  /** When nobody can answer now: an email address to answer by (with the session's visitor token). */
  @Post('public/:workspace/widget/contact')
  @CustomerAuth()
  @ApiBearerAuth()
  @RateLimit('public')
  @HttpCode(200)
  @ApiOkResponse({ type: WidgetContactResultDto })
  async contact(@CurrentActor() actor: Actor, @Body() dto: WidgetContactDto): Promise<WidgetContactResultDto> {
    await this.chat.leaveContact(actor.customerId!, dto.email);
    return { stored: true };
  }

  /** For admins: the embed snippet, the identity secret, greeting and hours. */
  @Get('widget/settings')
  @ApiBearerAuth()
  @RequirePermissions('settings.manage')
  @ApiOkResponse({ type: WidgetSettingsResponseDto })
  async getSettings() {
    return this.view(await this.settings.get());
  }

  @Patch('widget/settings')
  @ApiBearerAuth()
  @RequirePermissions('settings.manage')
  @ApiOkResponse({ type: WidgetSettingsResponseDto })
  async updateSettings(@Body() dto: UpdateWidgetSettingsDto) {
    if (dto.businessHours) this.checkHours(dto.businessHours);
    return this.view(await this.settings.update(dto as never));
  }

  private checkHours(hours: {
    timezone: string;
    days: Record<string, Array<[string, string]>>;
  }): asserts hours is BusinessHours {
    const bad = (why: string) =>
      new AppError(ErrorCode.VALIDATION_FAILED, `businessHours: ${why}`, { field: 'businessHours' });
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: hours.timezone });
    } catch {
      throw bad('timezone is not a known IANA zone');
    }
    for (const [day, spans] of Object.entries(hours.days ?? {})) {
      if (!['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].includes(day)) throw bad(`unknown day ${day}`);
      if (
        !Array.isArray(spans) ||
        !spans.every(
          (s) => Array.isArray(s) && s.length === 2 && VALID_HOURS.test(s[0]) && VALID_HOURS.test(s[1]) && s[0] < s[1],
        )
      ) {
        throw bad(`${day} needs spans like ["09:00", "18:00"]`);
      }
    }
  }

  private async view(s: Awaited<ReturnType<WidgetSettingsService['get']>>): Promise<WidgetSettingsResponseDto> {
    const workspace = await this.workspaces.findById(this.ctx.tenantId);
    const base = this.env.PUBLIC_URL.replace(/\/$/, '');
    return {
      secret: s.secret,
      greeting: s.greeting,
      businessHours: s.businessHours,
      snippet: `<script src="${base}/widget.js" data-workspace="${workspace?.slug ?? ''}" async></script>`,
    };
  }
}
