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

/** The signed-in person (`GET /me`, and the session's user at sign-in). */
export type Me = Schemas['MeDto'];

/** What the API says of any person in the workspace. */
export type User = Schemas['UserDto'];

export type Team = Schemas['TeamDto'];

export type Role = Schemas['RoleResponseDto'];

/** The roles with every permission a role can hold. */
export type RoleList = Schemas['RoleListDto'];

export type ImapSettings = Schemas['ImapAccountDto'];

/** How the worker last found a polled mailbox (null: no worker polled it lately). */
export type ImapStatus = Schemas['ImapStatusDto'];

export type Channel = Schemas['ChannelDto'];

export type SlaPolicy = Schemas['SlaPolicyResponseDto'];

/** A business calendar; its definition as the console reads it (the document leaves it open). */
export type Calendar = Omit<Schemas['CalendarResponseDto'], 'definition'> & {
  definition: { timezone?: string; weekly?: Record<string, Array<[string, string]>>; twentyFourSeven?: boolean };
};

export type WidgetSettings = Schemas['WidgetSettingsResponseDto'];

/** The ticket changes a macro applies after its reply is sent (assigneeId null unassigns). */
export type MacroActions = Schemas['MacroActionsDto'];

export type CannedReply = Schemas['CannedReplyResponseDto'];

export type Counts = Schemas['InboxCountsDto'];

/** A person's own settings as `PATCH /me/preferences` answers them. */
export type PreferencesResult = Schemas['PreferencesResultDto'];

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

export type Escalation = Schemas['EscalationDto'];

export type LinkedIssue = Schemas['LinkedIssueDto'];

/** An issue linked to a ticket, with that ticket's link. */
export type TicketLinkedIssue = Schemas['TicketLinkedIssueDto'];

export type RoutingRule = Schemas['RoutingRuleResponseDto'];

export type DryRunResult = Schemas['DryRunResultDto'];

/** An in-app notification (the bell); its `data` as the console reads it (the document leaves it open). */
export type InAppNotification = Omit<Schemas['NotificationDto'], 'data'> & {
  data: { excerpt?: string } & Record<string, unknown>;
};

export type NotificationPage = Omit<Schemas['NotificationPageDto'], 'items'> & { items: InAppNotification[] };

/* Insights (reports and surveys), as `GET /api/v1/reports/*` and `/api/v1/tickets/:id/survey` answer them. */
export type Durations = Schemas['DurationsDto'];

export type Satisfaction = Schemas['SatisfactionDto'];

export type ReportPeriod = Schemas['ReportPeriodDto'];

export type Overview = Schemas['OverviewReportDto'];

export type ScoreComponents = Schemas['ScoreComponentsDto'];

export type Scorecard = Schemas['ScorecardDto'];

export type Scorecards = Schemas['ScorecardsReportDto'];

export type Touchpoints = Schemas['TouchpointsReportDto'];

export type TicketSurvey = Schemas['SurveyDto'];

export type SurveySettings = Schemas['SurveyQuestionsDto'];
