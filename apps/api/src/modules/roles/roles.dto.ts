import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { ALL_PERMISSIONS } from '@crewdesk/auth';

export class CreateRoleDto {
  @Matches(/^[a-z][a-z0-9_-]{1,63}$/, { message: 'name must be 2 to 64 lower-case letters, digits, - or _' })
  name: string;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;

  @IsArray()
  @ArrayMaxSize(100)
  @IsIn(ALL_PERMISSIONS, { each: true })
  permissions: string[];
}

export class UpdateRoleDto {
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsIn(ALL_PERMISSIONS, { each: true })
  permissions?: string[];
}
