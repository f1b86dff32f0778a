import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthModule } from '@crewdesk/auth';
import { AppConfigModule } from '@crewdesk/config';
import { DbModule } from '@crewdesk/db';
import { RedisModule } from '@crewdesk/queue';
import { TicketsModule } from '@crewdesk/tickets';
import { RealtimeModule } from '@crewdesk/realtime';
import { LoggingModule } from '@crewdesk/common';
import { RateLimitGuard } from './common/rate-limit.guard';
import { ApiKeysModule } from './modules/api-keys/api-keys.module';
import { AttachmentsApiModule } from './modules/attachments/attachments.module';
import { AuditModule } from './modules/audit/audit.module';
import { AuthApiModule } from './modules/auth/auth.module';
import { HealthModule } from './modules/health/health.module';
import { PortalModule } from './modules/portal/portal.module';
import { PublicModule } from './modules/public/public.module';
import { RolesModule } from './modules/roles/roles.module';
import { TeamsModule } from './modules/teams/teams.module';
import { TicketsApiModule } from './modules/tickets/tickets.module';
import { UsersModule } from './modules/users/users.module';
import { WorkspacesModule } from './modules/workspaces/workspaces.module';
import { WidgetModule } from './modules/widget/widget.module';
import { ChannelsApiModule } from './modules/channels/channels.module';
import { SlaApiModule } from './modules/sla/sla.module';
import { RoutingApiModule } from './modules/routing/routing.module';
import { InsightsApiModule } from './modules/insights/insights.module';
import { LinkedIssuesApiModule } from './modules/linked-issues/linked-issues.module';
import { ConsoleModule } from './modules/console/console.module';
import { InboxModule } from './modules/inbox/inbox.module';

@Module({
  imports: [
    AppConfigModule,
    LoggingModule,
    DbModule,
    RedisModule,
    AuthModule,
    TicketsModule,
    HealthModule,
    WorkspacesModule,
    AuthApiModule,
    UsersModule,
    RolesModule,
    TeamsModule,
    ApiKeysModule,
    AuditModule,
    TicketsApiModule,
    PublicModule,
    PortalModule,
    AttachmentsApiModule,
    RealtimeModule,
    WidgetModule,
    ChannelsApiModule,
    SlaApiModule,
    RoutingApiModule,
    InsightsApiModule,
    LinkedIssuesApiModule,
    InboxModule,
    ConsoleModule,
  ],
  providers: [{ provide: APP_GUARD, useClass: RateLimitGuard }],
})
export class AppModule {}
