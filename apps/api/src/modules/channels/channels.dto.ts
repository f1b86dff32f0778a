import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';

export class ImapDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  host: string;

  @IsInt()
  @Min(1)
  @Max(65535)
  port: number;

  /** TLS from the start (993); false uses STARTTLS when offered. */
  @IsBoolean()
  secure: boolean;

  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  user: string;

  @IsOptional()
  @IsString()
  @MaxLength(1000)
  password?: string;

  @IsOptional()
  @IsString()
  @MaxLength(255)
  mailbox?: string;
}

export class CreateChannelDto {
  @IsIn(['email'])
  type: 'email';

  /** The mailbox customers write to, e.g. support@acme.com (unique across workspaces). */
  @IsEmail()
  @MaxLength(254)
  address: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;

  /** Acknowledge new tickets from people (default true). */
  @IsOptional()
  @IsBoolean()
  acknowledge?: boolean;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ImapDto)
  imap?: ImapDto;
}

export class UpdateChannelDto {
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;

  @IsOptional()
  @IsBoolean()
  acknowledge?: boolean;

  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  /** IMAP polling settings, or null to stop polling. */
  @IsOptional()
  @ValidateNested()
  @Type(() => ImapDto)
  imap?: ImapDto | null;
}
