import { Module } from '@nestjs/common';
import { SlaModule } from '@crewdesk/sla';
import { SlaController } from './sla.controller';

@Module({ imports: [SlaModule], controllers: [SlaController], exports: [SlaModule] })
export class SlaApiModule {}
