import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiOkResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { AppError } from '@crewdesk/common';
import { CurrentActor, CustomerAuth, Public, RequirePermissions } from '@crewdesk/auth';
import { Actor, TenantContext } from '@crewdesk/db';
import { InsightsError, ReportsService, SurveysService } from '@crewdesk/insights';
import { TicketsService } from '@crewdesk/tickets';
import { RateLimit } from '../../common/rate-limit.guard';
import { WorkspacesService } from '../workspaces/workspaces.service';
import { PortalSurveyQueryDto, SurveyAnswerDto, SurveySettingsDto, TouchpointDto } from './insights.dto';
import {
  AnsweredSurveyDto,
  PortalSurveyDto,
  SurveyPageDto,
  SurveyQuestionsDto,
  TicketSurveyDto,
} from './insights-responses.dto';
import { pickLang, surveyErrorPage, surveyPage } from './survey-page';

type Reply = { header(name: string, value: string): unknown; status(code: number): unknown };

/** A ticket's survey, as staff see it on the ticket. */
@ApiTags('surveys')
@ApiBearerAuth()
@Controller('tickets/:id/survey')
export class TicketSurveyController {
  constructor(
    private readonly tickets: TicketsService,
    private readonly surveys: SurveysService,
  ) {}

  @Get()
  @ApiOkResponse({ type: TicketSurveyDto })
  async get(@Param('id', ParseUUIDPipe) id: string): Promise<TicketSurveyDto> {
    await this.tickets.get({ id }); // 404 unless the ticket exists and the caller may see it
    return { survey: await this.surveys.forTicket(id) };
  }
}

/** Which optional questions (NPS, CES) follow CSAT in this workspace's surveys. */
@ApiTags('surveys')
@ApiBearerAuth()
@Controller('surveys/settings')
export class SurveySettingsController {
  constructor(private readonly surveys: SurveysService) {}

  @Get()
  @ApiOkResponse({ type: SurveyQuestionsDto })
  get() {
    return this.surveys.questions();
  }

  @Patch()
  @RequirePermissions('settings.manage')
  @ApiOkResponse({ type: SurveyQuestionsDto })
  update(@Body() dto: SurveySettingsDto) {
    return this.surveys.setQuestions(dto);
  }
}

/** The survey link of a mail (page and answer), no login: the signed token is the key. */
@ApiTags('public')
@Controller('public/surveys')
@Public()
@RateLimit('public')
export class PublicSurveyController {
  constructor(private readonly surveys: SurveysService) {}

  /** The survey page (HTML, in the browser's language), or its JSON with `Accept: application/json`. */
  @Get(':token')
  @ApiExtraModels(SurveyPageDto)
  @ApiOkResponse({
    content: {
      'text/html': { schema: { type: 'string' } },
      'application/json': { schema: { $ref: getSchemaPath(SurveyPageDto) } },
    },
  })
  async page(
    @Param('token') token: string,
    @Headers('accept') accept: string | undefined,
    @Headers('accept-language') acceptLanguage: string | undefined,
    @Res({ passthrough: true }) reply: Reply,
  ) {
    const html = !/application\/json/.test(accept ?? '') && /text\/html|\*\/\*/.test(accept ?? 'text/html');
    const lang = pickLang(acceptLanguage);
    try {
      const s = await this.surveys.byToken(token);
      if (!html) return s;
      reply.header('content-type', 'text/html; charset=utf-8');
      reply.header('cache-control', 'no-store');
      return surveyPage(lang, s, token);
    } catch (err) {
      if (!html || !(err instanceof InsightsError)) throw err;
      reply.status(err.status);
      reply.header('content-type', 'text/html; charset=utf-8');
      return surveyErrorPage(lang, err.code);
    }
  }

  /** Stores the answer (one per ticket; sending again within the window changes it). */
  @Post(':token')
  @HttpCode(200)
  @ApiOkResponse({ type: AnsweredSurveyDto })
  async answer(@Param('token') token: string, @Body() dto: SurveyAnswerDto): Promise<AnsweredSurveyDto> {
    return { survey: await this.surveys.answer(token, dto) };
  }
}

/** What the chat widget asks: the survey of the visitor's ended conversation, with its token. */
@ApiTags('portal')
@ApiBearerAuth()
@Controller('portal/surveys')
@CustomerAuth()
export class PortalSurveyController {
  constructor(private readonly surveys: SurveysService) {}

  @Get()
  @ApiOkResponse({ type: PortalSurveyDto })
  async mine(@Query() q: PortalSurveyQueryDto, @CurrentActor() actor: Actor): Promise<PortalSurveyDto> {
    if (actor.ticketId && q.ticketId && q.ticketId !== actor.ticketId) throw AppError.notFound('Ticket');
    return { survey: await this.surveys.forCustomer(actor.customerId!, q.ticketId ?? actor.ticketId ?? undefined) };
  }
}

/** Cheap counters of touchpoints the server cannot see otherwise (the widget panel being opened). */
@ApiTags('public')
@Controller('public/:workspace/touchpoints')
@Public()
@RateLimit('public')
export class TouchpointsController {
  constructor(
    private readonly workspaces: WorkspacesService,
    private readonly reports: ReportsService,
    private readonly ctx: TenantContext,
  ) {}

  @Post()
  @HttpCode(204)
  async record(@Param('workspace') slug: string, @Body() dto: TouchpointDto): Promise<void> {
    const workspace = /^[a-z0-9-]{1,48}$/i.test(slug) ? await this.workspaces.findBySlug(slug) : null;
    if (!workspace) throw AppError.notFound('Workspace');
    this.ctx.setActor({ kind: 'customer', id: null, tenantId: workspace.id, permissions: new Set() });
    await this.reports.record(workspace.id, dto.event);
  }
}
