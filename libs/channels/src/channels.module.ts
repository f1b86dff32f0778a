import { Module } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { QueueName } from '@crewdesk/queue';
import { EmailDispatcher } from './email/email-dispatcher';
import { ChatService } from './chat/chat.service';
import { WidgetSettingsService } from './chat/widget-settings.service';
import { ChannelsService } from './email/channels.service';
import { EmailIngestService } from './email/email-ingest.service';
import { MailParserPool } from './email/mail-parser-pool';
import { OutboundMailService } from './email/outbound.service';

const PROVIDERS = [
  ChatService,
  WidgetSettingsService,
  ChannelsService,
  EmailIngestService,
  MailParserPool,
  OutboundMailService,
  EmailDispatcher,
];

@Module({
  imports: [BullModule.registerQueue({ name: QueueName.EmailInbound }, { name: QueueName.EmailOutbound })],
  providers: PROVIDERS,
  exports: PROVIDERS,
})
export class ChannelsModule {}
