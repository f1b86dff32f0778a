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
import { EmitterPublisher, PresenceService, UserEmitter } from '@crewdesk/realtime';
import { NOTIFICATION_SINK, PRESENCE_READER, RoutingModule } from '@crewdesk/routing';
import { RoutingSweeper } from './routing/routing-sweeper.service';
import { SlaProcessor } from './processors/sla.processor';
import { InsightsModule } from '@crewdesk/insights';
import { InsightsProcessor } from './insights/insights.processor';
import { SurveyMailer } from './insights/survey-mail';
import { LinkedIssuesModule } from '@crewdesk/routing';
import { LinkedIssuesProcessor } from './linked-issues/linked-issues.processor';

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
    RoutingModule.register({
      providers: [
        PresenceService,
        UserEmitter,
        { provide: PRESENCE_READER, useExisting: PresenceService },
        { provide: NOTIFICATION_SINK, useExisting: UserEmitter },
      ],
    }),
    InsightsModule,
    LinkedIssuesModule,
  ],
  providers: [
    EmitterPublisher,
    MaintenanceProcessor,
    OutboxRelay,
    EmailInboundProcessor,
    EmailOutboundProcessor,
    SmtpInboundServer,
    SlaProcessor,
    RoutingSweeper,
    InsightsProcessor,
    SurveyMailer,
    ImapPoller,
    LinkedIssuesProcessor,
  ],
})
export class WorkerModule {}
