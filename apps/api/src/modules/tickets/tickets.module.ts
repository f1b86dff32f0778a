import { Module } from '@nestjs/common';
import { RealtimeModule } from '@crewdesk/realtime';
import { SlaModule } from '@crewdesk/sla';
import { TicketsController } from './tickets.controller';

@Module({ imports: [SlaModule, RealtimeModule], controllers: [TicketsController] })
export class TicketsApiModule {}
