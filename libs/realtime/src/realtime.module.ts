import { Module } from '@nestjs/common';
import { AgentsGateway } from './agents.gateway';
import { LivePublisher } from './live-publisher';
import { PresenceService } from './presence.service';
import { ReplayService } from './replay.service';
import { WidgetGateway } from './widget.gateway';

@Module({
  providers: [AgentsGateway, WidgetGateway, ReplayService, PresenceService, LivePublisher],
  exports: [LivePublisher, PresenceService, ReplayService],
})
export class RealtimeModule {}
