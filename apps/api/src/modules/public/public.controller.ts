import { Body, Controller, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiTags } from '@nestjs/swagger';
import { AppError } from '@crewdesk/common';
import { Public, TokensService } from '@crewdesk/auth';
import { TenantContext } from '@crewdesk/db';
import { customerTicketView, TicketsService } from '@crewdesk/tickets';
import { IdempotencyKey } from '../../common/idempotency';
import { RateLimit } from '../../common/rate-limit.guard';
import { WorkspacesService } from '../workspaces/workspaces.service';
import { WebFormTicketDto, WebFormTicketResultDto } from './public.dto';

/** The web form: customers write in without an account and get an access token to follow their ticket. */
@ApiTags('public')
@Controller('public/:workspace')
@Public()
@RateLimit('public')
export class PublicController {
  constructor(
    private readonly workspaces: WorkspacesService,
    private readonly tickets: TicketsService,
    private readonly tokens: TokensService,
    private readonly ctx: TenantContext,
  ) {}

  @Post('tickets')
  @HttpCode(201)
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiCreatedResponse({
    type: WebFormTicketResultDto,
    description: 'Created (`idempotent-replayed: true` for a retry)',
  })
  async create(
    @Param('workspace') slug: string,
    @Body() dto: WebFormTicketDto,
    @IdempotencyKey() key: string | undefined,
    @Res({ passthrough: true }) reply: { header(n: string, v: string): unknown },
  ): Promise<WebFormTicketResultDto> {
    const workspace = /^[a-z0-9-]{1,48}$/i.test(slug) ? await this.workspaces.findBySlug(slug) : null;
    if (!workspace) throw AppError.notFound('Workspace');
    this.ctx.setActor({ kind: 'customer', id: null, tenantId: workspace.id, permissions: new Set() });
    const { ticket, created } = await this.tickets.create({
      subject: dto.subject,
      body: dto.body,
      channel: 'web',
      requester: { email: dto.email, name: dto.name },
      idempotencyKey: key,
    });
    if (!created) reply.header('idempotent-replayed', 'true');
    const accessToken = this.tokens.signPortal({ sub: ticket.requester.id, tid: workspace.id, tkt: ticket.id });
    return { ticket: customerTicketView(ticket), accessToken };
  }
}
