import { applyDecorators, Controller, Get, HttpCode, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiOkResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { AppError, ErrorCode } from '@crewdesk/common';
import { CurrentActor, RequirePermissions } from '@crewdesk/auth';
import { Actor, can, TenantContext } from '@crewdesk/db';
import { FactsService, ReportRange, ReportsService } from '@crewdesk/insights';
import { ReportQueryDto, ScorecardQueryDto } from './insights.dto';
import {
  OverviewReportDto,
  ReportRefreshDto,
  ScorecardsReportDto,
  TouchpointsReportDto,
} from './insights-responses.dto';
import { overviewCsv, scorecardsCsv, touchpointsCsv } from './report-csv';

type Reply = { header(name: string, value: string): unknown };

const DAY = 86400_000;

/** A report: JSON as `type` describes it, or with `?format=csv` the same figures as CSV. */
const ReportResponse = (type: new () => unknown) =>
  applyDecorators(
    ApiExtraModels(type),
    ApiOkResponse({
      content: {
        'application/json': { schema: { $ref: getSchemaPath(type) } },
        'text/csv': { schema: { type: 'string' } },
      },
    }),
  );

function range(q: ReportQueryDto): ReportRange {
  const to = q.to ? new Date(q.to) : new Date();
  const from = q.from ? new Date(q.from) : new Date(+to - 30 * DAY);
  return { from, to, timezone: q.timezone ?? 'UTC', teamId: q.teamId };
}

function csv(reply: Reply, name: string, r: ReportRange, body: string): string {
  const day = (d: Date) => d.toISOString().slice(0, 10);
  reply.header('content-type', 'text/csv; charset=utf-8');
  reply.header('content-disposition', `attachment; filename="crewdesk-${name}-${day(r.from)}-${day(r.to)}.csv"`);
  return body;
}

/**
 * Reports: JSON shaped for charts (series are arrays of `{ dimension, value }` objects) or, with `?format=csv`,
 * spreadsheet-safe CSV. Periods are `[from, to)`; hours and days are in `timezone`.
 */
@ApiTags('reports')
@ApiBearerAuth()
@Controller('reports')
export class ReportsController {
  constructor(
    private readonly reports: ReportsService,
    private readonly facts: FactsService,
    private readonly ctx: TenantContext,
  ) {}

  @Get('overview')
  @RequirePermissions('report.read')
  @ReportResponse(OverviewReportDto)
  async overview(@Query() q: ReportQueryDto, @Res({ passthrough: true }) reply: Reply) {
    const r = range(q);
    const report = await this.reports.overview(r);
    return q.format === 'csv' ? csv(reply, 'overview', r, overviewCsv(report)) : report;
  }

  /** Everyone may read their own scorecard (`groupBy=person`, themselves only); the rest needs `report.read`. */
  @Get('scorecards')
  @ReportResponse(ScorecardsReportDto)
  async scorecards(
    @Query() q: ScorecardQueryDto,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) reply: Reply,
  ) {
    const groupBy = q.groupBy ?? 'person';
    const all = can(actor, 'report.read');
    if (!all && (groupBy !== 'person' || actor.kind !== 'user'))
      throw new AppError(ErrorCode.FORBIDDEN, 'This needs the permission report.read', { missing: ['report.read'] });
    const r = range(q);
    const result = await this.reports.scorecards(r, groupBy, all ? undefined : actor.id!);
    return q.format === 'csv' ? csv(reply, `scorecards-${groupBy}`, r, scorecardsCsv(result)) : result;
  }

  @Get('touchpoints')
  @RequirePermissions('report.read')
  @ReportResponse(TouchpointsReportDto)
  async touchpoints(@Query() q: ReportQueryDto, @Res({ passthrough: true }) reply: Reply) {
    const r = range(q);
    const report = await this.reports.touchpoints(r);
    return q.format === 'csv' ? csv(reply, 'touchpoints', r, touchpointsCsv(report)) : report;
  }

  /**
   * Rebuilds the workspace's facts for tickets created in the period from the event log (the projection is
   * derived, so this is always safe); reports normally keep up by themselves.
   */
  @Post('refresh')
  @HttpCode(200)
  @RequirePermissions('report.read', 'settings.manage')
  @ApiOkResponse({ type: ReportRefreshDto })
  async refresh(@Query() q: ReportQueryDto): Promise<ReportRefreshDto> {
    const r = range(q);
    const started = Date.now();
    const tickets = await this.facts.rebuild(this.ctx.tenantId, { from: r.from, to: r.to });
    return { tickets, ms: Date.now() - started };
  }
}
