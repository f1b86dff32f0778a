import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsDateString,
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
} from 'class-validator';
import { CHANNELS, TICKET_PRIORITIES } from '@crewdesk/db';

export class RuleConditionsDto {
  @IsOptional() @IsArray() @ArrayMaxSize(20) @IsIn(CHANNELS, { each: true }) channels?: string[];
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  keywords?: string[];
  @IsOptional() @IsArray() @ArrayMaxSize(50) @IsString({ each: true }) @MaxLength(64, { each: true }) tags?: string[];
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(32, { each: true })
  customerTiers?: string[];
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  organisations?: string[];
  @IsOptional() @IsIn(['inside', 'outside']) businessHours?: 'inside' | 'outside';
  @IsOptional() @IsUUID('all') calendarId?: string;
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(8, { each: true })
  languages?: string[];
}

export class AssignToDto {
  @IsIn(['role', 'skill', 'user']) type: 'role' | 'skill' | 'user';
  @IsString() @IsNotEmpty() @MaxLength(100) value: string;
}

export class RuleActionsDto {
  @IsOptional() @IsUUID('all') teamId?: string;
  @IsOptional() @IsIn(TICKET_PRIORITIES) priority?: 'low' | 'normal' | 'high' | 'urgent';
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  addTags?: string[];
  @IsOptional() @ValidateNested() @Type(() => AssignToDto) assignTo?: AssignToDto;
  @IsOptional() @IsArray() @ArrayMaxSize(50) @IsUUID('all', { each: true }) followerIds?: string[];
}

export class CreateRoutingRuleDto {
  @IsString() @IsNotEmpty() @MaxLength(100) name: string;
  @IsOptional() @IsInt() @Min(0) @Max(100000) position?: number;
  @IsOptional() @IsBoolean() enabled?: boolean;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => RuleConditionsDto) conditions?: RuleConditionsDto;
  @IsObject() @ValidateNested() @Type(() => RuleActionsDto) actions: RuleActionsDto;
}

export class UpdateRoutingRuleDto {
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(100) name?: string;
  @IsOptional() @IsInt() @Min(0) @Max(100000) position?: number;
  @IsOptional() @IsBoolean() enabled?: boolean;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => RuleConditionsDto) conditions?: RuleConditionsDto;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => RuleActionsDto) actions?: RuleActionsDto;
}

/** A ticket as it would arrive, or an existing ticket by id. */
export class DryRunDto {
  @IsOptional() @IsUUID('all') ticketId?: string;
  @IsOptional() @IsIn(CHANNELS) channel?: string;
  @IsOptional() @IsString() @MaxLength(500) subject?: string;
  @IsOptional() @IsString() @MaxLength(65536) body?: string;
  @IsOptional() @IsArray() @ArrayMaxSize(50) @IsString({ each: true }) @MaxLength(64, { each: true }) tags?: string[];
  @IsOptional() @IsString() @MaxLength(32) customerTier?: string;
  @IsOptional() @IsString() @MaxLength(200) organisation?: string;
  /** When it arrives (business hours); now without. */
  @IsOptional() @IsDateString() at?: string;
}

export class EscalationTargetDto {
  @IsIn(['team', 'role', 'user']) type: 'team' | 'role' | 'user';
  @IsOptional() @IsUUID('all') id?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(64) role?: string;
}

export class EscalateDto {
  @ValidateNested() @Type(() => EscalationTargetDto) target: EscalationTargetDto;
  @IsOptional() @IsIn(['bring_in', 'move']) mode?: 'bring_in' | 'move';
  @IsString() @IsNotEmpty() @MaxLength(2000) reason: string;
  @IsOptional() @IsNumber() @Min(0.01) @Max(100000) ackMinutes?: number;
  @IsOptional() @IsNumber() @Min(0.01) @Max(100000) answerMinutes?: number;
  @IsOptional() @IsNumber() @Min(0.01) @Max(525600) grantMinutes?: number;
}

export class FollowDto {
  /** Someone else to add as a follower (needs ticket.update); yourself without. */
  @IsOptional() @IsUUID('all') userId?: string;
}

export class TagSubscriptionsDto {
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(64, { each: true })
  tags: string[];
  /** Also a daily digest mail of the day's matching tickets. */
  @IsOptional() @IsBoolean() digest?: boolean;
}

export class NotificationsQuery {
  @IsOptional() @IsIn(['true', 'false']) unread?: 'true' | 'false';
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100) limit?: number;
  @IsOptional() @IsString() @MaxLength(500) cursor?: string;
}

export class MarkReadDto {
  @IsOptional() @IsArray() @ArrayMaxSize(500) @IsUUID('all', { each: true }) ids?: string[];
  @IsOptional() @IsBoolean() all?: boolean;
}

export class RejectReplyDto {
  @IsOptional() @IsString() @MaxLength(2000) reason?: string;
}

export class WorkspaceSettingsDto {
  /** Hold the public replies of people brought in (without ticket.view_all) until the ticket's agent approves. */
  @IsOptional() @IsBoolean() expertReview?: boolean;
  /** The workspace's language for customer-facing defaults. */
  @IsOptional() @IsIn(['en', 'zh-CN']) locale?: 'en' | 'zh-CN';
}

export class UpdateWorkspaceDto {
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) name?: string;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => WorkspaceSettingsDto) settings?: WorkspaceSettingsDto;
}

export class RoutingRuleResponseDto {
  id!: string;
  name!: string;
  /** Rules are tried in this order; the first that matches a new ticket routes it. */
  position!: number;
  enabled!: boolean;
  /** What a ticket must be for the rule to match (only what the rule checks is present). */
  conditions!: RuleConditionsDto;
  /** What a match does to the ticket. */
  actions!: RuleActionsDto;
  createdAt!: string;
  updatedAt!: string;
}

export class RoutingRuleListDto {
  @ApiProperty({ type: [RoutingRuleResponseDto] })
  items!: RoutingRuleResponseDto[];
  /** Always null: every rule is on one page. */
  nextCursor!: string | null;
}
