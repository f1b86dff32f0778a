// What the inbox endpoints answer, for the OpenAPI document (see tickets-responses.dto.ts).
import { ApiProperty } from '@nestjs/swagger';
import { MacroActionsDto } from './inbox.dto';

/** Open tickets per built-in view. */
export class InboxCountsDto {
  mine!: number;
  unassigned!: number;
  /** Of the first of the caller's teams. */
  team!: number;
  slaAtRisk!: number;
  all!: number;
}

/** A ticket's next SLA target (its active timer due first). */
export class SlaSummaryDto {
  ticketId!: string;
  @ApiProperty({ enum: ['first_response', 'next_response', 'resolution', 'handoff_ack', 'handoff_answer'] })
  metric!: string;
  dueAt!: string | null;
  warnAt!: string | null;
  pausedAt!: string | null;
  breachedAt!: string | null;
  status!: string;
}

export class SlaSummaryListDto {
  @ApiProperty({ type: [SlaSummaryDto] })
  items!: SlaSummaryDto[];
}

export class PreferencesResultDto {
  @ApiProperty({ enum: ['en', 'zh-CN'] })
  locale!: string;
}

export class CannedReplyResponseDto {
  id!: string;
  /** Typed after `/` in the composer. */
  shortcut!: string;
  title!: string;
  body!: string;
  /** What the reply also changes on the ticket (a macro); empty for a plain canned reply. */
  actions!: MacroActionsDto;
  createdAt!: string;
  updatedAt!: string;
}

export class CannedReplyPageDto {
  @ApiProperty({ type: [CannedReplyResponseDto] })
  items!: CannedReplyResponseDto[];
  /** Always null: every canned reply is on one page. */
  nextCursor!: string | null;
}
