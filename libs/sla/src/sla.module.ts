import { Module } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { QueueName } from '@crewdesk/queue';
import { SlaService } from './sla.service';

@Module({
  imports: [BullModule.registerQueue({ name: QueueName.Sla })],
  providers: [SlaService],
  exports: [SlaService, BullModule],
})
export class SlaModule {}
