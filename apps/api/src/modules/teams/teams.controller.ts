import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppError, ErrorCode } from '@crewdesk/common';
import { RequirePermissions } from '@crewdesk/auth';
import { AuditService, PG, pgCode, TenantContext } from '@crewdesk/db';
import { TeamDto, TeamPageDto } from './teams-responses.dto';
import { CreateTeamDto, UpdateTeamDto } from './teams.dto';

const TEAM_SELECT = `t.*, coalesce((SELECT json_agg(json_build_object('userId', m.user_id, 'isLead', m.is_lead) ORDER BY m.is_lead DESC)
  FROM team_members m WHERE m.team_id = t.id AND m.tenant_id = t.tenant_id), '[]') AS members`;

/* eslint-disable @typescript-eslint/no-explicit-any */
const teamView = (r: any): TeamDto => ({
  id: r.id,
  name: r.name,
  description: r.description,
  assignment: r.assignment,
  offlineReassignMinutes: r.offline_reassign_minutes,
  backlogAlertMinutes: r.backlog_alert_minutes,
  handoffAckMinutes: r.handoff_ack_minutes,
  handoffAnswerMinutes: r.handoff_answer_minutes,
  members: r.members,
  createdAt: new Date(r.created_at).toISOString(),
});

/** Teams group anyone: support, engineering, product; the assignment strategy is the team's. */
@ApiTags('teams')
@ApiBearerAuth()
@Controller('teams')
export class TeamsController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ctx: TenantContext,
    private readonly auditLog: AuditService,
  ) {}

  @Get()
  @ApiOkResponse({ type: TeamPageDto })
  async list() {
    const rows = await this.db.query(`SELECT ${TEAM_SELECT} FROM teams t WHERE t.tenant_id = $1 ORDER BY t.name`, [
      this.ctx.tenantId,
    ]);
    return { items: rows.map(teamView), nextCursor: null };
  }

  @Get(':id')
  @ApiOkResponse({ type: TeamDto })
  async get(@Param('id', ParseUUIDPipe) id: string) {
    const [row] = await this.db.query(`SELECT ${TEAM_SELECT} FROM teams t WHERE t.tenant_id = $1 AND t.id = $2`, [
      this.ctx.tenantId,
      id,
    ]);
    if (!row) throw AppError.notFound('Team');
    return teamView(row);
  }

  @Post()
  @RequirePermissions('team.manage')
  @ApiCreatedResponse({ type: TeamDto })
  async create(@Body() dto: CreateTeamDto) {
    const id = await this.write(async (m) => {
      const [row] = await m.query(
        `INSERT INTO teams (tenant_id, name, description, assignment, offline_reassign_minutes, backlog_alert_minutes, handoff_ack_minutes, handoff_answer_minutes)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
        [
          this.ctx.tenantId,
          dto.name.trim(),
          dto.description ?? '',
          dto.assignment ?? 'manual',
          dto.offlineReassignMinutes ?? null,
          dto.backlogAlertMinutes ?? null,
          dto.handoffAckMinutes ?? null,
          dto.handoffAnswerMinutes ?? null,
        ],
      );
      await this.setMembers(m, row.id, dto.memberIds ?? [], dto.leadIds ?? []);
      await this.auditLog.record('team.created', 'team', row.id, dto, m);
      return row.id as string;
    }, dto.name);
    return this.get(id);
  }

  @Patch(':id')
  @RequirePermissions('team.manage')
  @ApiOkResponse({ type: TeamDto })
  async update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateTeamDto) {
    const current = await this.get(id);
    await this.write(async (m) => {
      await m.query(
        `UPDATE teams SET name = coalesce($3, name), description = coalesce($4, description), assignment = coalesce($5, assignment),
           offline_reassign_minutes = CASE WHEN $6 THEN $7::real ELSE offline_reassign_minutes END,
           backlog_alert_minutes = CASE WHEN $8 THEN $9::real ELSE backlog_alert_minutes END,
           handoff_ack_minutes = CASE WHEN $10 THEN $11::real ELSE handoff_ack_minutes END,
           handoff_answer_minutes = CASE WHEN $12 THEN $13::real ELSE handoff_answer_minutes END
         WHERE tenant_id = $1 AND id = $2`,
        [
          this.ctx.tenantId,
          id,
          dto.name?.trim() ?? null,
          dto.description ?? null,
          dto.assignment ?? null,
          // A field sent as null turns the setting off; a field left out keeps it.
          dto.offlineReassignMinutes !== undefined,
          dto.offlineReassignMinutes ?? null,
          dto.backlogAlertMinutes !== undefined,
          dto.backlogAlertMinutes ?? null,
          dto.handoffAckMinutes !== undefined,
          dto.handoffAckMinutes ?? null,
          dto.handoffAnswerMinutes !== undefined,
          dto.handoffAnswerMinutes ?? null,
        ],
      );
      if (dto.memberIds || dto.leadIds) {
        const members = dto.memberIds ?? current.members.map((x: { userId: string }) => x.userId);
        await m.query(`DELETE FROM team_members WHERE tenant_id = $1 AND team_id = $2`, [this.ctx.tenantId, id]);
        await this.setMembers(
          m,
          id,
          members,
          dto.leadIds ??
            current.members.filter((x: { isLead: boolean }) => x.isLead).map((x: { userId: string }) => x.userId),
        );
      }
      await this.auditLog.record('team.updated', 'team', id, dto, m);
    }, dto.name);
    return this.get(id);
  }

  private async write<T>(fn: (m: EntityManager) => Promise<T>, name?: string): Promise<T> {
    try {
      return await this.db.transaction(fn);
    } catch (err) {
      if (pgCode(err) === PG.UNIQUE_VIOLATION)
        throw new AppError(ErrorCode.CONFLICT, `A team named "${name}" exists`, { field: 'name' });
      throw err;
    }
  }

  private async setMembers(m: EntityManager, teamId: string, memberIds: string[], leadIds: string[]) {
    const ids = [...new Set([...memberIds, ...leadIds])];
    if (!ids.length) return;
    const found = await m.query(`SELECT id FROM users WHERE tenant_id = $1 AND id = ANY($2::uuid[])`, [
      this.ctx.tenantId,
      ids,
    ]);
    if (found.length !== ids.length) throw AppError.notFound('User', { field: 'memberIds' });
    await m.query(
      `INSERT INTO team_members (team_id, user_id, tenant_id, is_lead) SELECT $1, u, $2, u = ANY($4::uuid[]) FROM unnest($3::uuid[]) u`,
      [teamId, this.ctx.tenantId, ids, leadIds],
    );
  }
}
