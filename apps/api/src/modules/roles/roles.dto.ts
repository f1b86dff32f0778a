import { ApiProperty } from '@nestjs/swagger';
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

export class RoleResponseDto {
  id!: string;
  name!: string;
  description!: string;
  permissions!: string[];
  /** One of the roles every workspace starts with (admin, supervisor, agent, engineer, product); not deleted. */
  builtin!: boolean;
  createdAt!: string;
}

export class RoleListDto {
  @ApiProperty({ type: [RoleResponseDto] })
  items!: RoleResponseDto[];
  /** Always null: every role is on one page. */
  nextCursor!: string | null;
  /** Every permission a role can hold, with what it allows. */
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  permissions!: Record<string, string>;
}
