// What the routing endpoints answer (dry runs, escalations, grants, followers, notifications, tag subscriptions and
// the workspace's settings), for the OpenAPI document (see tickets-responses.dto.ts).
import { ApiProperty } from '@nestjs/swagger';
import type {
  DryRunResult,
  EscalationView,
  NotificationsService,
  NotificationView,
  RuleCheck,
  RuleConditions,
} from '@crewdesk/routing';
import { NOTIFICATION_TYPES } from '@crewdesk/routing';
import { RuleActionsDto } from './routing.dto';

const CHECKED: ReadonlyArray<keyof RuleConditions> = [
  'channels',
  'keywords',
  'tags',
  'customerTiers',
  'organisations',
  'businessHours',
  'languages',
];

/** One condition of a rule, checked against the ticket. */
export class RuleCheckDto implements RuleCheck {
  @ApiProperty({ enum: CHECKED })
  condition!: keyof RuleConditions;
  matched!: boolean;
  /** What matched (the keyword or tag found, the language detected). */
  detail?: string;
}

export class MatchedRuleDto {
  id!: string;
  name!: string;
  position!: number;
}

export class EvaluatedRuleDto {
  id!: string;
  name!: string;
  matched!: boolean;
  @ApiProperty({ type: [RuleCheckDto] })
  checks!: RuleCheckDto[];
}

export class DryRunResultDto implements DryRunResult {
  /** The first enabled rule that matches; null when none does. */
  @ApiProperty({ type: MatchedRuleDto, nullable: true })
  matched!: MatchedRuleDto | null;
  /** The matching rule's conditions (empty without a match). */
  @ApiProperty({ type: [RuleCheckDto] })
  checks!: RuleCheckDto[];
  /** What the matching rule would do; null without a match. */
  @ApiProperty({ type: RuleActionsDto, nullable: true })
  actions!: RuleActionsDto | null;
  /** Every enabled rule in order with whether it held, so an admin sees why earlier ones did not. */
  @ApiProperty({ type: [EvaluatedRuleDto] })
  evaluated!: EvaluatedRuleDto[];
}

export class EscalationTargetResponseDto {
  @ApiProperty({ enum: ['team', 'role', 'user'] })
  type!: string;
  teamId!: string | null;
  role!: string | null;
}

/** A hand-off clock of an escalation. */
export class HandoffTimerDto {
  @ApiProperty({ enum: ['handoff_ack', 'handoff_answer'] })
  metric!: string;
  @ApiProperty({ format: 'date-time' })
  dueAt!: string | null;
  @ApiProperty({ format: 'date-time' })
  metAt!: string | null;
  @ApiProperty({ format: 'date-time' })
  breachedAt!: string | null;
  status!: string;
}

export class EscalationDto implements EscalationView {
  id!: string;
  ticketId!: string;
  /** `bring_in` keeps the ticket where it is and grants the people access; `move` hands it over. */
  @ApiProperty({ enum: ['bring_in', 'move'] })
  mode!: string;
  target!: EscalationTargetResponseDto;
  /** The people brought in. */
  userIds!: string[];
  reason!: string;
  requestedBy!: string | null;
  @ApiProperty({ enum: ['open', 'acknowledged', 'answered'] })
  status!: string;
  ackMinutes!: number | null;
  answerMinutes!: number | null;
  @ApiProperty({ format: 'date-time' })
  acknowledgedAt!: string | null;
  acknowledgedBy!: string | null;
  @ApiProperty({ format: 'date-time' })
  answeredAt!: string | null;
  answeredBy!: string | null;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
  /** Due times and breaches of acknowledging and answering (listed escalations only; empty otherwise). */
  @ApiProperty({ type: [HandoffTimerDto] })
  handoff!: HandoffTimerDto[];
}

export class EscalationPageDto {
  @ApiProperty({ type: [EscalationDto] })
  items!: EscalationDto[];
  /** Always null: every escalation is on one page. */
  nextCursor!: string | null;
}

/** Access to one ticket given to someone outside its team. */
export class TicketGrantDto {
  userId!: string;
  name!: string;
  /** Why: an escalation, a mention, or a followed tag. */
  @ApiProperty({ enum: ['escalation', 'mention', 'tag'] })
  reason!: string;
  grantedBy!: string | null;
  /** Null: until taken back. */
  @ApiProperty({ format: 'date-time' })
  expiresAt!: string | null;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

export class TicketGrantPageDto {
  @ApiProperty({ type: [TicketGrantDto] })
  items!: TicketGrantDto[];
  /** Always null: every grant is on one page. */
  nextCursor!: string | null;
}

export class FollowerDto {
  userId!: string;
  name!: string;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

export class FollowerPageDto {
  @ApiProperty({ type: [FollowerDto] })
  items!: FollowerDto[];
  /** Always null: every follower is on one page. */
  nextCursor!: string | null;
}

export class NotificationDto implements NotificationView {
  id!: string;
  @ApiProperty({ enum: NOTIFICATION_TYPES })
  type!: NotificationView['type'];
  ticketId!: string | null;
  /** What the notification is about, by type (the reason of an escalation, the rule of a tag match, …). */
  @ApiProperty({ type: 'object', additionalProperties: true })
  data!: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' })
  readAt!: string | null;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

type NotificationList = Awaited<ReturnType<NotificationsService['list']>>;

export class NotificationPageDto implements NotificationList {
  @ApiProperty({ type: [NotificationDto] })
  items!: NotificationDto[];
  nextCursor!: string | null;
  /** The person's unread notifications in all. */
  unread!: number;
}

export class MarkedReadDto {
  /** How many were unread and are read now. */
  marked!: number;
}

export class TagSubscriptionsResponseDto {
  /** Lower-case, sorted. */
  tags!: string[];
  /** A daily digest mail of the day's matching tickets too. */
  digest!: boolean;
}

export class WorkspaceSettingsResponseDto {
  /** Hold the public replies of people brought in (without ticket.view_all) until the ticket's agent approves. */
  expertReview!: boolean;
  /** The workspace's language for customer-facing defaults. */
  @ApiProperty({ enum: ['en', 'zh-CN'] })
  locale!: string;
}

export class WorkspaceResponseDto {
  id!: string;
  name!: string;
  slug!: string;
  settings!: WorkspaceSettingsResponseDto;
}
