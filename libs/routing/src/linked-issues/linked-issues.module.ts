import { Module } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { QueueName } from '@crewdesk/queue';
import { LinkedIssuesRepository } from './linked-issues.repository';
import { LinkedIssuesService } from './linked-issues.service';

/** Linked issues for the API (CRUD, link, ship) and the worker (notify, reconcile); exports the queue too. */
@Module({
  imports: [BullModule.registerQueue({ name: QueueName.LinkedIssues })],
  providers: [LinkedIssuesRepository, LinkedIssuesService],
  exports: [LinkedIssuesService, BullModule],
})
export class LinkedIssuesModule {}
