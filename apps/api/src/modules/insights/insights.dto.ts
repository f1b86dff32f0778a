import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';

export class ReportQueryDto {
  /** Start of the period (inclusive), ISO 8601; default: 30 days before `to`. */
  @IsOptional()
  @IsISO8601()
  from?: string;

  /** End of the period (exclusive), ISO 8601; default: now. */
  @IsOptional()
  @IsISO8601()
  to?: string;

  /** IANA time zone for hours of the day and days (e.g. Asia/Shanghai); default UTC. */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  timezone?: string;

  @IsOptional()
  @IsUUID()
  teamId?: string;

  /** `csv` answers a spreadsheet-safe CSV export instead of JSON. */
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}

export class ScorecardQueryDto extends ReportQueryDto {
  @IsOptional()
  @IsIn(['person', 'team', 'role'])
  groupBy?: 'person' | 'team' | 'role';
}

export class SurveyAnswerDto {
  /** How satisfied, 1 (very unsatisfied) to 5 (very satisfied). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(5)
  csat: number;

  /** How likely to recommend us, 0 to 10 (optional). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(10)
  nps?: number | null;

  /** How easy it was, 1 (very easy) to 7 (very hard) (optional). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(7)
  ces?: number | null;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  comment?: string | null;
}

export class PortalSurveyQueryDto {
  @IsOptional()
  @IsUUID()
  ticketId?: string;
}

export class TouchpointDto {
  @IsIn(['widget.opened'])
  event: 'widget.opened';
}

export class SurveySettingsDto {
  /** Ask "how likely are you to recommend us" (0–10) after CSAT. */
  @IsOptional()
  @IsBoolean()
  nps?: boolean;

  /** Ask "how easy was it" (1–7) after CSAT. */
  @IsOptional()
  @IsBoolean()
  ces?: boolean;
}
