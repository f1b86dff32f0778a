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

class GreetingDto {
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
