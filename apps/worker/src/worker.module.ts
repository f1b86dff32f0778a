import { Module } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { AppConfigModule } from '@crewdesk/config';
import { LoggingModule } from '@crewdesk/common';
import { DbModule } from '@crewdesk/db';
import { QueueName, RedisModule } from '@crewdesk/queue';
import { TicketsModule } from '@crewdesk/tickets';
import { MaintenanceProcessor } from './processors/maintenance.processor';
import { OutboxRelay } from './processors/outbox-relay.service';
import { EmailInboundProcessor, EmailOutboundProcessor } from './email/email.processors';
import { SmtpInboundServer } from './email/smtp-inbound.server';
import { ImapPoller } from './email/imap-poller.service';
import { ChannelsModule } from '@crewdesk/channels';
import { SlaModule } from '@crewdesk/sla';
import { EmitterPublisher } from '@crewdesk/realtime';
import { SlaProcessor } from './processors/sla.processor';

@Module({
  imports: [
    AppConfigModule,
    LoggingModule,
    DbModule,
    RedisModule,
    TicketsModule,
    BullModule.registerQueue(
      { name: QueueName.Maintenance },
      { name: QueueName.EmailInbound },
      { name: QueueName.EmailOutbound },
    ),
    ChannelsModule,
    SlaModule,
  ],
  providers: [
    EmitterPublisher,
    MaintenanceProcessor,
    OutboxRelay,
    EmailInboundProcessor,
    EmailOutboundProcessor,
    SmtpInboundServer,
    SlaProcessor,
    ImapPoller,
  ],
})
export class WorkerModule {}
