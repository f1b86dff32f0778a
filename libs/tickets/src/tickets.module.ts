import { Global, Module } from '@nestjs/common';
import { AttachmentsService } from './attachments/attachments.service';
import { LocalDiskStorage, ObjectStorage } from './attachments/storage';
import { TicketEventBus } from './event-bus';
import { TicketsRepository } from './tickets.repository';
import { TicketsService } from './tickets.service';

@Global()
@Module({
  providers: [
    TicketsRepository,
    TicketsService,
    TicketEventBus,
    AttachmentsService,
    { provide: ObjectStorage, useClass: LocalDiskStorage },
  ],
  exports: [TicketsService, TicketEventBus, AttachmentsService, ObjectStorage],
})
export class TicketsModule {}
