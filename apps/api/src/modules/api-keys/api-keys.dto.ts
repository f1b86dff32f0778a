import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { ALL_PERMISSIONS } from '@crewdesk/auth';

export class CreateApiKeyDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsIn(ALL_PERMISSIONS, { each: true })
  permissions: string[];
}

export class ApiKeyResponseDto {
  id!: string;
  name!: string;
  /** The key's first characters, to tell keys apart. */
  prefix!: string;
  permissions!: string[];
  createdAt!: string;
  lastUsedAt!: string | null;
  revokedAt!: string | null;
}

/** A new key: `key` is shown this once. */
export class NewApiKeyDto extends ApiKeyResponseDto {
  key!: string;
}

export class ApiKeyListDto {
  @ApiProperty({ type: [ApiKeyResponseDto] })
  items!: ApiKeyResponseDto[];
  /** Always null: every key is on one page. */
  nextCursor!: string | null;
}
