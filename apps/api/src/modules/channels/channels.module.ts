import { Module } from '@nestjs/common';
import { ChannelsModule } from '@crewdesk/channels';
import { ChannelsController } from './channels.controller';

@Module({ imports: [ChannelsModule], controllers: [ChannelsController] })
export class ChannelsApiModule {}
