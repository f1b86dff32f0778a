import { Injectable } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import { InjectDataSource } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { AppError } from '@crewdesk/common';
import { Env } from '@crewdesk/config';
import { TenantContext } from '@crewdesk/db';
import { JobName, QueueName, SurveyDeliverJob } from '@crewdesk/queue';
import { TicketEventBus, TicketEventRecord } from '@crewdesk/tickets';
import { InsightsError, InsightsErrorCode } from './insights.errors';
import { signSurveyToken, surveyKey, SurveyClaims, verifySurveyToken } from './survey-token';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Row = Record<string, any>;

export interface SurveyAnswer {
  csat: number;
  nps?: number | null;
  ces?: number | null;
  comment?: string | null;
}

export interface SurveyView {
  id: string;
  ticketId: string;
  channel: string;
  /** `pending` (made, not sent yet), `sent`, `answered`. */
  status: string;
  sentAt: string | null;
  expiresAt: string;
  answer: {
    csat: number;
    nps: number | null;
    ces: number | null;
    comment: string | null;
    answeredAt: string;
    updatedAt: string;
    changes: number;
  } | null;
  createdAt: string;
}

/** A survey with what its page shows. */
export interface SurveyPageView {
  survey: SurveyView;
  workspaceName: string;
  ticketNumber: number;
  subject: string;
  questions: SurveyQuestions;
}

/** A chat visitor's survey card: the survey with the token that answers it. */
export interface CustomerSurveyView extends SurveyView {
  token: string;
  ticketNumber: number;
  questions: SurveyQuestions;
}

/** What the worker needs to send a survey mail. */
export interface SurveyDelivery {
  surveyId: string;
  tenantId: string;
  ticketId: string;
  channel: string;
  ticketNumber: number;
  subject: string;
  requesterEmail: string | null;
  requesterName: string | null;
  requesterLocale: string | null;
  workspaceName: string;
  link: string;
  expiresAt: string;
}

const iso = (v: unknown) => (v == null ? null : new Date(v as string).toISOString());

export function surveyView(r: Row): SurveyView {
  return {
    id: r.id,
    ticketId: r.ticket_id,
    channel: r.channel,
    status: r.status,
    sentAt: iso(r.sent_at),
    expiresAt: iso(r.expires_at)!,
    answer:
      r.answered_at && r.csat != null
        ? {
            csat: r.csat,
            nps: r.nps ?? null,
            ces: r.ces ?? null,
            comment: r.comment ?? null,
            answeredAt: iso(r.answered_at)!,
            updatedAt: iso(r.updated_at)!,
            changes: Math.max(0, (r.answer_count ?? 1) - 1),
          }
        : null,
    createdAt: iso(r.created_at)!,
  };
}

/** Which optional questions a workspace asks after CSAT (`tenants.settings.surveys`); both by default. */
export interface SurveyQuestions {
  nps: boolean;
  ces: boolean;
}

const questionsOf = (raw: unknown): SurveyQuestions => {
  const q = (raw ?? {}) as Partial<SurveyQuestions>;
  return { nps: q.nps !== false, ces: q.ces !== false };
};

/** The channels a survey can reach: the widget for chat; mail for anything whose requester has an address. */
const DELIVERABLE = `(t.channel = 'chat' OR c.email IS NOT NULL)`;

/**
 * Surveys after a ticket is solved: exactly one per ticket (a unique key), delivered by the worker in the ticket's own
 * channel (with a `survey.sent` event, written once), answered through a signed, expiring link.
 * A ticket reopened and solved again keeps its one survey; the customer may change the answer until the link expires.
 */
@Injectable()
export class SurveysService {
  private readonly key: Buffer;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ctx: TenantContext,
    private readonly bus: TicketEventBus,
    private readonly env: Env,
    @InjectQueue(QueueName.Insights) private readonly queue: Queue,
  ) {
    this.key = surveyKey(env.ENCRYPTION_KEY ?? env.JWT_SECRET);
  }

  token(tenantId: string, surveyId: string, expiresAt: Date | string): string {
    return signSurveyToken(this.key, {
      tenantId,
      surveyId,
      expiresAt: Math.floor(new Date(expiresAt).getTime() / 1000),
    });
  }

  link(token: string): string {
    return `${this.env.PUBLIC_URL.replace(/\/$/, '')}/api/v1/public/surveys/${token}`;
  }

  /**
   * Makes the ticket's survey if it is solved now and has none (idempotent: a second call, a redelivered event or a
   * re-solve makes nothing), and queues its delivery, which writes the `survey.sent` event. Returns the survey id
   * when this call made it.
   */
  async ensureForTicket(ticketId: string): Promise<string | null> {
    if (!this.env.SURVEYS_ENABLED) return null;
    const tenantId = this.ctx.tenantId;
    const [row] = await this.db.query(
      `INSERT INTO surveys (tenant_id, ticket_id, channel, requester_id, assignee_id, team_id, expires_at)
       SELECT t.tenant_id, t.id, t.channel, t.requester_id, t.assignee_id, t.team_id, now() + make_interval(days => $3)
       FROM tickets t JOIN customers c ON c.id = t.requester_id AND c.tenant_id = t.tenant_id
       WHERE t.tenant_id = $1 AND t.id = $2 AND t.status = 'solved' AND ${DELIVERABLE}
       ON CONFLICT (tenant_id, ticket_id) DO NOTHING
       RETURNING id AS survey_id`,
      [tenantId, ticketId, this.env.SURVEY_ANSWER_DAYS],
    );
    if (!row) return null;
    await this.queueDelivery({ tenantId, surveyId: row.survey_id });
    return row.survey_id;
  }

  queueDelivery(job: SurveyDeliverJob) {
    return this.queue.add(JobName.SurveyDeliver, job, {
      jobId: `survey-${job.surveyId}`,
      attempts: 6,
      backoff: { type: 'exponential', delay: 5000 },
    });
  }

  /** A pending survey with what its mail needs, or null when it was sent already (or is gone). */
  async delivery(surveyId: string): Promise<SurveyDelivery | null> {
    const [r] = await this.db.query(
      `SELECT s.id, s.tenant_id, s.ticket_id, s.channel, s.expires_at, t.number, t.subject, c.email, c.name, c.locale, tn.name AS workspace_name
       FROM surveys s JOIN tickets t ON t.id = s.ticket_id AND t.tenant_id = s.tenant_id
       JOIN customers c ON c.id = s.requester_id AND c.tenant_id = s.tenant_id JOIN tenants tn ON tn.id = s.tenant_id
       WHERE s.tenant_id = $1 AND s.id = $2 AND s.status = 'pending'`,
      [this.ctx.tenantId, surveyId],
    );
    if (!r) return null;
    return {
      surveyId: r.id,
      tenantId: r.tenant_id,
      ticketId: r.ticket_id,
      channel: r.channel,
      ticketNumber: Number(r.number),
      subject: r.subject,
      requesterEmail: r.email,
      requesterName: r.name,
      requesterLocale: r.locale,
      workspaceName: r.workspace_name,
      link: this.link(this.token(r.tenant_id, r.id, r.expires_at)),
      expiresAt: iso(r.expires_at)!,
    };
  }

  /**
   * Records the delivery (`via`: `email` or `widget`) with its `survey.sent` ticket event, in one statement; false when
   * another delivery recorded it first (so the event is written once however often the job runs).
   */
  async markSent(surveyId: string, via: 'email' | 'widget'): Promise<boolean> {
    const tenantId = this.ctx.tenantId;
    const [row] = await this.db.query(
      `WITH s AS (
         UPDATE surveys SET status = 'sent', sent_at = now(), updated_at = now()
         WHERE tenant_id = $1 AND id = $2 AND status = 'pending' RETURNING *),
       e AS (
         INSERT INTO ticket_events (tenant_id, ticket_id, type, actor_type, actor_id, visibility, data)
         SELECT tenant_id, ticket_id, 'survey.sent', 'system', NULL, 'internal',
                jsonb_build_object('surveyId', id, 'channel', channel, 'via', $3::text, 'expiresAt', expires_at)
         FROM s RETURNING id, created_at, data, ticket_id)
       SELECT e.id AS event_id, e.created_at AS event_created_at, e.data AS event_data, e.ticket_id,
              tk.team_id, tk.assignee_id, tk.requester_id
       FROM e JOIN tickets tk ON tk.id = e.ticket_id AND tk.tenant_id = $1`,
      [tenantId, surveyId, via],
    );
    if (!row) return false;
    this.bus.publish([this.record(tenantId, row.ticket_id, 'survey.sent', row)]);
    return true;
  }

  /** Pending surveys that no job delivered within a minute (a lost job, a dead worker). */
  async stalePending(limit = 500): Promise<Array<{ tenantId: string; surveyId: string }>> {
    const rows: Row[] = await this.db.query(
      `SELECT id, tenant_id FROM surveys WHERE status = 'pending' AND created_at < now() - interval '1 minute'
       ORDER BY created_at LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({ tenantId: r.tenant_id, surveyId: r.id }));
  }

  /** Checks a link: the claims, or SURVEY_LINK_INVALID / SURVEY_LINK_EXPIRED (never a 500). */
  claims(token: string): SurveyClaims {
    const check = verifySurveyToken(this.key, token);
    if (check.ok) return check.claims;
    if (check.reason === 'expired')
      throw new InsightsError(InsightsErrorCode.SURVEY_LINK_EXPIRED, 'This survey link has expired; thank you anyway');
    throw new InsightsError(InsightsErrorCode.SURVEY_LINK_INVALID, 'This survey link is not valid');
  }

  /** The survey behind a link, with what its page shows. */
  async byToken(token: string): Promise<SurveyPageView> {
    const claims = this.claims(token);
    const [r] = await this.db.query(
      `SELECT s.*, t.number, t.subject, tn.name AS workspace_name, tn.settings->'surveys' AS questions FROM surveys s
       JOIN tickets t ON t.id = s.ticket_id AND t.tenant_id = s.tenant_id JOIN tenants tn ON tn.id = s.tenant_id
       WHERE s.tenant_id = $1 AND s.id = $2`,
      [claims.tenantId, claims.surveyId],
    );
    if (!r) throw new InsightsError(InsightsErrorCode.SURVEY_LINK_INVALID, 'This survey no longer exists');
    return {
      survey: surveyView(r),
      workspaceName: r.workspace_name,
      ticketNumber: Number(r.number),
      subject: r.subject,
      questions: questionsOf(r.questions),
    };
  }

  /** Stores (or changes) the answer behind a link, with its `survey.answered` event in the same statement. */
  async answer(token: string, a: SurveyAnswer): Promise<SurveyView> {
    const claims = this.claims(token);
    const [tenant] = await this.db.query(`SELECT settings->'surveys' AS questions FROM tenants WHERE id = $1`, [
      claims.tenantId,
    ]);
    const asked = questionsOf(tenant?.questions);
    a = { ...a, nps: asked.nps ? a.nps : null, ces: asked.ces ? a.ces : null };
    const [row] = await this.db.query(
      `WITH s AS (
         UPDATE surveys SET csat = $3, nps = $4, ces = $5, comment = $6, status = 'answered',
                answered_at = coalesce(answered_at, now()), answer_count = answer_count + 1, updated_at = now(),
                sent_at = coalesce(sent_at, now())
         WHERE tenant_id = $1 AND id = $2 AND expires_at > now()
         RETURNING *),
       e AS (
         INSERT INTO ticket_events (tenant_id, ticket_id, type, actor_type, actor_id, visibility, data)
         SELECT tenant_id, ticket_id, 'survey.answered', 'customer', requester_id, 'internal',
                jsonb_build_object('surveyId', id, 'csat', csat, 'nps', nps, 'ces', ces, 'comment', comment, 'changed', answer_count > 1)
         FROM s RETURNING id, created_at, data, ticket_id)
       SELECT row_to_json(s.*) AS survey, e.id AS event_id, e.created_at AS event_created_at, e.data AS event_data,
              tk.team_id, tk.assignee_id, tk.requester_id
       FROM s JOIN e ON true JOIN tickets tk ON tk.id = s.ticket_id AND tk.tenant_id = s.tenant_id`,
      [claims.tenantId, claims.surveyId, a.csat, a.nps ?? null, a.ces ?? null, a.comment?.trim() || null],
    );
    if (!row) {
      await this.byToken(token); // a survey that is gone is SURVEY_LINK_INVALID
      throw new InsightsError(InsightsErrorCode.SURVEY_LINK_EXPIRED, 'This survey link has expired; thank you anyway');
    }
    this.bus.publish([this.record(claims.tenantId, row.survey.ticket_id, 'survey.answered', row)]);
    return surveyView(row.survey);
  }

  /** The ticket's survey for staff (the caller has checked that they may see the ticket). */
  async forTicket(ticketId: string): Promise<SurveyView | null> {
    const [r] = await this.db.query(`SELECT * FROM surveys WHERE tenant_id = $1 AND ticket_id = $2`, [
      this.ctx.tenantId,
      ticketId,
    ]);
    return r ? surveyView(r) : null;
  }

  /**
   * The survey a chat visitor should see: that of their newest solved chat conversation (made now if the trigger has
   * not run yet, which keeps the one-per-ticket rule), with its signed token. The widget asks on connect and when a
   * conversation ends, so a visitor who was away still gets the card.
   */
  async forCustomer(customerId: string, ticketId?: string): Promise<CustomerSurveyView | null> {
    const tenantId = this.ctx.tenantId;
    const [t] = await this.db.query(
      `SELECT id, status FROM tickets WHERE tenant_id = $1 AND requester_id = $2 AND channel = 'chat'
         AND ($3::uuid IS NULL OR id = $3::uuid)
       ORDER BY updated_at DESC LIMIT 1`,
      [tenantId, customerId, ticketId ?? null],
    );
    if (!t) return null;
    if (t.status === 'solved') await this.ensureForTicket(t.id);
    const [r] = await this.db.query(
      `SELECT s.*, tk.number, (SELECT settings->'surveys' FROM tenants WHERE id = s.tenant_id) AS questions
       FROM surveys s JOIN tickets tk ON tk.id = s.ticket_id AND tk.tenant_id = s.tenant_id
       WHERE s.tenant_id = $1 AND s.ticket_id = $2 AND s.requester_id = $3 AND s.expires_at > now()`,
      [tenantId, t.id, customerId],
    );
    if (!r) return null;
    return {
      ...surveyView(r),
      token: this.token(tenantId, r.id, r.expires_at),
      ticketNumber: Number(r.number),
      questions: questionsOf(r.questions),
    };
  }

  /** The workspace's optional questions. */
  async questions(): Promise<SurveyQuestions> {
    const [r] = await this.db.query(`SELECT settings->'surveys' AS questions FROM tenants WHERE id = $1`, [
      this.ctx.tenantId,
    ]);
    return questionsOf(r?.questions);
  }

  async setQuestions(change: Partial<SurveyQuestions>): Promise<SurveyQuestions> {
    const next = { ...(await this.questions()) };
    if (typeof change.nps === 'boolean') next.nps = change.nps;
    if (typeof change.ces === 'boolean') next.ces = change.ces;
    await this.db.query(
      `UPDATE tenants SET settings = jsonb_set(settings, '{surveys}', $2::jsonb), updated_at = now() WHERE id = $1`,
      [this.ctx.tenantId, JSON.stringify(next)],
    );
    return next;
  }

  /** Fails with NOT_FOUND unless the survey exists in the context's tenant (tests and tools). */
  async get(surveyId: string): Promise<SurveyView> {
    const [r] = await this.db.query(`SELECT * FROM surveys WHERE tenant_id = $1 AND id = $2`, [
      this.ctx.tenantId,
      surveyId,
    ]);
    if (!r) throw AppError.notFound('Survey');
    return surveyView(r);
  }

  private record(tenantId: string, ticketId: string, type: string, row: Row): TicketEventRecord {
    return {
      id: String(row.event_id),
      tenantId,
      ticketId,
      type,
      visibility: 'internal',
      actorType: type === 'survey.answered' ? 'customer' : 'system',
      actorId: type === 'survey.answered' ? row.requester_id : null,
      data: row.event_data ?? {},
      createdAt: new Date(row.event_created_at).toISOString(),
      route: { teamId: row.team_id ?? null, assigneeId: row.assignee_id ?? null, requesterId: row.requester_id },
    };
  }
}
