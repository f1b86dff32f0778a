import { Module } from '@nestjs/common';
import { RealtimeModule, PresenceService, UserEmitter } from '@crewdesk/realtime';
import { NOTIFICATION_SINK, PRESENCE_READER, PresenceReader, RoutingModule } from '@crewdesk/routing';
import { MyRoutingController, TicketRoutingController } from './escalations.controller';
import { RoutingRulesController } from './routing-rules.controller';
import { WorkspaceController } from './workspace.controller';

/** Who is online for assignment: an open console and a status other than away. */
export const presenceReader = (presence: PresenceService): PresenceReader => ({
  online: async (tenantId) =>
    new Set((await presence.list(tenantId)).filter((p) => p.status !== 'away').map((p) => p.userId)),
});

@Module({
  imports: [
    RoutingModule.register({
      imports: [RealtimeModule],
      providers: [
        UserEmitter,
        { provide: PRESENCE_READER, useFactory: presenceReader, inject: [PresenceService] },
        { provide: NOTIFICATION_SINK, useExisting: UserEmitter },
      ],
    }),
  ],
  controllers: [RoutingRulesController, TicketRoutingController, MyRoutingController, WorkspaceController],
})
export class RoutingApiModule {}
