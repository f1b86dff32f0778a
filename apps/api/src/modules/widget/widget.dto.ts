import { ApiProperty, ApiPropertyOptional, ApiPropertyOptions } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsEmail,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import type { BusinessHours, WidgetSettings } from '@crewdesk/channels';
import { TICKET_STATUSES } from '@crewdesk/db';

export class WidgetIdentityDto {
  /** The host site's id of the signed-in user. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  userId: string;

  /** Hex HMAC-SHA256 of userId under the workspace's widget secret, computed on the host's server. */
  @IsString()
  @Matches(/^[0-9a-fA-F]{64}$/, { message: 'identity.hmac must be 64 hex characters' })
  hmac: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;

  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string;
}

export class WidgetSessionDto {
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  visitorToken?: string;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => WidgetIdentityDto)
  identity?: WidgetIdentityDto;
}

export class WidgetContactDto {
  @IsEmail()
  @MaxLength(254)
  email: string;
}

export class GreetingDto {
  @IsString()
  @MaxLength(500)
  en: string;

  @IsString()
  @MaxLength(500)
  'zh-CN': string;
}

export class UpdateWidgetSettingsDto {
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => GreetingDto)
  greeting?: GreetingDto;

  /** `{ timezone, days: { mon: [["09:00", "18:00"]], … } }`, or null for always open. */
  @IsOptional()
  @IsObject()
  businessHours?: { timezone: string; days: Record<string, Array<[string, string]>> } | null;

  @IsOptional()
  rotateSecret?: boolean;
}

export class WidgetWorkspaceDto {
  name!: string;
}

/** The visitor's open conversation. */
export class WidgetConversationDto {
  ticketId!: string;
  @ApiProperty({ enum: TICKET_STATUSES })
  status!: string;
}

export class WidgetSessionResultDto {
  /** Keep it (localStorage) and send it back as `visitorToken` to stay the same visitor; it is also the Bearer token for `/portal/*` and the chat socket. */
  visitorToken!: string;
  customerId!: string;
  workspace!: WidgetWorkspaceDto;
  /** In the browser's language (Chinese or English). */
  greeting!: string;
  /** Someone of staff is online and it is within business hours. */
  online!: boolean;
  /** The visitor's open conversation, if any. */
  @ApiProperty({ type: WidgetConversationDto, nullable: true })
  conversation!: WidgetConversationDto | null;
}

export class WidgetContactResultDto {
  stored!: boolean;
}

const SPANS: ApiPropertyOptions = {
  type: 'array',
  description: 'Opening spans of the day, like `[["09:00", "12:00"], ["13:00", "18:00"]]`',
  items: { type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 2 },
};

/** Opening spans per day; a day left out is closed. */
export class WeekHoursDto {
  @ApiPropertyOptional(SPANS) mon?: Array<[string, string]>;
  @ApiPropertyOptional(SPANS) tue?: Array<[string, string]>;
  @ApiPropertyOptional(SPANS) wed?: Array<[string, string]>;
  @ApiPropertyOptional(SPANS) thu?: Array<[string, string]>;
  @ApiPropertyOptional(SPANS) fri?: Array<[string, string]>;
  @ApiPropertyOptional(SPANS) sat?: Array<[string, string]>;
  @ApiPropertyOptional(SPANS) sun?: Array<[string, string]>;
}

export class BusinessHoursDto implements BusinessHours {
  /** IANA time zone of the hours. */
  timezone!: string;
  days!: WeekHoursDto;
}

export class WidgetSettingsResponseDto implements WidgetSettings {
  /** Signs host pages' user ids (identity verification); keep it on the host's server. */
  secret!: string;
  greeting!: GreetingDto;
  /** Null: always open. */
  @ApiProperty({ type: BusinessHoursDto, nullable: true })
  businessHours!: BusinessHoursDto | null;
  /** The `<script>` tag to paste into the host site. */
  snippet!: string;
}
