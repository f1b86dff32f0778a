import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
} from 'class-validator';
import { PageQuery } from '@crewdesk/common';

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
}
