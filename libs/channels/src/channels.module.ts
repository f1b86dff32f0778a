import { Module } from '@nestjs/common';
import { ChatService } from './chat/chat.service';
import { WidgetSettingsService } from './chat/widget-settings.service';

@Module({ providers: [ChatService, WidgetSettingsService], exports: [ChatService, WidgetSettingsService] })
export class ChannelsModule {}
