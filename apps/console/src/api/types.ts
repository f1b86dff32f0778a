import type { components } from './openapi.gen';

/** The API's shapes as the console uses them (field names as the API sends them). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export type TicketStatus = 'new' | 'open' | 'pending' | 'on_hold' | 'solved' | 'closed';
export type TicketPriority = 'low' | 'normal' | 'high' | 'urgent';
export const STATUSES: TicketStatus[] = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'];
export const PRIORITIES: TicketPriority[] = ['low', 'normal', 'high', 'urgent'];

/** Generated from openapi.json (`npm run openapi`); `npm test` fails when it lags behind the API. */
type Schemas = components['schemas'];

export type Ticket = Schemas['TicketDto'];

export interface SlaTimer {
  metric: 'first_response' | 'next_response' | 'resolution' | string;
  dueAt: string | null;
  warnAt?: string | null;
  pausedAt?: string | null;
  metAt?: string | null;
  breachedAt?: string | null;
  status: string;
}

export type SlaSummary = Schemas['SlaSummaryDto'];

export type Attachment = Schemas['AttachmentDto'];

/** A message as the API sends it; one this tab sent and the server has not confirmed yet lacks what only it knows. */
export type Message = Omit<Schemas['MessageDto'], 'html' | 'deliveryState' | 'reviewState'> &
  Partial<Pick<Schemas['MessageDto'], 'html' | 'deliveryState' | 'reviewState'>> & {
    /** Console-only: a message sent from this tab that the server has not confirmed yet. */
    pending?: boolean;
  };

/** The request body of a reply or note. */
export type NewMessage = Schemas['CreateMessageDto'];

/** The request body of a ticket's change (`version` as last seen). */
export type TicketChanges = Schemas['UpdateTicketDto'];

export interface TicketDetail extends Ticket {
  sla: SlaTimer[];
  messages: Message[];
  messagesNextCursor: string | null;
}

/** What the API says of any person in the workspace. */
interface Person {
  id: string;
  email: string;
  name: string;
  status: string;
  roles: string[];
  teamIds: string[];
  locale: string;
}

export interface Me extends Person {
  timezone: string;
  permissions: string[];
  workspace?: { id: string; slug: string; name: string } | string;
}

export interface User extends Person {
  capacity: number;
  lastLoginAt: string | null;
}

export type Team = Schemas['TeamDto'];

export interface Role {
  id: string;
  name: string;
  description: string | null;
  permissions: string[];
  builtin: boolean;
}

export type ImapSettings = Schemas['ImapAccountDto'];

/** How the worker last found a polled mailbox (null: no worker polled it lately). */
export type ImapStatus = Schemas['ImapStatusDto'];

export type Channel = Schemas['ChannelDto'];

export type SlaPolicy = Schemas['SlaPolicyResponseDto'];

/** A business calendar; its definition as the console reads it (the document leaves it open). */
export type Calendar = Omit<Schemas['CalendarResponseDto'], 'definition'> & {
  definition: { timezone?: string; weekly?: Record<string, Array<[string, string]>>; twentyFourSeven?: boolean };
};

export interface WidgetSettings {
  secret: string;
  greeting: string | null;
  snippet: string;
  businessHours: unknown;
}

/** The ticket changes a macro applies after its reply is sent (assigneeId null unassigns). */
export type MacroActions = Schemas['MacroActionsDto'];

export type CannedReply = Schemas['CannedReplyResponseDto'];

export type Counts = Schemas['InboxCountsDto'];

export interface ListQuery {
  status?: string[];
  priority?: string[];
  assigneeId?: string;
  teamId?: string;
  tag?: string;
  q?: string;
  requesterId?: string;
  /** `me`: tickets with an open escalation naming me. */
  escalatedTo?: 'me';
}

export interface Escalation {
  id: string;
  ticketId: string;
  mode: string;
  target: { type: string; teamId: string | null; role: string | null };
  userIds: string[];
  reason: string;
  requestedBy: string | null;
  status: string;
  acknowledgedAt: string | null;
  createdAt: string;
  handoff: Array<{
    metric: string;
    dueAt: string | null;
    metAt: string | null;
    breachedAt: string | null;
    status: string;
  }>;
}

export interface LinkedIssue {
  id: string;
  key: string;
  title: string;
  url: string | null;
  status: string;
  shippedAt: string | null;
  tickets: { total: number; notified: number };
}

export type RoutingRule = Schemas['RoutingRuleResponseDto'];

export interface DryRunResult {
  matched: { id: string; name: string; position: number } | null;
  checks: Array<{ condition: string; matched: boolean; detail?: string }>;
  actions: RoutingRule['actions'] | null;
  evaluated: Array<{
    id: string;
    name: string;
    matched: boolean;
    checks: Array<{ condition: string; matched: boolean; detail?: string }>;
  }>;
}

/* Insights (reports and surveys), as `GET /api/v1/reports/*` and `/api/v1/tickets/:id/survey` answer them. */
export interface Durations {
  count: number;
  medianSeconds: number | null;
  avgSeconds: number | null;
  p90Seconds: number | null;
}

export interface Satisfaction {
  sent: number;
  answered: number;
  responseRate: number | null;
  csat: {
    answers: number;
    satisfied: number;
    percent: number | null;
    average: number | null;
    disputeRate: number | null;
  };
  nps: { answers: number; promoters: number; passives: number; detractors: number; score: number | null };
  ces: { answers: number; average: number | null };
}

export interface ReportPeriod {
  from: string;
  to: string;
  timezone: string;
  teamId: string | null;
}

export interface Overview {
  period: ReportPeriod;
  basis: Record<string, string>;
  volume: {
    tickets: number;
    byChannel: Array<{ channel: string; tickets: number }>;
    byHour: Array<{ hour: number; tickets: number }>;
    byDay: Array<{ date: string; tickets: number }>;
  };
  firstResponse: Durations;
  nextResponse: Durations & { waits: number; avgSeconds: number | null };
  resolution: Durations;
  reopens: { solved: number; reopened: number; rate: number | null };
  sla: Array<{ metric: string; met: number; breached: number; running: number; compliance: number | null }>;
  backlog: {
    open: number;
    oldestAgeSeconds: number | null;
    byStatus: Array<{ status: string; tickets: number }>;
    ageBuckets: Array<{ bucket: string; tickets: number }>;
  };
  answeredByRole: Array<{ role: string; people: number; tickets: number; replies: number }>;
  satisfaction: Satisfaction;
  formulas: Record<string, string>;
}

export interface ScoreComponents {
  response: number | null;
  resolution: number | null;
  afterSales: number | null;
  satisfaction: number | null;
  disputes: number | null;
}

export interface Scorecard {
  key: string | null;
  name: string;
  score: number | null;
  components: ScoreComponents;
  tickets: number;
  resolved: number;
  reopenRate: number | null;
  firstResponseMedianSeconds: number | null;
  resolutionMedianSeconds: number | null;
  answeredTickets: number;
  replies: number;
  sla: { firstResponse: number | null; nextResponse: number | null; resolution: number | null };
  satisfaction: Satisfaction;
}

export interface Scorecards {
  period: ReportPeriod;
  groupBy: 'person' | 'team' | 'role';
  basis: string;
  formula: { text: string; weights: Record<string, number> };
  formulas: Record<string, string>;
  items: Scorecard[];
}

export interface Touchpoints {
  period: ReportPeriod;
  funnel: Array<{ step: string; label: string; count: number; conversion: number | null; dropped: number | null }>;
  waits: { chatFirstResponseMedianSeconds: number | null; chatEndedUnanswered: number };
  channels: Array<{ channel: string; tickets: number; answered: number; resolved: number; unanswered: number }>;
  topics: { tags: Array<{ tag: string; tickets: number }>; keywords: Array<{ keyword: string; tickets: number }> };
  basis: Record<string, string>;
}

export interface TicketSurvey {
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

export interface SurveySettings {
  nps: boolean;
  ces: boolean;
}
