import { Module } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { QueueName } from '@crewdesk/queue';
import { FactsService } from './facts.service';
import { ReportsService } from './reports.service';
import { SurveysService } from './surveys.service';

const PROVIDERS = [SurveysService, FactsService, ReportsService];

/** Surveys, the facts projection and reports. Imported by the API and the worker (each subscribes to its own bus). */
@Module({
  imports: [BullModule.registerQueue({ name: QueueName.Insights })],
  providers: PROVIDERS,
  exports: [...PROVIDERS, BullModule],
})
export class InsightsModule {}
