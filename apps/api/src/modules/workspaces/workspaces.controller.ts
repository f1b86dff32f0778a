import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import { AppError, ErrorCode } from '@crewdesk/common';
import { Env } from '@crewdesk/config';
import { Public } from '@crewdesk/auth';
import { RateLimit } from '../../common/rate-limit.guard';
import { SessionsService } from '../auth/sessions.service';
import { CreateWorkspaceDto, NewWorkspaceDto } from './workspaces.dto';
import { WorkspacesService } from './workspaces.service';

@ApiTags('workspaces')
@Controller('workspaces')
export class WorkspacesController {
  constructor(
    private readonly workspaces: WorkspacesService,
    private readonly sessions: SessionsService,
    private readonly env: Env,
  ) {}

  /** Self-serve sign-up: a workspace and its first admin, signed in. */
  @Post()
  @Public()
  @RateLimit('public')
  @HttpCode(201)
  @ApiCreatedResponse({ type: NewWorkspaceDto })
  async create(@Body() dto: CreateWorkspaceDto, @Headers('user-agent') userAgent?: string): Promise<NewWorkspaceDto> {
    if (!this.env.SIGNUP_ENABLED) throw new AppError(ErrorCode.SIGNUP_DISABLED, 'Sign-up is turned off on this server');
    const { workspace, adminId } = await this.workspaces.create(dto);
    const session = await this.sessions.open(workspace.id, adminId, userAgent);
    return { workspace, ...session };
  }
}
