import { Module } from '@nestjs/common';
import { SlaModule } from '@crewdesk/sla';
import { TicketsController } from './tickets.controller';

@Module({ imports: [SlaModule], controllers: [TicketsController] })
export class TicketsApiModule {}
