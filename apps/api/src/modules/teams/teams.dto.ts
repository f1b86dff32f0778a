import { PartialType } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { ASSIGNMENT_STRATEGIES } from '@crewdesk/db';

export class CreateTeamDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name: string;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @IsUUID('all', { each: true })
  memberIds?: string[];

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsUUID('all', { each: true })
  leadIds?: string[];

  @IsOptional()
  @IsIn(ASSIGNMENT_STRATEGIES)
  assignment?: (typeof ASSIGNMENT_STRATEGIES)[number];

  /** Take tickets back from an assignee offline this many minutes (null: never). */
  @IsOptional()
  @IsNumber()
  @Min(0.05)
  @Max(10080)
  offlineReassignMinutes?: number | null;

  /** Alert the team's leads when a ticket waits unassigned this many minutes (null: never). */
  @IsOptional()
  @IsNumber()
  @Min(0.05)
  @Max(10080)
  backlogAlertMinutes?: number | null;

  /** Hand-off targets for escalations to this team: acknowledge and answer, in business minutes. */
  @IsOptional()
  @IsNumber()
  @Min(1)
  @Max(100000)
  handoffAckMinutes?: number | null;

  @IsOptional()
  @IsNumber()
  @Min(1)
  @Max(100000)
  handoffAnswerMinutes?: number | null;
}

/** Every field of a team, each optional: a field left out keeps its value; a minutes setting sent as null turns it off. */
export class UpdateTeamDto extends PartialType(CreateTeamDto) {}
