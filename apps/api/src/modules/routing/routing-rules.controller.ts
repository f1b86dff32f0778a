import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppError, ErrorCode } from '@crewdesk/common';
import { RequirePermissions } from '@crewdesk/auth';
import { AuditService, queryRows, TenantContext } from '@crewdesk/db';
import { RoutingService } from '@crewdesk/routing';
import { TicketsService } from '@crewdesk/tickets';
import {
  CreateRoutingRuleDto,
  DryRunDto,
  RoutingRuleListDto,
  RoutingRuleResponseDto,
  RuleActionsDto,
  RuleConditionsDto,
  UpdateRoutingRuleDto,
} from './routing.dto';
import { DryRunResultDto } from './routing-responses.dto';

/* eslint-disable @typescript-eslint/no-explicit-any */
const ruleView = (r: any): RoutingRuleResponseDto => ({
  id: r.id,
  name: r.name,
  position: r.position,
  enabled: r.enabled,
  conditions: r.conditions,
  actions: r.actions,
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
});

/** Drops empty lists and blank keywords, so a stored rule says only what it checks. */
function clean<T extends object>(o: T | undefined): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o ?? {})) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) {
      const list = v.map((x) => (typeof x === 'string' ? x.trim() : x)).filter((x) => x !== '');
      if (list.length) out[k] = k === 'tags' || k === 'addTags' ? list.map((x) => String(x).toLowerCase()) : list;
    } else out[k] = v;
  }
  return out as Partial<T>;
}

/** Ordered routing rules (the first that matches wins) and a dry run that says which would match and why. */
@ApiTags('routing')
@ApiBearerAuth()
@Controller('routing-rules')
export class RoutingRulesController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ctx: TenantContext,
    private readonly auditLog: AuditService,
    private readonly routing: RoutingService,
    private readonly tickets: TicketsService,
  ) {}

  @Get()
  @ApiOkResponse({ type: RoutingRuleListDto })
  async list() {
    const rows = await this.db.query(`SELECT * FROM routing_rules WHERE tenant_id = $1 ORDER BY position, created_at`, [
      this.ctx.tenantId,
    ]);
    return { items: rows.map(ruleView), nextCursor: null };
  }

  @Get(':id')
  @ApiOkResponse({ type: RoutingRuleResponseDto })
  async get(@Param('id', ParseUUIDPipe) id: string) {
    const [row] = await this.db.query(`SELECT * FROM routing_rules WHERE tenant_id = $1 AND id = $2`, [
      this.ctx.tenantId,
      id,
    ]);
    if (!row) throw AppError.notFound('Routing rule');
    return ruleView(row);
  }

  @Post()
  @ApiCreatedResponse({ type: RoutingRuleResponseDto })
  @RequirePermissions('settings.manage')
  async create(@Body() dto: CreateRoutingRuleDto) {
    const conditions = clean(dto.conditions);
    const actions = clean(dto.actions);
    await this.check(conditions, actions);
    const position =
      dto.position ??
      (
        await this.db.query(`SELECT coalesce(max(position) + 1, 0) AS next FROM routing_rules WHERE tenant_id = $1`, [
          this.ctx.tenantId,
        ])
      )[0].next;
    const [row] = await this.db.query(
      `INSERT INTO routing_rules (tenant_id, name, position, enabled, conditions, actions) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
      [
        this.ctx.tenantId,
        dto.name.trim(),
        position,
        dto.enabled ?? true,
        JSON.stringify(conditions),
        JSON.stringify(actions),
      ],
    );
    await this.auditLog.record('routing_rule.created', 'routing_rule', row.id, { name: dto.name });
    this.routing.forgetRules();
    return ruleView(row);
  }

  @Patch(':id')
  @ApiOkResponse({ type: RoutingRuleResponseDto })
  @RequirePermissions('settings.manage')
  async update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateRoutingRuleDto) {
    const current = await this.get(id);
    const conditions = dto.conditions ? clean(dto.conditions) : current.conditions;
    const actions = dto.actions ? clean(dto.actions) : current.actions;
    await this.check(conditions, actions);
    const [row] = await queryRows(
      this.db,
      `UPDATE routing_rules SET name = $3, position = $4, enabled = $5, conditions = $6, actions = $7, updated_at = now()
       WHERE tenant_id = $1 AND id = $2 RETURNING *`,
      [
        this.ctx.tenantId,
        id,
        dto.name?.trim() ?? current.name,
        dto.position ?? current.position,
        dto.enabled ?? current.enabled,
        JSON.stringify(conditions),
        JSON.stringify(actions),
      ],
    );
    if (!row) throw AppError.notFound('Routing rule');
    await this.auditLog.record('routing_rule.updated', 'routing_rule', id, dto);
    this.routing.forgetRules();
    return ruleView(row);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermissions('settings.manage')
  async remove(@Param('id', ParseUUIDPipe) id: string) {
    const rows = await queryRows(this.db, `DELETE FROM routing_rules WHERE tenant_id = $1 AND id = $2 RETURNING id`, [
      this.ctx.tenantId,
      id,
    ]);
    if (!rows.length) throw AppError.notFound('Routing rule');
    await this.auditLog.record('routing_rule.deleted', 'routing_rule', id, {});
    this.routing.forgetRules();
  }

  /** Which rule would route this ticket (an existing one by id, or one described), and why. Changes nothing. */
  @Post('dry-run')
  @HttpCode(200)
  @ApiOkResponse({ type: DryRunResultDto })
  async dryRun(@Body() dto: DryRunDto): Promise<DryRunResultDto> {
    if (dto.ticketId) {
      const t = await this.tickets.get({ id: dto.ticketId });
      const [first] = await this.db.query(
        `SELECT m.body_text, c.tier, c.organisation FROM messages m JOIN tickets t ON t.id = m.ticket_id
         LEFT JOIN customers c ON c.id = t.requester_id AND c.tenant_id = t.tenant_id
         WHERE m.tenant_id = $1 AND m.ticket_id = $2 ORDER BY m.created_at, m.id LIMIT 1`,
        [this.ctx.tenantId, t.id],
      );
      return this.routing.dryRun({
        channel: t.channel,
        subject: t.subject,
        body: first?.body_text ?? '',
        tags: t.tags,
        customerTier: first?.tier ?? null,
        customerOrganisation: first?.organisation ?? null,
        at: new Date(t.createdAt),
      });
    }
    if (!dto.channel && dto.subject === undefined && dto.body === undefined)
      throw new AppError(
        ErrorCode.VALIDATION_FAILED,
        'Describe a ticket (channel, subject, body...) or give a ticketId',
        {
          field: 'ticketId',
        },
      );
    return this.routing.dryRun({
      channel: dto.channel ?? 'web',
      subject: dto.subject ?? '',
      body: dto.body ?? '',
      tags: (dto.tags ?? []).map((t) => t.toLowerCase()),
      customerTier: dto.customerTier ?? null,
      customerOrganisation: dto.organisation ?? null,
      at: dto.at ? new Date(dto.at) : new Date(),
    });
  }

  /** Everything a rule refers to exists in this workspace. */
  private async check(c: Partial<RuleConditionsDto>, a: Partial<RuleActionsDto>): Promise<void> {
    const t = this.ctx.tenantId;
    const exists = async (sql: string, params: unknown[]) => (await this.db.query(sql, params)).length > 0;
    if (
      c.calendarId &&
      !(await exists(`SELECT 1 FROM business_calendars WHERE tenant_id = $1 AND id = $2`, [t, c.calendarId]))
    )
      throw AppError.notFound('Calendar', { field: 'conditions.calendarId' });
    if (a.teamId && !(await exists(`SELECT 1 FROM teams WHERE tenant_id = $1 AND id = $2`, [t, a.teamId])))
      throw AppError.notFound('Team', { field: 'actions.teamId' });
    if (a.assignTo?.type === 'user') {
      const ok =
        /^[0-9a-f-]{36}$/i.test(a.assignTo.value) &&
        (await exists(`SELECT 1 FROM users WHERE tenant_id = $1 AND id = $2 AND status = 'active'`, [
          t,
          a.assignTo.value,
        ]));
      if (!ok) throw AppError.notFound('User', { field: 'actions.assignTo.value' });
    }
    if (
      a.assignTo?.type === 'role' &&
      !(await exists(`SELECT 1 FROM roles WHERE tenant_id = $1 AND name = $2`, [t, a.assignTo.value]))
    )
      throw AppError.notFound('Role', { field: 'actions.assignTo.value' });
    if (a.followerIds?.length) {
      const rows = await this.db.query(`SELECT id FROM users WHERE tenant_id = $1 AND id = ANY($2::uuid[])`, [
        t,
        a.followerIds,
      ]);
      if (rows.length !== new Set(a.followerIds).size)
        throw AppError.notFound('User', { field: 'actions.followerIds' });
    }
  }
}
