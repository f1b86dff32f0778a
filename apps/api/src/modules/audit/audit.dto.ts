// What the audit trail answers, for the OpenAPI document (see tickets-responses.dto.ts).
import { ApiProperty } from '@nestjs/swagger';
import { ActorRefDto } from '../tickets/tickets-responses.dto';

export class AuditEntryDto {
  /** Sequence number, as a string (newest first). */
  id!: string;
  actor!: ActorRefDto;
  /** `workspace.created`, `user.updated`, `channel.deleted`, … */
  action!: string;
  /** `tenant`, `workspace`, `user`, `role`, `team`, `channel`, … */
  entityType!: string;
  entityId!: string | null;
  /** What the action was given or changed. */
  @ApiProperty({ type: 'object', additionalProperties: true })
  data!: Record<string, unknown>;
  /** The request that did it, to find it in the logs. */
  requestId!: string | null;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

export class AuditPageDto {
  @ApiProperty({ type: [AuditEntryDto] })
  items!: AuditEntryDto[];
  nextCursor!: string | null;
}
