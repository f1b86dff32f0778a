import { Module } from '@nestjs/common';
import { RealtimeModule, PresenceService, UserEmitter } from '@crewdesk/realtime';
import { NOTIFICATION_SINK, PRESENCE_READER, RoutingModule } from '@crewdesk/routing';
import { MyRoutingController, TicketRoutingController } from './escalations.controller';
import { RoutingRulesController } from './routing-rules.controller';
import { WorkspaceController } from './workspace.controller';

@Module({
  imports: [
    RoutingModule.register({
      imports: [RealtimeModule],
      providers: [
        UserEmitter,
        { provide: PRESENCE_READER, useExisting: PresenceService },
        { provide: NOTIFICATION_SINK, useExisting: UserEmitter },
      ],
    }),
  ],
  controllers: [RoutingRulesController, TicketRoutingController, MyRoutingController, WorkspaceController],
})
export class RoutingApiModule {}
