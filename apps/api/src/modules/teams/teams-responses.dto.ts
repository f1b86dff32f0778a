// What the teams endpoints answer, for the OpenAPI document (see tickets-responses.dto.ts).
import { ApiProperty } from '@nestjs/swagger';
import { ASSIGNMENT_STRATEGIES } from '@crewdesk/db';

export class TeamMemberDto {
  userId!: string;
  isLead!: boolean;
}

export class TeamDto {
  id!: string;
  name!: string;
  description!: string;
  /** How new tickets of the team find a person: by hand, in turn, the least loaded, or by skills. */
  @ApiProperty({ enum: ASSIGNMENT_STRATEGIES })
  assignment!: string;
  /** Tickets of someone offline this long go back to the team; null: never. */
  offlineReassignMinutes!: number | null;
  /** Unassigned tickets waiting this long alert the team's leads; null: never. */
  backlogAlertMinutes!: number | null;
  /** A hand-off to the team is to be acknowledged within this; null: no clock. */
  handoffAckMinutes!: number | null;
  /** A hand-off to the team is to be answered within this; null: no clock. */
  handoffAnswerMinutes!: number | null;
  @ApiProperty({ type: [TeamMemberDto] })
  members!: TeamMemberDto[];
  createdAt!: string;
}

export class TeamPageDto {
  @ApiProperty({ type: [TeamDto] })
  items!: TeamDto[];
  /** Always null: every team is on one page. */
  nextCursor!: string | null;
}
