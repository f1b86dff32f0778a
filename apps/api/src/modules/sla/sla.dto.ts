import { ApiProperty, getSchemaPath } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  ValidateNested,
  registerDecorator,
  ValidationOptions,
} from 'class-validator';
import { CHANNELS, TICKET_PRIORITIES } from '@crewdesk/db';
import { ESCALATION_ACTIONS } from '@crewdesk/sla';

const TARGET_KEYS = ['firstResponseMinutes', 'nextResponseMinutes', 'resolutionMinutes'];

/** `{ [priority]: { firstResponseMinutes?, nextResponseMinutes?, resolutionMinutes? } }` with minutes 0 to a year. */
function SlaTargets(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'slaTargets',
      target: object.constructor,
      propertyName,
      options: {
        message:
          'targets must map low/normal/high/urgent to { firstResponseMinutes?, nextResponseMinutes?, resolutionMinutes? } in minutes',
        ...options,
      },
      validator: {
        validate: (v: unknown) =>
          !!v &&
          typeof v === 'object' &&
          !Array.isArray(v) &&
          Object.keys(v).length > 0 &&
          Object.entries(v as Record<string, unknown>).every(
            ([priority, t]) =>
              (TICKET_PRIORITIES as readonly string[]).includes(priority) &&
              !!t &&
              typeof t === 'object' &&
              Object.entries(t as Record<string, unknown>).every(
                ([k, m]) => TARGET_KEYS.includes(k) && typeof m === 'number' && m >= 0 && m <= 525_600,
              ),
          ),
      },
    });
}

export class ConditionsDto {
  @IsOptional()
  @IsArray()
  @IsIn(TICKET_PRIORITIES, { each: true })
  priorities?: string[];

  @IsOptional()
  @IsArray()
  @IsIn(CHANNELS, { each: true })
  channels?: string[];

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  tags?: string[];
}

export class EscalationStepDto {
  @IsNumber()
  @Min(0)
  @Max(525_600)
  afterMinutes: number;

  @IsIn(ESCALATION_ACTIONS)
  action: (typeof ESCALATION_ACTIONS)[number];

  @IsOptional()
  @IsString()
  @MaxLength(64)
  role?: string;
}

export class CreateSlaPolicyDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name: string;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10_000)
  position?: number;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ConditionsDto)
  conditions?: ConditionsDto;

  @SlaTargets()
  targets: Record<string, { firstResponseMinutes?: number; nextResponseMinutes?: number; resolutionMinutes?: number }>;

  /** A business calendar; without one the clock runs 24x7. */
  @IsOptional()
  @IsUUID('all')
  calendarId?: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => EscalationStepDto)
  escalation?: EscalationStepDto[];

  /** The share of a target at which the warning comes (default 0.75). */
  @IsOptional()
  @IsNumber()
  @Min(0.05)
  @Max(1)
  warnAt?: number;

  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class CalendarDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name: string;

  /** `{ timezone, weekly: { mon: [["09:00","18:00"]], … }, holidays: ["2026-10-01"], workdays: [{ date: "2026-10-10" }] }` or `{ twentyFourSeven: true }`. */
  @IsObject()
  definition: Record<string, unknown>;
}

export class ImportCalendarDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name: string;

  /** The iCalendar text (holidays; events named 补班 / working day become make-up workdays). */
  @IsString()
  @IsNotEmpty()
  @MaxLength(2_000_000)
  ics: string;

  /** Timezone and weekly hours the holidays apply to. */
  @IsObject()
  base: { timezone: string; weekly: Record<string, Array<[string, string]>> };
}

/** One priority's targets, in business minutes. */
export class SlaTargetsDto {
  firstResponseMinutes?: number;
  nextResponseMinutes?: number;
  resolutionMinutes?: number;
}

export class SlaPolicyResponseDto {
  id!: string;
  name!: string;
  /** Policies are tried in this order; the first whose conditions match a ticket applies. */
  position!: number;
  conditions!: ConditionsDto;
  /** Targets per priority (low, normal, high, urgent). */
  @ApiProperty({ type: 'object', additionalProperties: { $ref: getSchemaPath(SlaTargetsDto) } })
  targets!: Record<string, SlaTargetsDto>;
  calendarId!: string | null;
  @ApiProperty({ type: [EscalationStepDto] })
  escalation!: EscalationStepDto[];
  warnAt!: number;
  enabled!: boolean;
  createdAt!: string;
}

export class SlaPolicyListDto {
  @ApiProperty({ type: [SlaPolicyResponseDto] })
  items!: SlaPolicyResponseDto[];
  /** Always null: every policy is on one page. */
  nextCursor!: string | null;
}

export class CalendarResponseDto {
  id!: string;
  name!: string;
  /** Time zone, weekly opening hours, holidays and make-up workdays (as `POST /calendars` takes them). */
  @ApiProperty({ type: 'object', additionalProperties: true })
  definition!: Record<string, unknown>;
  createdAt!: string;
}

export class CalendarListDto {
  @ApiProperty({ type: [CalendarResponseDto] })
  items!: CalendarResponseDto[];
  /** Always null: every calendar is on one page. */
  nextCursor!: string | null;
}
