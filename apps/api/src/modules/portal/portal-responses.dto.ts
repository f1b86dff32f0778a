// What customers get back from the portal and the web form, for the OpenAPI document (see tickets-responses.dto.ts).
import { ApiProperty } from '@nestjs/swagger';
import { TICKET_STATUSES } from '@crewdesk/db';
import type { CustomerMessageView, CustomerTicketView } from '@crewdesk/tickets';
import { AttachmentDto } from '../tickets/tickets-responses.dto';

/** A ticket as its customer sees it: no assignee, team, tags, fields or version. */
export class CustomerTicketDto implements CustomerTicketView {
  id!: string;
  number!: number;
  subject!: string;
  @ApiProperty({ enum: TICKET_STATUSES })
  status!: string;
  channel!: string;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

export class CustomerTicketPageDto {
  @ApiProperty({ type: [CustomerTicketDto] })
  items!: CustomerTicketDto[];
  nextCursor!: string | null;
}

export class CustomerMessageAuthorDto {
  /** `staff` for anyone of the workspace. */
  @ApiProperty({ enum: ['customer', 'staff'] })
  type!: 'customer' | 'staff';
  /** A staff author without a name shows as `Support`. */
  name!: string | null;
}

/** A public message as the customer sees it: no mentions, internal authorship or delivery details. */
export class CustomerMessageDto implements CustomerMessageView {
  id!: string;
  ticketId!: string;
  author!: CustomerMessageAuthorDto;
  /** Plain text. */
  body!: string;
  /** Sanitized HTML. */
  html!: string;
  @ApiProperty({ type: [AttachmentDto] })
  attachments!: AttachmentDto[];
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

export class CustomerMessagePageDto {
  @ApiProperty({ type: [CustomerMessageDto] })
  items!: CustomerMessageDto[];
  nextCursor!: string | null;
}

/** A ticket with its first 100 public messages. */
export class CustomerTicketDetailDto extends CustomerTicketDto {
  @ApiProperty({ type: [CustomerMessageDto] })
  messages!: CustomerMessageDto[];
  /** Pass to `GET /portal/tickets/{id}/messages` as `cursor` for the rest; null when all are here. */
  messagesNextCursor!: string | null;
}

/** The customer's new message with the ticket as the message left it. */
export class CustomerMessageWithTicketDto extends CustomerMessageDto {
  ticket!: CustomerTicketDto;
}
