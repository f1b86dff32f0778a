import { Body, Controller, Get, Headers, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiOkResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppError, ErrorCode } from '@crewdesk/common';
import { CurrentActor, dummyPasswordHash, Public, verifyPassword } from '@crewdesk/auth';
import type { Actor } from '@crewdesk/db';
import { RateLimit } from '../../common/rate-limit.guard';
import { ApiKeyMeDto, MeDto, SessionDto, TokensDto } from '../users/users-responses.dto';
import { UsersService } from '../users/users.service';
import { LoginDto, RefreshDto } from './auth.dto';
import { SessionsService } from './sessions.service';

@ApiTags('auth')
@Controller()
export class AuthController {
  constructor(
    private readonly sessions: SessionsService,
    private readonly users: UsersService,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  @Post('auth/login')
  @Public()
  @RateLimit('login')
  @HttpCode(200)
  @ApiOkResponse({ type: SessionDto })
  async login(@Body() dto: LoginDto, @Headers('user-agent') userAgent?: string) {
    const [row] = await this.db.query(
      `SELECT u.id, u.tenant_id, u.password_hash, u.status FROM users u JOIN tenants t ON t.id = u.tenant_id
       WHERE t.slug = $1 AND u.email = $2`,
      [dto.workspace.toLowerCase(), dto.email.trim().toLowerCase()],
    );
    const ok = await verifyPassword(row?.password_hash ?? (await dummyPasswordHash()), dto.password);
    if (!row || !ok || row.status !== 'active') {
      throw new AppError(ErrorCode.INVALID_CREDENTIALS, 'The workspace, email or password is wrong');
    }
    const tokens = await this.sessions.open(row.tenant_id, row.id, userAgent);
    const user = await this.users.profile(row.tenant_id, row.id);
    return { ...tokens, user };
  }

  @Post('auth/refresh')
  @Public()
  @RateLimit('login')
  @HttpCode(200)
  @ApiOkResponse({ type: TokensDto })
  refresh(@Body() dto: RefreshDto) {
    return this.sessions.refresh(dto.refreshToken);
  }

  /** Ends this session: its refresh token and its access tokens stop working at once. */
  @Post('auth/logout')
  @ApiBearerAuth()
  @HttpCode(204)
  async logout(@CurrentActor() actor: Actor): Promise<void> {
    if (actor.kind !== 'user' || !actor.sessionId)
      throw new AppError(ErrorCode.FORBIDDEN, 'Only a signed-in person can log out');
    await this.sessions.revoke(actor.tenantId, actor.sessionId);
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiExtraModels(MeDto, ApiKeyMeDto)
  @ApiOkResponse({
    description: 'The signed-in person, or the API key making the request',
    schema: { oneOf: [{ $ref: getSchemaPath(MeDto) }, { $ref: getSchemaPath(ApiKeyMeDto) }] },
  })
  async me(@CurrentActor() actor: Actor) {
    if (actor.kind !== 'user') {
      return { type: actor.kind, id: actor.id, name: actor.name, permissions: [...actor.permissions] };
    }
    return this.users.profile(actor.tenantId, actor.id!);
  }
}
