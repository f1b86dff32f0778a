// What the surveys and reports endpoints answer as JSON, for the OpenAPI document (see tickets-responses.dto.ts).
import { ApiProperty } from '@nestjs/swagger';
import type {
  CustomerSurveyView,
  FORMULAS,
  OverviewReport,
  SatisfactionFigures,
  ScoreComponents,
  ScorecardGroup,
  ScorecardsReport,
  SurveyPageView,
  SurveyQuestions,
  SurveyView,
  TouchpointsReport,
} from '@crewdesk/insights';

/* Surveys */

type SurveyAnswer = NonNullable<SurveyView['answer']>;

export class SurveyAnswerResponseDto implements SurveyAnswer {
  /** 1 (very unsatisfied) to 5 (very satisfied). */
  csat!: number;
  /** 0 to 10; null when not asked or not answered. */
  nps!: number | null;
  /** 1 (very easy) to 7 (very hard); null when not asked or not answered. */
  ces!: number | null;
  comment!: string | null;
  @ApiProperty({ format: 'date-time' })
  answeredAt!: string;
  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
  /** How many times the answer was changed after the first. */
  changes!: number;
}

export class SurveyDto implements SurveyView {
  id!: string;
  ticketId!: string;
  /** Where it is delivered: the ticket's channel (`chat` in the widget, anything else by mail). */
  channel!: string;
  /** `pending` (made, not sent yet), `sent`, `answered`. */
  @ApiProperty({ enum: ['pending', 'sent', 'answered'] })
  status!: string;
  @ApiProperty({ format: 'date-time' })
  sentAt!: string | null;
  /** The link works (and the answer may change) until then. */
  @ApiProperty({ format: 'date-time' })
  expiresAt!: string;
  @ApiProperty({ type: SurveyAnswerResponseDto, nullable: true })
  answer!: SurveyAnswerResponseDto | null;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

export class TicketSurveyDto {
  /** Null until the ticket is solved (or with surveys turned off). */
  @ApiProperty({ type: SurveyDto, nullable: true })
  survey!: SurveyDto | null;
}

export class AnsweredSurveyDto {
  survey!: SurveyDto;
}

/** The optional questions that follow CSAT. */
export class SurveyQuestionsDto implements SurveyQuestions {
  /** "How likely are you to recommend us" (0–10). */
  nps!: boolean;
  /** "How easy was it" (1–7). */
  ces!: boolean;
}

/** What the survey page shows. */
export class SurveyPageDto implements SurveyPageView {
  survey!: SurveyDto;
  workspaceName!: string;
  ticketNumber!: number;
  subject!: string;
  questions!: SurveyQuestionsDto;
}

/** A chat visitor's survey card, with the token that answers it (`POST /public/surveys/{token}`). */
export class CustomerSurveyDto extends SurveyDto implements CustomerSurveyView {
  token!: string;
  ticketNumber!: number;
  questions!: SurveyQuestionsDto;
}

export class PortalSurveyDto {
  /** Null when the visitor has no solved chat conversation with a survey still open. */
  @ApiProperty({ type: CustomerSurveyDto, nullable: true })
  survey!: CustomerSurveyDto | null;
}

/* Reports: every figure says what it counts (`basis`, `formulas`). */

type Overview = OverviewReport;
type Volume = Overview['volume'];
type Backlog = Overview['backlog'];
type Scorecard = ScorecardsReport['items'][number];
type Formulas = typeof FORMULAS;
type Period = Overview['period'];
type OverviewBasis = Overview['basis'];
type ChannelCount = Volume['byChannel'][number];
type HourCount = Volume['byHour'][number];
type DayCount = Volume['byDay'][number];
type Durations = Overview['firstResponse'];
type NextResponse = Overview['nextResponse'];
type Reopens = Overview['reopens'];
type StatusCount = Backlog['byStatus'][number];
type AgeBucket = Backlog['ageBuckets'][number];
type RoleAnswers = Overview['answeredByRole'][number];
type Csat = SatisfactionFigures['csat'];
type Nps = SatisfactionFigures['nps'];
type Ces = SatisfactionFigures['ces'];
type ScorecardSla = Scorecard['sla'];
type ScoreFormula = ScorecardsReport['formula'];
type ChatWaits = TouchpointsReport['waits'];
type TagCount = TouchpointsReport['topics']['tags'][number];
type KeywordCount = TouchpointsReport['topics']['keywords'][number];
type Topics = TouchpointsReport['topics'];
type TouchpointsBasis = TouchpointsReport['basis'];

const SLA_METRICS = ['first_response', 'next_response', 'resolution', 'handoff_ack', 'handoff_answer'];

export class ReportPeriodDto implements Period {
  @ApiProperty({ format: 'date-time' })
  from!: string;
  /** Exclusive. */
  @ApiProperty({ format: 'date-time' })
  to!: string;
  /** IANA time zone of hours and days. */
  timezone!: string;
  teamId!: string | null;
}

export class OverviewBasisDto implements OverviewBasis {
  tickets!: string;
  sla!: string;
  surveys!: string;
  backlog!: string;
}

export class ChannelCountDto implements ChannelCount {
  channel!: string;
  tickets!: number;
}

export class HourCountDto implements HourCount {
  /** 0–23, in the report's time zone. */
  hour!: number;
  tickets!: number;
}

export class DayCountDto implements DayCount {
  /** In the report's time zone. */
  @ApiProperty({ format: 'date' })
  date!: string;
  tickets!: number;
}

export class VolumeDto implements Volume {
  tickets!: number;
  /** Channels with tickets, most first. */
  @ApiProperty({ type: [ChannelCountDto] })
  byChannel!: ChannelCountDto[];
  /** All 24 hours. */
  @ApiProperty({ type: [HourCountDto] })
  byHour!: HourCountDto[];
  /** Days with tickets, in order. */
  @ApiProperty({ type: [DayCountDto] })
  byDay!: DayCountDto[];
}

/** A duration over the period's tickets (seconds; null without data). */
export class DurationsDto implements Durations {
  /** Tickets measured. */
  count!: number;
  medianSeconds!: number | null;
  avgSeconds!: number | null;
  p90Seconds!: number | null;
}

export class NextResponseDto extends DurationsDto implements NextResponse {
  /** Customer messages that waited for a staff reply. */
  waits!: number;
}

export class ReopensDto implements Reopens {
  /** Tickets solved at least once. */
  solved!: number;
  /** Of those, tickets reopened at least once. */
  reopened!: number;
  /** %, null without solved tickets. */
  rate!: number | null;
}

export class SlaComplianceDto {
  @ApiProperty({ enum: SLA_METRICS })
  metric!: string;
  met!: number;
  breached!: number;
  running!: number;
  /** %, null while none is met or breached. */
  compliance!: number | null;
}

export class StatusCountDto implements StatusCount {
  @ApiProperty({ enum: ['new', 'open', 'pending', 'on_hold'] })
  status!: string;
  tickets!: number;
}

export class AgeBucketDto implements AgeBucket {
  @ApiProperty({ enum: ['<1h', '1-4h', '4-24h', '1-3d', '3-7d', '>7d'] })
  bucket!: AgeBucket['bucket'];
  tickets!: number;
}

export class BacklogDto implements Backlog {
  open!: number;
  oldestAgeSeconds!: number | null;
  @ApiProperty({ type: [StatusCountDto] })
  byStatus!: StatusCountDto[];
  @ApiProperty({ type: [AgeBucketDto] })
  ageBuckets!: AgeBucketDto[];
}

export class RoleAnswersDto implements RoleAnswers {
  role!: string;
  /** People of the role who sent public replies. */
  people!: number;
  /** Tickets they answered (summed over the role's people). */
  tickets!: number;
  replies!: number;
}

export class CsatDto implements Csat {
  answers!: number;
  /** Answers of 4 or 5. */
  satisfied!: number;
  percent!: number | null;
  average!: number | null;
  /** % of answers of 1 or 2. */
  disputeRate!: number | null;
}

export class NpsDto implements Nps {
  answers!: number;
  promoters!: number;
  passives!: number;
  detractors!: number;
  /** −100 to 100; null without answers. */
  score!: number | null;
}

export class CesDto implements Ces {
  answers!: number;
  average!: number | null;
}

export class SatisfactionDto implements SatisfactionFigures {
  /** Surveys sent. */
  sent!: number;
  answered!: number;
  /** %, null without surveys. */
  responseRate!: number | null;
  csat!: CsatDto;
  nps!: NpsDto;
  ces!: CesDto;
}

/** How each figure is computed, in words. */
export class ReportFormulasDto implements Formulas {
  firstResponse!: string;
  nextResponse!: string;
  resolution!: string;
  reopenRate!: string;
  slaCompliance!: string;
  csat!: string;
  nps!: string;
  ces!: string;
  disputeRate!: string;
  answeredByRole!: string;
  backlogAge!: string;
}

export class OverviewReportDto implements Overview {
  period!: ReportPeriodDto;
  basis!: OverviewBasisDto;
  volume!: VolumeDto;
  firstResponse!: DurationsDto;
  nextResponse!: NextResponseDto;
  resolution!: DurationsDto;
  reopens!: ReopensDto;
  /** Per metric, SLA timers started in the period. */
  @ApiProperty({ type: [SlaComplianceDto] })
  sla!: SlaComplianceDto[];
  backlog!: BacklogDto;
  @ApiProperty({ type: [RoleAnswersDto] })
  answeredByRole!: RoleAnswersDto[];
  satisfaction!: SatisfactionDto;
  formulas!: ReportFormulasDto;
}

/** The parts of a score, 0–100 each; null without data (left out of the score, never counted as 0). */
export class ScoreComponentsDto implements ScoreComponents {
  /** First-response SLA compliance, %. */
  response!: number | null;
  /** Resolution SLA compliance, %. */
  resolution!: number | null;
  /** 100 − reopen rate. */
  afterSales!: number | null;
  /** CSAT %. */
  satisfaction!: number | null;
  /** 100 − dispute rate. */
  disputes!: number | null;
}

export class ScorecardSlaDto implements ScorecardSla {
  firstResponse!: number | null;
  nextResponse!: number | null;
  resolution!: number | null;
}

export class ScorecardDto implements Scorecard {
  /** The person's or team's id, or the role's name; null for unassigned tickets or tickets without a team. */
  key!: string | null;
  name!: string;
  /** 0–100 over the components with data; null when none has. */
  score!: number | null;
  components!: ScoreComponentsDto;
  tickets!: number;
  resolved!: number;
  reopenRate!: number | null;
  firstResponseMedianSeconds!: number | null;
  resolutionMedianSeconds!: number | null;
  answeredTickets!: number;
  replies!: number;
  /** Compliance per metric, %. */
  sla!: ScorecardSlaDto;
  satisfaction!: SatisfactionDto;
}

export class ScoreWeightsDto implements Record<keyof ScoreComponents, number> {
  response!: number;
  resolution!: number;
  afterSales!: number;
  satisfaction!: number;
  disputes!: number;
}

export class ScoreFormulaDto implements ScoreFormula {
  text!: string;
  weights!: ScoreWeightsDto;
}

export class ScorecardsReportDto implements ScorecardsReport {
  period!: ReportPeriodDto;
  @ApiProperty({ enum: ['person', 'team', 'role'] })
  groupBy!: ScorecardGroup;
  /** What is counted under each person, team or role. */
  basis!: string;
  formula!: ScoreFormulaDto;
  formulas!: ReportFormulasDto;
  /** Best score first. */
  @ApiProperty({ type: [ScorecardDto] })
  items!: ScorecardDto[];
}

export class FunnelStepDto {
  @ApiProperty({ enum: ['widget_opened', 'message_sent', 'answered', 'resolved', 'survey_answered'] })
  step!: string;
  label!: string;
  count!: number;
  /** % of the previous step that reached this one; null for the first. */
  conversion!: number | null;
  /** Lost since the previous step; null for the first. */
  dropped!: number | null;
}

export class ChatWaitsDto implements ChatWaits {
  chatFirstResponseMedianSeconds!: number | null;
  /** Chats solved or closed without a staff answer. */
  chatEndedUnanswered!: number;
}

export class ChannelFiguresDto {
  channel!: string;
  tickets!: number;
  answered!: number;
  resolved!: number;
  unanswered!: number;
  firstResponseMedianSeconds!: number | null;
  resolutionMedianSeconds!: number | null;
}

export class TagCountDto implements TagCount {
  tag!: string;
  tickets!: number;
}

export class KeywordCountDto implements KeywordCount {
  keyword!: string;
  tickets!: number;
}

export class TopicsDto implements Topics {
  /** The 20 commonest tags. */
  @ApiProperty({ type: [TagCountDto] })
  tags!: TagCountDto[];
  /** Words and phrases that recur in subjects. */
  @ApiProperty({ type: [KeywordCountDto] })
  keywords!: KeywordCountDto[];
}

export class TouchpointsBasisDto implements TouchpointsBasis {
  widget_opened!: string;
  message_sent!: string;
  answered!: string;
  resolved!: string;
  survey_answered!: string;
}

export class TouchpointsReportDto implements TouchpointsReport {
  period!: ReportPeriodDto;
  /** The chat journey, step by step. */
  @ApiProperty({ type: [FunnelStepDto] })
  funnel!: FunnelStepDto[];
  waits!: ChatWaitsDto;
  /** Per channel, most tickets first. */
  @ApiProperty({ type: [ChannelFiguresDto] })
  channels!: ChannelFiguresDto[];
  topics!: TopicsDto;
  basis!: TouchpointsBasisDto;
}

export class ReportRefreshDto {
  /** Tickets whose facts were rebuilt. */
  tickets!: number;
  /** How long it took. */
  ms!: number;
}
