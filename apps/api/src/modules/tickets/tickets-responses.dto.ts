// What the tickets endpoints answer, for the OpenAPI document (the swagger plugin reads these classes). Each class
// implements the view it documents, so a field the view gains or changes fails to compile until it is described.
import { ApiProperty } from '@nestjs/swagger';
import type { SlaTimerView } from '@crewdesk/sla';
import { ACTOR_TYPES } from '@crewdesk/db';
import type { AttachmentView, MessageView, TicketEventView, TicketView } from '@crewdesk/tickets';

export class TicketRequesterDto {
  id!: string;
  name!: string | null;
  email!: string | null;
}

export class TicketDto implements TicketView {
  id!: string;
  /** The ticket's number in its workspace (`#42`), also in mail subjects as `[#42]`. */
  number!: number;
  subject!: string;
  @ApiProperty({ enum: ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'] })
  status!: string;
  @ApiProperty({ enum: ['low', 'normal', 'high', 'urgent'] })
  priority!: string;
  /** Where it came from: web, api, email, chat. */
  channel!: string;
  requester!: TicketRequesterDto;
  assigneeId!: string | null;
  teamId!: string | null;
  tags!: string[];
  @ApiProperty({ type: 'object', additionalProperties: true })
  customFields!: Record<string, unknown>;
  /** Send it back with a PATCH: a change made meanwhile answers 409 VERSION_CONFLICT. */
  version!: number;
  createdAt!: string;
  updatedAt!: string;
  lastMessageAt!: string;
  firstResponseAt!: string | null;
  solvedAt!: string | null;
  closedAt!: string | null;
}

export class TicketPageDto {
  @ApiProperty({ type: [TicketDto] })
  items!: TicketDto[];
  /** Pass as `cursor` for the next page; null on the last. */
  nextCursor!: string | null;
}

export class AttachmentDto implements AttachmentView {
  id!: string;
  filename!: string;
  /** Sniffed from the bytes, never taken from the client. */
  contentType!: string;
  size!: number;
}

export class MessageAuthorDto {
  @ApiProperty({ enum: ['user', 'customer', 'api_key', 'system'] })
  type!: string;
  id!: string | null;
  name!: string | null;
}

export class MessageDto implements MessageView {
  id!: string;
  ticketId!: string;
  @ApiProperty({ enum: ['public', 'internal', 'system'] })
  kind!: 'public' | 'internal' | 'system';
  internal!: boolean;
  author!: MessageAuthorDto;
  /** Plain text. */
  body!: string;
  /** Sanitized HTML. */
  html!: string;
  channel!: string;
  /** For a public reply on an email ticket: queued, sent or failed. */
  deliveryState!: string | null;
  /** A public reply held for approval (`pending`), then `approved` or `rejected`; null for every other message. */
  reviewState!: string | null;
  mentions!: string[];
  @ApiProperty({ type: [AttachmentDto] })
  attachments!: AttachmentDto[];
  createdAt!: string;
}

export class MessagePageDto {
  @ApiProperty({ type: [MessageDto] })
  items!: MessageDto[];
  nextCursor!: string | null;
}

/** A new message with the ticket as the message left it. */
export class MessageWithTicketDto extends MessageDto {
  ticket!: TicketDto;
}

export class SlaTimerDto implements SlaTimerView {
  @ApiProperty({ enum: ['first_response', 'next_response', 'resolution', 'handoff_ack', 'handoff_answer'] })
  metric!: SlaTimerView['metric'];
  targetMinutes!: number;
  dueAt!: string | null;
  warnAt!: string | null;
  pausedAt!: string | null;
  metAt!: string | null;
  breachedAt!: string | null;
  /** Business minutes left (negative once breached); null once met. */
  businessMinutesLeft!: number | null;
  status!: string;
  /** Set for a hand-off clock: the escalation it times. */
  escalationId!: string | null;
}

/** A ticket with its SLA clocks and its first 100 messages. */
export class TicketDetailDto extends TicketDto {
  @ApiProperty({ type: [SlaTimerDto] })
  sla!: SlaTimerDto[];
  @ApiProperty({ type: [MessageDto] })
  messages!: MessageDto[];
  /** Pass to `GET /tickets/{id}/messages` as `cursor` for the rest; null when all are here. */
  messagesNextCursor!: string | null;
}

/** Who caused an event or an audit entry. */
export class ActorRefDto {
  @ApiProperty({ enum: ACTOR_TYPES })
  type!: string;
  /** The person, customer or API key; null for the system. */
  id!: string | null;
}

export class TicketEventDto implements TicketEventView {
  /** The event's sequence number (a string): pass the last as `after` to read on. */
  id!: string;
  /** `ticket.created`, `message.created`, `ticket.updated`, `ticket.escalated`, `survey.answered`, … */
  type!: string;
  ticketId!: string;
  actor!: ActorRefDto;
  /** `internal` events are never shown to customers. */
  @ApiProperty({ enum: ['public', 'internal'] })
  visibility!: 'public' | 'internal';
  /** What changed, by event type. */
  @ApiProperty({ type: 'object', additionalProperties: true })
  data!: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

export class TicketEventPageDto {
  @ApiProperty({ type: [TicketEventDto] })
  items!: TicketEventDto[];
  /** The last event's id when more follow (pass it as `after`); null on the last page. */
  nextCursor!: string | null;
}
