import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiExtraModels, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppError, ErrorCode } from '@crewdesk/common';
import { RequirePermissions } from '@crewdesk/auth';
import { AuditService, PG, pgCode, queryRows, TenantContext } from '@crewdesk/db';
import { calendarFromICal, CalendarError, parseCalendar, SlaService } from '@crewdesk/sla';
import {
  CalendarDto,
  CalendarListDto,
  CalendarResponseDto,
  CreateSlaPolicyDto,
  ImportCalendarDto,
  SlaPolicyListDto,
  SlaPolicyResponseDto,
  SlaTargetsDto,
} from './sla.dto';

/* eslint-disable @typescript-eslint/no-explicit-any */
const policyView = (r: any): SlaPolicyResponseDto => ({
  id: r.id,
  name: r.name,
  position: r.position,
  conditions: r.conditions,
  targets: r.targets,
  calendarId: r.calendar_id,
  escalation: r.escalation,
  warnAt: r.warn_at,
  enabled: r.enabled,
  createdAt: new Date(r.created_at).toISOString(),
});
const calendarView = (r: any): CalendarResponseDto => ({
  id: r.id,
  name: r.name,
  definition: r.definition,
  createdAt: new Date(r.created_at).toISOString(),
});

/** A policy's columns, in the order of the INSERT and UPDATE statements. */
const policyColumns = (dto: CreateSlaPolicyDto) => [
  dto.name,
  dto.position ?? 0,
  JSON.stringify(dto.conditions ?? {}),
  JSON.stringify(dto.targets),
  dto.calendarId ?? null,
  JSON.stringify(dto.escalation ?? []),
  dto.warnAt ?? 0.75,
  dto.enabled ?? true,
];

function validCalendar(definition: unknown) {
  try {
    return parseCalendar(definition);
  } catch (err) {
    if (err instanceof CalendarError)
      throw new AppError(ErrorCode.VALIDATION_FAILED, err.message, { field: 'definition' });
    throw err;
  }
}

/** SLA policies (first match by position wins) and business calendars. */
@ApiTags('sla')
@ApiExtraModels(SlaTargetsDto)
@ApiBearerAuth()
@Controller()
export class SlaController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ctx: TenantContext,
    private readonly auditLog: AuditService,
    private readonly sla: SlaService,
  ) {}

  @Get('sla-policies')
  @ApiOkResponse({ type: SlaPolicyListDto })
  async policies() {
    const rows = await this.db.query(`SELECT * FROM sla_policies WHERE tenant_id = $1 ORDER BY position, created_at`, [
      this.ctx.tenantId,
    ]);
    return { items: rows.map(policyView), nextCursor: null };
  }

  @Post('sla-policies')
  @ApiCreatedResponse({ type: SlaPolicyResponseDto })
  @RequirePermissions('settings.manage')
  async createPolicy(@Body() dto: CreateSlaPolicyDto) {
    await this.checkCalendar(dto.calendarId);
    const [row] = await this.db.query(
      `INSERT INTO sla_policies (tenant_id, name, position, conditions, targets, calendar_id, escalation, warn_at, enabled)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
      [this.ctx.tenantId, ...policyColumns(dto)],
    );
    await this.auditLog.record('sla_policy.created', 'sla_policy', row.id, dto);
    this.sla.forgetPolicies();
    return policyView(row);
  }

  @Patch('sla-policies/:id')
  @ApiOkResponse({ type: SlaPolicyResponseDto })
  @RequirePermissions('settings.manage')
  async updatePolicy(@Param('id', ParseUUIDPipe) id: string, @Body() dto: CreateSlaPolicyDto) {
    await this.checkCalendar(dto.calendarId);
    const [row] = await queryRows(
      this.db,
      `UPDATE sla_policies SET name = $3, position = $4, conditions = $5, targets = $6, calendar_id = $7, escalation = $8, warn_at = $9, enabled = $10, updated_at = now()
       WHERE tenant_id = $1 AND id = $2 RETURNING *`,
      [this.ctx.tenantId, id, ...policyColumns(dto)],
    );
    if (!row) throw AppError.notFound('SLA policy');
    await this.auditLog.record('sla_policy.updated', 'sla_policy', id, dto);
    this.sla.forgetPolicies();
    return policyView(row);
  }

  @Delete('sla-policies/:id')
  @RequirePermissions('settings.manage')
  @HttpCode(204)
  async deletePolicy(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    const rows = await queryRows(this.db, `DELETE FROM sla_policies WHERE tenant_id = $1 AND id = $2 RETURNING id`, [
      this.ctx.tenantId,
      id,
    ]);
    if (!rows.length) throw AppError.notFound('SLA policy');
    await this.auditLog.record('sla_policy.deleted', 'sla_policy', id, {});
    this.sla.forgetPolicies();
  }

  private async checkCalendar(id: string | undefined) {
    if (!id) return;
    const rows = await this.db.query(`SELECT 1 FROM business_calendars WHERE tenant_id = $1 AND id = $2`, [
      this.ctx.tenantId,
      id,
    ]);
    if (!rows.length) throw AppError.notFound('Calendar', { field: 'calendarId' });
  }

  @Get('calendars')
  @ApiOkResponse({ type: CalendarListDto })
  async calendars() {
    const rows = await this.db.query(`SELECT * FROM business_calendars WHERE tenant_id = $1 ORDER BY name`, [
      this.ctx.tenantId,
    ]);
    return { items: rows.map(calendarView), nextCursor: null };
  }

  @Post('calendars')
  @ApiCreatedResponse({ type: CalendarResponseDto })
  @RequirePermissions('settings.manage')
  createCalendar(@Body() dto: CalendarDto) {
    return this.saveCalendar(dto.name, validCalendar(dto.definition));
  }

  /** From an iCalendar feed of public holidays (and make-up workdays) on top of weekly hours. */
  @Post('calendars/import')
  @ApiCreatedResponse({ type: CalendarResponseDto })
  @RequirePermissions('settings.manage')
  importCalendar(@Body() dto: ImportCalendarDto) {
    let calendar;
    try {
      calendar = calendarFromICal(
        dto.ics,
        validCalendar({ timezone: dto.base.timezone, weekly: dto.base.weekly }) as never,
      );
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new AppError(
        ErrorCode.VALIDATION_FAILED,
        `The iCalendar file could not be read: ${(err as Error).message}`,
        { field: 'ics' },
      );
    }
    return this.saveCalendar(dto.name, calendar);
  }

  private async saveCalendar(name: string, definition: unknown) {
    try {
      const [row] = await this.db.query(
        `INSERT INTO business_calendars (tenant_id, name, definition) VALUES ($1, $2, $3) RETURNING *`,
        [this.ctx.tenantId, name, JSON.stringify(definition)],
      );
      await this.auditLog.record('calendar.created', 'calendar', row.id, { name });
      return calendarView(row);
    } catch (err) {
      if (pgCode(err) === PG.UNIQUE_VIOLATION)
        throw new AppError(ErrorCode.CONFLICT, `A calendar named "${name}" exists`, { field: 'name' });
      throw err;
    }
  }
}
