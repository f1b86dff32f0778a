import { Module } from '@nestjs/common';
import { ChannelsModule } from '@crewdesk/channels';
import { RealtimeModule } from '@crewdesk/realtime';
import { WorkspacesModule } from '../workspaces/workspaces.module';
import { WidgetAssetsController } from './widget-assets.controller';
import { WidgetChatGateway } from './widget-chat.gateway';
import { WidgetController } from './widget.controller';

@Module({
  imports: [ChannelsModule, RealtimeModule, WorkspacesModule],
  controllers: [WidgetController, WidgetAssetsController],
  providers: [WidgetChatGateway],
})
export class WidgetModule {}
