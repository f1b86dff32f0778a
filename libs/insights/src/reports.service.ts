import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CHANNELS, TenantContext } from '@crewdesk/db';
import { InsightsError, InsightsErrorCode } from './insights.errors';
import { topKeywords } from './keywords';
import { composite, FORMULAS, pct, SCORE_FORMULA, ScoreComponents } from './formulas';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Row = Record<string, any>;

export interface ReportRange {
  from: Date;
  to: Date;
  timezone: string;
  teamId?: string;
}

export type ScorecardGroup = 'person' | 'team' | 'role';

const MAX_DAYS = 400;
const num = (v: unknown) => (v == null ? null : Number(v));
const round = (v: unknown, digits = 0) => (v == null ? null : Number(Number(v).toFixed(digits)));
const AGE_BUCKETS = [
  { bucket: '<1h', max: 3600 },
  { bucket: '1-4h', max: 4 * 3600 },
  { bucket: '4-24h', max: 24 * 3600 },
  { bucket: '1-3d', max: 3 * 86400 },
  { bucket: '3-7d', max: 7 * 86400 },
  { bucket: '>7d', max: null },
] as const;

/** Checks a period and a time zone: REPORT_RANGE_INVALID rather than a confusing empty report. */
export function checkRange(r: ReportRange): void {
  if (!(r.from instanceof Date) || isNaN(+r.from) || !(r.to instanceof Date) || isNaN(+r.to) || r.from >= r.to)
    throw new InsightsError(InsightsErrorCode.REPORT_RANGE_INVALID, '`from` must be before `to`', {
      field: 'from',
    });
  if (+r.to - +r.from > MAX_DAYS * 86400_000)
    throw new InsightsError(InsightsErrorCode.REPORT_RANGE_INVALID, `A period is at most ${MAX_DAYS} days`, {
      field: 'to',
    });
  try {
    new Intl.DateTimeFormat('en', { timeZone: r.timezone });
  } catch {
    throw new InsightsError(InsightsErrorCode.REPORT_RANGE_INVALID, `Unknown time zone ${r.timezone}`, {
      field: 'timezone',
    });
  }
}

const durations = (r: Row, prefix: string) => ({
  count: Number(r[`${prefix}_n`] ?? 0),
  medianSeconds: round(r[`${prefix}_median`]),
  avgSeconds: round(r[`${prefix}_avg`]),
  p90Seconds: round(r[`${prefix}_p90`]),
});

const durationSql = (expr: string, prefix: string) => `
  count(${expr}) AS ${prefix}_n,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY ${expr}) AS ${prefix}_median,
  avg(${expr}) AS ${prefix}_avg,
  percentile_cont(0.9) WITHIN GROUP (ORDER BY ${expr}) AS ${prefix}_p90`;

/**
 * Reports over the facts projection (`ticket_facts`), SLA timers and surveys, every query scoped by the tenant of the
 * context and served by an index on (tenant_id, created_at / started_at). Every figure says what it counts.
 */
@Injectable()
export class ReportsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ctx: TenantContext,
  ) {}

  async overview(r: ReportRange) {
    checkRange(r);
    const tenant = this.ctx.tenantId;
    const team = r.teamId ?? null;
    const factsWhere = `f.tenant_id = $1 AND f.created_at >= $2 AND f.created_at < $3 AND ($4::uuid IS NULL OR f.team_id = $4::uuid)`;
    const base = [tenant, r.from, r.to, team];
    const [totals, volume, byRole, sla, backlogRows, surveys] = await Promise.all([
      this.sorted(
        `SELECT count(*)::int AS tickets,
           ${durationSql('f.first_response_s', 'fr')},
           ${durationSql('f.resolution_s', 'res')},
           ${durationSql('CASE WHEN f.next_response_n > 0 THEN f.next_response_sum_s::float8 / f.next_response_n END', 'nrt')},
           sum(f.next_response_n)::int AS nr_waits, sum(f.next_response_sum_s)::float8 AS nr_sum,
           count(*) FILTER (WHERE f.solves > 0)::int AS solved_once,
           count(*) FILTER (WHERE f.reopens > 0)::int AS reopened,
           count(f.resolved_at)::int AS resolved,
           ${CHANNELS.map((c) => `count(*) FILTER (WHERE f.channel = '${c}')::int AS "ch_${c}"`).join(', ')}
         FROM ticket_facts f WHERE ${factsWhere}`,
        base,
      ),
      // Hours and days in the report's zone from 15-minute UTC buckets (cheap to group; exact for every zone, whose
      // offsets are all multiples of 15 minutes), then the few thousand buckets are placed in the zone.
      this.db.query(
        `SELECT extract(hour FROM x.b AT TIME ZONE $5)::int AS hour, to_char((x.b AT TIME ZONE $5)::date, 'YYYY-MM-DD') AS date,
           sum(x.n)::int AS tickets
         FROM (SELECT date_bin('15 minutes', f.created_at, '2000-01-01') AS b, count(*) AS n FROM ticket_facts f
               WHERE ${factsWhere} GROUP BY 1) x
         GROUP BY 1, 2`,
        [...base, r.timezone],
      ),
      // Per person first (a hash aggregate over a few dozen people), then onto their roles.
      this.db.query(
        `SELECT x.key AS user_id, count(*)::int AS tickets, sum(x.value::int)::int AS replies,
           coalesce((SELECT array_agg(ro.name ORDER BY ro.name) FROM user_roles ur JOIN roles ro ON ro.id = ur.role_id AND ro.tenant_id = ur.tenant_id
                     WHERE ur.tenant_id = $1 AND ur.user_id = x.key::uuid), '{}') AS roles
         FROM ticket_facts f CROSS JOIN LATERAL jsonb_each_text(f.replies) x
         WHERE ${factsWhere} AND f.staff_replies > 0 GROUP BY 1`,
        base,
      ),
      this.db.query(
        `SELECT s.metric,
           count(*) FILTER (WHERE s.met_at IS NOT NULL AND s.breached_at IS NULL)::int AS met,
           count(*) FILTER (WHERE s.breached_at IS NOT NULL)::int AS breached,
           count(*) FILTER (WHERE s.status = 'active' AND s.breached_at IS NULL)::int AS running
         FROM sla_timers s ${team ? 'JOIN tickets t ON t.id = s.ticket_id AND t.tenant_id = s.tenant_id' : ''}
         WHERE s.tenant_id = $1 AND s.started_at >= $2 AND s.started_at < $3 AND s.status <> 'cancelled'
           ${team ? 'AND t.team_id = $4::uuid' : 'AND $4::uuid IS NULL'}
         GROUP BY 1 ORDER BY 1`,
        base,
      ),
      this.db.query(
        `SELECT t.status, ${AGE_BUCKETS.map(
          (b, i) =>
            `count(*) FILTER (WHERE now() - t.created_at ${i ? `>= make_interval(secs => ${AGE_BUCKETS[i - 1].max})` : ">= interval '0'"}${
              b.max ? ` AND now() - t.created_at < make_interval(secs => ${b.max})` : ''
            })::int AS b${i}`,
        ).join(', ')}, count(*)::int AS open, extract(epoch FROM now() - min(t.created_at))::float8 AS oldest
         FROM tickets t WHERE t.tenant_id = $1 AND t.status = ANY('{new,open,pending,on_hold}'::text[])
           AND ($2::uuid IS NULL OR t.team_id = $2::uuid)
         GROUP BY 1`,
        [tenant, team],
      ),
      this.db.query(
        `SELECT count(*)::int AS sent, count(s.csat)::int AS answered,
           count(*) FILTER (WHERE s.csat >= 4)::int AS satisfied, avg(s.csat)::float8 AS csat_avg,
           count(*) FILTER (WHERE s.csat <= 2)::int AS dissatisfied,
           count(s.nps)::int AS nps_n, count(*) FILTER (WHERE s.nps >= 9)::int AS promoters,
           count(*) FILTER (WHERE s.nps BETWEEN 7 AND 8)::int AS passives, count(*) FILTER (WHERE s.nps <= 6)::int AS detractors,
           count(s.ces)::int AS ces_n, avg(s.ces)::float8 AS ces_avg
         FROM surveys s WHERE s.tenant_id = $1 AND s.created_at >= $2 AND s.created_at < $3 AND ($4::uuid IS NULL OR s.team_id = $4::uuid)`,
        base,
      ),
    ]);
    const t = totals[0];
    const sum = (key: string) => {
      const m = new Map<string | number, number>();
      for (const v of volume as Row[]) m.set(v[key], (m.get(v[key]) ?? 0) + v.tickets);
      return m;
    };
    const hours = sum('hour');
    const b: Row = { open: 0, oldest: null };
    for (const row of backlogRows as Row[]) {
      b.open += row.open;
      b.oldest = Math.max(b.oldest ?? 0, row.oldest);
      AGE_BUCKETS.forEach((_, i) => (b[`b${i}`] = (b[`b${i}`] ?? 0) + row[`b${i}`]));
    }
    const s = surveys[0];
    return {
      period: { from: r.from.toISOString(), to: r.to.toISOString(), timezone: r.timezone, teamId: team },
      basis: {
        tickets: 'tickets created in the period (their facts come from the event log)',
        sla: 'SLA timers started in the period, cancelled ones left out',
        surveys: 'surveys sent in the period',
        backlog: 'tickets open now (new, open, pending, on hold)',
      },
      volume: {
        tickets: t.tickets,
        byChannel: CHANNELS.map((channel) => ({ channel: channel as string, tickets: t[`ch_${channel}`] as number }))
          .filter((c) => c.tickets > 0)
          .sort((a, b) => b.tickets - a.tickets || a.channel.localeCompare(b.channel)),
        byHour: Array.from({ length: 24 }, (_, hour) => ({ hour, tickets: hours.get(hour) ?? 0 })),
        byDay: [...sum('date')]
          .map(([date, tickets]) => ({ date: String(date), tickets }))
          .sort((a, b) => a.date.localeCompare(b.date)),
      },
      firstResponse: durations(t, 'fr'),
      nextResponse: {
        ...durations(t, 'nrt'),
        waits: t.nr_waits ?? 0,
        avgSeconds: t.nr_waits ? round(t.nr_sum / t.nr_waits) : null,
      },
      resolution: durations(t, 'res'),
      reopens: { solved: t.solved_once, reopened: t.reopened, rate: pct(t.reopened, t.solved_once) },
      sla: sla.map((m: Row) => ({
        metric: m.metric,
        met: m.met,
        breached: m.breached,
        running: m.running,
        compliance: pct(m.met, m.met + m.breached),
      })),
      backlog: {
        open: b.open,
        oldestAgeSeconds: round(b.oldest),
        byStatus: ['new', 'open', 'pending', 'on_hold'].map((status) => ({
          status,
          tickets: backlogRows.find((x: Row) => x.status === status)?.open ?? 0,
        })),
        ageBuckets: AGE_BUCKETS.map((x, i) => ({ bucket: x.bucket, tickets: b[`b${i}`] ?? 0 })),
      },
      answeredByRole: byRoles(byRole),
      satisfaction: satisfaction(s),
      formulas: FORMULAS,
    };
  }

  async scorecards(r: ReportRange, groupBy: ScorecardGroup, onlyPersonId?: string) {
    checkRange(r);
    const tenant = this.ctx.tenantId;
    const key = {
      person: {
        facts: 'f.assignee_id::text',
        replies: 'x.key',
        sla: 't.assignee_id::text',
        surveys: 's.assignee_id::text',
      },
      team: {
        facts: 'f.team_id::text',
        replies: 'f.team_id::text',
        sla: 't.team_id::text',
        surveys: 's.team_id::text',
      },
      role: { facts: 'ro.name', replies: 'ro.name', sla: 'ro.name', surveys: 'ro.name' },
    }[groupBy];
    const roleJoin = (userExpr: string, tenantExpr: string) =>
      groupBy === 'role'
        ? `JOIN user_roles ur ON ur.tenant_id = ${tenantExpr} AND ur.user_id = ${userExpr} JOIN roles ro ON ro.id = ur.role_id AND ro.tenant_id = ${tenantExpr}`
        : '';
    const base = [tenant, r.from, r.to, r.teamId ?? null];
    const teamOf = (alias: string) => `($4::uuid IS NULL OR ${alias}.team_id = $4::uuid)`;
    const [facts, replies, sla, surveys] = await Promise.all([
      this.sorted(
        `SELECT ${key.facts} AS k, count(*)::int AS tickets, count(f.resolved_at)::int AS resolved,
           count(*) FILTER (WHERE f.solves > 0)::int AS solved_once, count(*) FILTER (WHERE f.reopens > 0)::int AS reopened,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY f.first_response_s) AS fr_median,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY f.resolution_s) AS res_median
         FROM ticket_facts f ${roleJoin('f.assignee_id', 'f.tenant_id')}
         WHERE f.tenant_id = $1 AND f.created_at >= $2 AND f.created_at < $3 AND ${teamOf('f')} GROUP BY 1`,
        base,
      ),
      this.replies(groupBy, base, teamOf('f')),
      this.db.query(
        `SELECT ${key.sla} AS k, s.metric,
           count(*) FILTER (WHERE s.met_at IS NOT NULL AND s.breached_at IS NULL)::int AS met,
           count(*) FILTER (WHERE s.breached_at IS NOT NULL)::int AS breached
         FROM sla_timers s JOIN tickets t ON t.id = s.ticket_id AND t.tenant_id = s.tenant_id ${roleJoin('t.assignee_id', 's.tenant_id')}
         WHERE s.tenant_id = $1 AND s.started_at >= $2 AND s.started_at < $3 AND s.status <> 'cancelled' AND ${teamOf('t')}
         GROUP BY 1, 2`,
        base,
      ),
      this.db.query(
        `SELECT ${key.surveys} AS k, count(s.csat)::int AS answered, count(*) FILTER (WHERE s.csat >= 4)::int AS satisfied,
           count(*) FILTER (WHERE s.csat <= 2)::int AS dissatisfied, avg(s.csat)::float8 AS csat_avg,
           count(s.nps)::int AS nps_n, count(*) FILTER (WHERE s.nps >= 9)::int AS promoters,
           count(*) FILTER (WHERE s.nps BETWEEN 7 AND 8)::int AS passives, count(*) FILTER (WHERE s.nps <= 6)::int AS detractors,
           count(s.ces)::int AS ces_n, avg(s.ces)::float8 AS ces_avg, count(*)::int AS sent
         FROM surveys s ${roleJoin('s.assignee_id', 's.tenant_id')}
         WHERE s.tenant_id = $1 AND s.created_at >= $2 AND s.created_at < $3 AND ${teamOf('s')} GROUP BY 1`,
        base,
      ),
    ]);
    const keys = new Set<string | null>([...facts, ...replies, ...sla, ...surveys].map((x: Row) => x.k ?? null));
    const names = await this.names(
      groupBy,
      [...keys].filter((k): k is string => !!k),
    );
    const items = [...keys]
      .filter((k) => groupBy !== 'role' || k)
      .filter((k) => !onlyPersonId || k === onlyPersonId)
      .map((k) => {
        const f = facts.find((x: Row) => (x.k ?? null) === k) ?? {};
        const rp = replies.find((x: Row) => (x.k ?? null) === k) ?? {};
        const sv = surveys.find((x: Row) => (x.k ?? null) === k) ?? {};
        const timer = (metric: string) => sla.find((x: Row) => (x.k ?? null) === k && x.metric === metric);
        const compliance = (metric: string) => {
          const m = timer(metric);
          return m ? pct(m.met, m.met + m.breached) : null;
        };
        const sat = satisfaction(sv);
        const reopenRate = pct(f.reopened ?? 0, f.solved_once ?? 0);
        const components: ScoreComponents = {
          response: compliance('first_response'),
          resolution: compliance('resolution'),
          afterSales: reopenRate == null ? null : round(100 - reopenRate, 1),
          satisfaction: sat.csat.percent,
          disputes: sat.csat.disputeRate == null ? null : round(100 - sat.csat.disputeRate, 1),
        };
        return {
          key: k,
          name:
            k == null ? (groupBy === 'team' ? 'No team' : 'Unassigned') : groupBy === 'role' ? k : (names.get(k) ?? k),
          score: composite(components),
          components,
          tickets: f.tickets ?? 0,
          resolved: f.resolved ?? 0,
          reopenRate,
          firstResponseMedianSeconds: round(f.fr_median),
          resolutionMedianSeconds: round(f.res_median),
          answeredTickets: rp.answered ?? 0,
          replies: rp.replies ?? 0,
          sla: {
            firstResponse: compliance('first_response'),
            nextResponse: compliance('next_response'),
            resolution: compliance('resolution'),
          },
          satisfaction: sat,
        };
      })
      .sort((a, b) => (b.score ?? -1) - (a.score ?? -1) || b.tickets - a.tickets || a.name.localeCompare(b.name));
    return {
      period: { from: r.from.toISOString(), to: r.to.toISOString(), timezone: r.timezone, teamId: r.teamId ?? null },
      groupBy,
      basis: {
        person:
          'tickets by current assignee, replies by their author, surveys by the assignee when the ticket was solved',
        team: "tickets, replies and SLA timers by the ticket's team, surveys by the team when the ticket was solved",
        role: 'as for people, counted once under each role a person holds',
      }[groupBy],
      formula: SCORE_FORMULA,
      formulas: FORMULAS,
      items,
    };
  }

  async touchpoints(r: ReportRange) {
    checkRange(r);
    const tenant = this.ctx.tenantId;
    const base = [tenant, r.from, r.to, r.teamId ?? null];
    const factsWhere = `f.tenant_id = $1 AND f.created_at >= $2 AND f.created_at < $3 AND ($4::uuid IS NULL OR f.team_id = $4::uuid)`;
    const [opens, chat, channels, tags, subjects, surveys] = await Promise.all([
      this.db.query(
        `SELECT coalesce(sum(count), 0)::int AS n FROM touchpoint_counts WHERE tenant_id = $1 AND metric = 'widget.opened' AND hour >= $2 AND hour < $3`,
        [tenant, r.from, r.to],
      ),
      this.sorted(
        `SELECT count(*)::int AS started, count(f.first_response_at)::int AS answered, count(f.resolved_at)::int AS resolved,
           count(*) FILTER (WHERE f.first_response_at IS NULL AND f.status IN ('solved', 'closed'))::int AS ended_unanswered,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY f.first_response_s) AS wait_median
         FROM ticket_facts f WHERE ${factsWhere} AND f.channel = 'chat'`,
        base,
      ),
      this.sorted(
        `SELECT f.channel, count(*)::int AS tickets, count(f.first_response_at)::int AS answered,
           count(f.resolved_at)::int AS resolved,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY f.first_response_s) AS first_response_median,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY f.resolution_s) AS resolution_median
         FROM ticket_facts f WHERE ${factsWhere} GROUP BY 1 ORDER BY 2 DESC, 1`,
        base,
      ),
      this.db.query(
        `SELECT tag, count(*)::int AS tickets FROM ticket_facts f CROSS JOIN LATERAL unnest(f.tags) tag
         WHERE ${factsWhere} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 20`,
        base,
      ),
      // Keywords from the newest 5,000 subjects of the period: enough to see what rises, bounded in cost.
      this.db.query(
        `SELECT t.subject FROM tickets t WHERE t.tenant_id = $1 AND t.created_at >= $2 AND t.created_at < $3
           AND ($4::uuid IS NULL OR t.team_id = $4::uuid) ORDER BY t.created_at DESC LIMIT 5000`,
        base,
      ),
      this.db.query(
        `SELECT count(*)::int AS sent, count(s.csat)::int AS answered FROM surveys s
         WHERE s.tenant_id = $1 AND s.created_at >= $2 AND s.created_at < $3 AND s.channel = 'chat' AND ($4::uuid IS NULL OR s.team_id = $4::uuid)`,
        base,
      ),
    ]);
    const c = chat[0];
    const steps = [
      { step: 'widget_opened', label: 'Widget opened', count: opens[0].n as number },
      { step: 'message_sent', label: 'Message sent', count: c.started as number },
      { step: 'answered', label: 'Answered', count: c.answered as number },
      { step: 'resolved', label: 'Resolved', count: c.resolved as number },
      { step: 'survey_answered', label: 'Survey answered', count: surveys[0].answered as number },
    ];
    return {
      period: { from: r.from.toISOString(), to: r.to.toISOString(), timezone: r.timezone, teamId: r.teamId ?? null },
      funnel: steps.map((s, i) => ({
        ...s,
        // Share of the previous step that reached this one; the drop is what was lost on the way.
        conversion: i === 0 ? null : pct(s.count, steps[i - 1].count),
        dropped: i === 0 ? null : Math.max(0, steps[i - 1].count - s.count),
      })),
      waits: {
        chatFirstResponseMedianSeconds: round(c.wait_median),
        chatEndedUnanswered: c.ended_unanswered,
      },
      channels: channels.map((x: Row) => ({
        channel: x.channel,
        tickets: x.tickets,
        answered: x.answered,
        resolved: x.resolved,
        unanswered: x.tickets - x.answered,
        firstResponseMedianSeconds: round(x.first_response_median),
        resolutionMedianSeconds: round(x.resolution_median),
      })),
      topics: {
        tags: tags.map((x: Row) => ({ tag: x.tag, tickets: x.tickets })),
        keywords: topKeywords(subjects.map((x: Row) => x.subject as string)),
      },
      basis: {
        widget_opened: 'widget panels opened in the period (counted per hour)',
        message_sent: 'chat conversations started in the period',
        answered: 'of those, answered by staff',
        resolved: 'of those, solved or closed now',
        survey_answered: 'chat surveys sent in the period and answered',
      },
    };
  }

  /** A query whose percentiles sort many rows: in memory (work_mem for its transaction only), not on disk. */
  private sorted(sql: string, params: unknown[]): Promise<Row[]> {
    return this.db.transaction(async (m) => {
      await m.query(`SET LOCAL work_mem = '64MB'`);
      return m.query(sql, params);
    });
  }

  /** Tickets answered and public replies per group: per person from the facts' `replies`, then onto roles or teams. */
  private async replies(groupBy: ScorecardGroup, base: unknown[], teamFilter: string): Promise<Row[]> {
    const where = `f.tenant_id = $1 AND f.created_at >= $2 AND f.created_at < $3 AND ${teamFilter} AND f.staff_replies > 0`;
    if (groupBy === 'team')
      return this.db.query(
        `SELECT f.team_id::text AS k, count(*)::int AS answered, sum(f.staff_replies)::int AS replies
         FROM ticket_facts f WHERE ${where} GROUP BY 1`,
        base,
      );
    const people: Row[] = await this.db.query(
      `SELECT x.key AS k, count(*)::int AS answered, sum(x.value::int)::int AS replies,
         coalesce((SELECT array_agg(ro.name ORDER BY ro.name) FROM user_roles ur JOIN roles ro ON ro.id = ur.role_id AND ro.tenant_id = ur.tenant_id
                   WHERE ur.tenant_id = $1 AND ur.user_id = x.key::uuid), '{}') AS roles
       FROM ticket_facts f CROSS JOIN LATERAL jsonb_each_text(f.replies) x WHERE ${where} GROUP BY 1`,
      base,
    );
    if (groupBy === 'person') return people;
    return byRoles(people.map((p) => ({ ...p, tickets: p.answered }))).map((r) => ({
      k: r.role,
      answered: r.tickets,
      replies: r.replies,
    }));
  }

  /** Counts one touchpoint (e.g. `widget.opened`) in the current hour: one upsert, no row per visitor. */
  async record(tenantId: string, metric: string): Promise<void> {
    await this.db.query(
      `INSERT INTO touchpoint_counts (tenant_id, hour, metric, count) VALUES ($1, date_trunc('hour', now()), $2, 1)
       ON CONFLICT (tenant_id, metric, hour) DO UPDATE SET count = touchpoint_counts.count + 1`,
      [tenantId, metric],
    );
  }

  private async names(groupBy: ScorecardGroup, keys: string[]): Promise<Map<string, string>> {
    if (groupBy === 'role' || !keys.length) return new Map();
    const rows: Row[] = await this.db.query(
      `SELECT id::text AS id, name FROM ${groupBy === 'person' ? 'users' : 'teams'} WHERE tenant_id = $1 AND id = ANY($2::uuid[])`,
      [this.ctx.tenantId, keys],
    );
    return new Map(rows.map((x) => [x.id, x.name]));
  }
}

/**
 * Answers per role from answers per person: `tickets` sums each person's answered tickets (a ticket two agents answered
 * counts twice under agent, once per person who carried it), `replies` their public replies, `people` how many answered.
 */
export function byRoles(perPerson: Row[]): Array<{ role: string; people: number; tickets: number; replies: number }> {
  const roles = new Map<string, { role: string; people: number; tickets: number; replies: number }>();
  for (const p of perPerson)
    for (const role of (p.roles ?? []) as string[]) {
      const r = roles.get(role) ?? { role, people: 0, tickets: 0, replies: 0 };
      r.people += 1;
      r.tickets += p.tickets;
      r.replies += p.replies;
      roles.set(role, r);
    }
  return [...roles.values()].sort((a, b) => b.tickets - a.tickets || a.role.localeCompare(b.role));
}

export function satisfaction(s: Row) {
  const answered = num(s.answered) ?? 0;
  const npsN = num(s.nps_n) ?? 0;
  return {
    sent: num(s.sent) ?? 0,
    answered,
    responseRate: pct(answered, num(s.sent) ?? 0),
    csat: {
      answers: answered,
      satisfied: num(s.satisfied) ?? 0,
      percent: pct(num(s.satisfied) ?? 0, answered),
      average: round(s.csat_avg, 2),
      disputeRate: pct(num(s.dissatisfied) ?? 0, answered),
    },
    nps: {
      answers: npsN,
      promoters: num(s.promoters) ?? 0,
      passives: num(s.passives) ?? 0,
      detractors: num(s.detractors) ?? 0,
      score: npsN ? round(((num(s.promoters)! - num(s.detractors)!) * 100) / npsN, 1) : null,
    },
    ces: { answers: num(s.ces_n) ?? 0, average: round(s.ces_avg, 2) },
  };
}

/** What the reports answer as JSON (the API's response classes implement these, so a new figure is documented). */
export type OverviewReport = Awaited<ReturnType<ReportsService['overview']>>;
export type ScorecardsReport = Awaited<ReturnType<ReportsService['scorecards']>>;
export type TouchpointsReport = Awaited<ReturnType<ReportsService['touchpoints']>>;
export type SatisfactionFigures = ReturnType<typeof satisfaction>;
