import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
  registerDecorator,
  ValidationOptions,
} from 'class-validator';
import { PageQuery } from '@crewdesk/common';
import { NotBlank } from './not-blank';
import { TICKET_PRIORITIES, TICKET_STATUSES, TicketPriority, TicketStatus } from '@crewdesk/db';

/** Limits of the public API shape. */
export const LIMITS = { subject: 500, body: 65536, tags: 50, tag: 64, customFields: 100 } as const;

/** A flat object of custom fields: up to 100 keys, values of strings, numbers, booleans or null. */
function CustomFields(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'customFields',
      target: object.constructor,
      propertyName,
      options: {
        message:
          'customFields must map up to 100 keys (letters, digits, _ . -) to strings up to 2000 characters, numbers, booleans or null',
        ...options,
      },
      validator: {
        validate: (v: unknown) =>
          !!v &&
          typeof v === 'object' &&
          !Array.isArray(v) &&
          Object.keys(v).length <= LIMITS.customFields &&
          Object.entries(v as Record<string, unknown>).every(
            ([k, x]) =>
              /^[A-Za-z0-9_.-]{1,64}$/.test(k) &&
              (x === null ||
                typeof x === 'number' ||
                typeof x === 'boolean' ||
                (typeof x === 'string' && x.length <= 2000)),
          ),
      },
    });
}

export class RequesterDto {
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;

  @IsOptional()
  @Matches(/^\+?[0-9 ()-]{5,32}$/, { message: 'phone must be a phone number' })
  phone?: string;

  @IsOptional()
  @IsUUID('all')
  customerId?: string;
}

export class CreateTicketDto {
  @IsString()
  @NotBlank()
  @MaxLength(LIMITS.subject)
  subject: string;

  @IsString()
  @NotBlank()
  @MaxLength(LIMITS.body)
  body: string;

  @ValidateNested()
  @Type(() => RequesterDto)
  @IsObject()
  requester: RequesterDto;

  @IsOptional()
  @IsIn(TICKET_PRIORITIES)
  priority?: TicketPriority;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(LIMITS.tags)
  @IsString({ each: true })
  @MaxLength(LIMITS.tag, { each: true })
  @NotBlank({ each: true })
  tags?: string[];

  @IsOptional()
  @CustomFields()
  customFields?: Record<string, unknown>;

  @IsOptional()
  @IsUUID('all')
  teamId?: string;

  @IsOptional()
  @IsUUID('all')
  assigneeId?: string;
}

export class UpdateTicketDto {
  /** The version you loaded; a stale one gets 409 VERSION_CONFLICT. */
  @IsInt()
  @Min(1)
  version: number;

  @IsOptional()
  @IsIn(TICKET_STATUSES)
  status?: TicketStatus;

  @IsOptional()
  @IsIn(TICKET_PRIORITIES)
  priority?: TicketPriority;

  /** A person's id, or null to unassign. */
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsUUID('all')
  assigneeId?: string | null;

  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsUUID('all')
  teamId?: string | null;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(LIMITS.tags)
  @IsString({ each: true })
  @MaxLength(LIMITS.tag, { each: true })
  @NotBlank({ each: true })
  tags?: string[];

  /** Merged into the ticket's fields; a null value removes a field. */
  @IsOptional()
  @CustomFields()
  customFields?: Record<string, unknown>;
}

export class CreateMessageDto {
  @IsString()
  @NotBlank()
  @MaxLength(LIMITS.body)
  body: string;

  /** An internal note: staff only, never shown to the customer. */
  @IsOptional()
  @IsBoolean()
  internal?: boolean;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsUUID('all', { each: true })
  mentions?: string[];

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsUUID('all', { each: true })
  attachmentIds?: string[];
}

const csv = ({ value }: { value: unknown }) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : value;

export class ListTicketsQuery extends PageQuery {
  /** One status or several, comma-separated. */
  @IsOptional()
  @Transform(csv)
  @IsArray()
  @IsIn(TICKET_STATUSES, { each: true })
  status?: TicketStatus[];

  @IsOptional()
  @Transform(csv)
  @IsArray()
  @IsIn(TICKET_PRIORITIES, { each: true })
  priority?: TicketPriority[];

  /** A person's id, `me`, or `none` for unassigned tickets. */
  @IsOptional()
  @Matches(/^(me|none|[0-9a-fA-F-]{36})$/, { message: 'assigneeId must be an id, me or none' })
  assigneeId?: string;

  @IsOptional()
  @IsUUID('all')
  teamId?: string;

  @IsOptional()
  @IsString()
  @MaxLength(LIMITS.tag)
  tag?: string;

  @IsOptional()
  @IsUUID('all')
  requesterId?: string;

  /** Text in subjects and messages (Chinese too), or a ticket number. */
  @IsOptional()
  @IsString()
  @NotBlank()
  @MaxLength(200)
  q?: string;

  /** `me`: tickets with an open escalation to me (the "escalated to me" view). */
  @IsOptional()
  @IsIn(['me'])
  escalatedTo?: 'me';

  /** `me`: tickets I follow. */
  @IsOptional()
  @IsIn(['me'])
  followedBy?: 'me';

  @IsOptional()
  @IsIn(['created', 'updated'])
  sort?: 'created' | 'updated';
}

export class EventsQuery {
  /** The last event id you have; events after it come back in order. */
  @IsOptional()
  @Matches(/^\d{1,19}$/, { message: 'after must be an event id' })
  after?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Transform(({ value }) => Math.min(Number(value), 500))
  limit?: number;
}

export class MessagesQuery extends PageQuery {
  /** `desc`: newest first (the next cursor goes further back); oldest first by default. */
  @IsOptional()
  @IsIn(['asc', 'desc'])
  order?: 'asc' | 'desc';
}

/** At most this many tickets per `GET /tickets/viewers` (a page of the console's list). */
export const MAX_VIEWER_TICKETS = 100;

export class ViewersQuery {
  /** Ticket ids, comma-separated (up to 100). */
  @Transform(csv)
  @IsArray()
  @ArrayMinSize(1, { message: 'ids must name at least one ticket' })
  @ArrayMaxSize(MAX_VIEWER_TICKETS, { message: `ids must name at most ${MAX_VIEWER_TICKETS} tickets` })
  @IsUUID('all', { each: true, message: 'ids must be ticket ids' })
  ids!: string[];
}

/** `GET /tickets/number/:number`: a ticket number, as large as JavaScript counts exactly. */
export class TicketNumberParam {
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  number!: number;
}
