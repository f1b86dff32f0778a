import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { PageQuery } from '@crewdesk/common';
import { TICKET_PRIORITIES, TICKET_STATUSES, type TicketPriority, type TicketStatus } from '@crewdesk/db';

const csv = ({ value }: { value: unknown }) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : value;

export class SlaSummaryQuery {
  /** Up to 100 ticket ids, comma-separated. */
  @Transform(csv)
  @IsArray()
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  ticketIds: string[];
}

export class AtRiskQuery extends PageQuery {}

export class PreferencesDto {
  @IsOptional()
  @IsIn(['en', 'zh-CN'])
  locale?: 'en' | 'zh-CN';
}

/** Present (not undefined): null is refused too, except where a field says otherwise. */
const given = (_: object, v: unknown) => v !== undefined;

/** What a macro changes on the ticket after its reply is sent; every field is optional. */
export class MacroActionsDto {
  @ValidateIf(given)
  @IsIn(TICKET_STATUSES)
  status?: TicketStatus;

  @ValidateIf(given)
  @IsIn(TICKET_PRIORITIES)
  priority?: TicketPriority;

  /** Added to the ticket's tags (normalised like ticket tags: trimmed, lower case). */
  @ValidateIf(given)
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  addTags?: string[];

  /** A team of this workspace. */
  @ValidateIf(given)
  @IsUUID('all')
  teamId?: string;

  /** A person of this workspace, or null to unassign. */
  @IsOptional()
  @IsUUID('all')
  assigneeId?: string | null;
}

export class CannedReplyDto {
  /** Typed after `/` in the composer, e.g. `refund`. */
  @IsString()
  @Matches(/^[\p{L}\p{N}_.-]{1,64}$/u, { message: 'shortcut must be 1 to 64 letters, digits, _ . or -' })
  shortcut: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  title: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(65536)
  body: string;

  /** A macro's ticket changes; `{}` (the default on create) for a plain canned reply, kept as is when omitted on update. */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => MacroActionsDto)
  actions?: MacroActionsDto;
}
