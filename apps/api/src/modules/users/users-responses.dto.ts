// What the people and sign-in endpoints answer, for the OpenAPI document (see tickets-responses.dto.ts).
import { ApiProperty } from '@nestjs/swagger';
import type { SessionTokens } from '../auth/sessions.service';
import type { UserView } from './users.service';

export class UserDto implements UserView {
  id!: string;
  email!: string;
  name!: string;
  @ApiProperty({ enum: ['active', 'disabled'] })
  status!: string;
  /** Role names (admin, agent, engineer, product, or the workspace's own). */
  roles!: string[];
  teamIds!: string[];
  skills!: string[];
  /** Open tickets routing gives them at most. */
  capacity!: number;
  timezone!: string;
  @ApiProperty({ enum: ['en', 'zh-CN'] })
  locale!: string;
  createdAt!: string;
  lastLoginAt!: string | null;
}

export class UserPageDto {
  @ApiProperty({ type: [UserDto] })
  items!: UserDto[];
  nextCursor!: string | null;
}

export class WorkspaceRefDto {
  id!: string;
  name!: string;
  slug!: string;
}

/** The signed-in person, with what they may do. */
export class MeDto extends UserDto {
  permissions!: string[];
  workspace!: WorkspaceRefDto;
}

/** `GET /me` with an API key. */
export class ApiKeyMeDto {
  @ApiProperty({ enum: ['api_key'] })
  type!: string;
  id!: string;
  name!: string;
  permissions!: string[];
}

export class TokensDto implements SessionTokens {
  /** Bearer token for every request; it expires after `expiresIn` seconds. */
  accessToken!: string;
  /** Trade it at `POST /auth/refresh` for new tokens; each works once. */
  refreshToken!: string;
  expiresIn!: number;
}

export class SessionDto extends TokensDto {
  user!: MeDto;
}
