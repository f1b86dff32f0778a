import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { pageLimit } from '@crewdesk/common';
import { RequirePermissions } from '@crewdesk/auth';
import { TenantContext } from '@crewdesk/db';
import { SessionsService } from '../auth/sessions.service';
import { CreateUserDto, ListUsersQuery, UpdateUserDto } from './users.dto';
import { UserDto, UserPageDto } from './users-responses.dto';
import { UsersService } from './users.service';

@ApiTags('users')
@ApiBearerAuth()
@Controller('users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly ctx: TenantContext,
  ) {}

  @Post()
  @RequirePermissions('user.manage')
  @ApiCreatedResponse({ type: UserDto })
  create(@Body() dto: CreateUserDto) {
    return this.users.create(dto);
  }

  @Get()
  @RequirePermissions('user.read')
  @ApiOkResponse({ type: UserPageDto })
  list(@Query() q: ListUsersQuery) {
    return this.users.list({ ...q, limit: pageLimit(q) });
  }

  @Get(':id')
  @RequirePermissions('user.read')
  @ApiOkResponse({ type: UserDto })
  get(@Param('id', ParseUUIDPipe) id: string) {
    return this.users.get(id);
  }

  /** Disabling someone or changing their password ends their sessions. */
  @Patch(':id')
  @RequirePermissions('user.manage')
  @ApiOkResponse({ type: UserDto })
  update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateUserDto) {
    return this.users.update(id, dto, (userId) => this.sessions.revokeAllOf(this.ctx.tenantId, userId));
  }
}
