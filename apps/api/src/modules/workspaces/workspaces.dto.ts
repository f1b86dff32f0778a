import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsEmail, IsNotEmpty, IsString, Matches, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { TokensDto } from '../users/users-responses.dto';
import type { WorkspaceRow } from './workspaces.service';

export class AdminDto {
  @IsEmail()
  @MaxLength(254)
  email: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;

  @IsString()
  @MinLength(10, { message: 'password must be at least 10 characters' })
  @MaxLength(200)
  password: string;
}

export class CreateWorkspaceDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;

  /** The workspace's address: lower-case letters, digits and dashes. */
  @Matches(/^[a-z0-9](?:[a-z0-9-]{1,46}[a-z0-9])$/, {
    message: 'slug must be 3 to 48 lower-case letters, digits or dashes, not starting or ending with a dash',
  })
  slug: string;

  @ValidateNested()
  @Type(() => AdminDto)
  admin: AdminDto;
}

export class WorkspaceDto implements WorkspaceRow {
  id!: string;
  name!: string;
  slug!: string;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

/** The new workspace, with its first admin signed in. */
export class NewWorkspaceDto extends TokensDto {
  workspace!: WorkspaceDto;
}
