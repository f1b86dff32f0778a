// What the linked-issues endpoints answer, for the OpenAPI document (see tickets-responses.dto.ts).
import { ApiProperty } from '@nestjs/swagger';
import { ACTOR_TYPES, ISSUE_ON_SHIP, ISSUE_STATUSES, IssueOnShip, IssueStatus } from '@crewdesk/db';
import type { IssueLinkView, LinkedIssueView, ShipResult, TicketLinkedIssueView } from '@crewdesk/routing';

/** Who marked it shipped. */
export class ShippedByDto {
  @ApiProperty({ enum: ACTOR_TYPES })
  type!: string;
  id!: string | null;
}

export class LinkedTicketCountsDto {
  /** Tickets linked. */
  total!: number;
  /** Of those, tickets whose customer was told of the ship. */
  notified!: number;
}

export class LinkedIssueDto implements LinkedIssueView {
  id!: string;
  /** The tracker's key (ENG-142). */
  key!: string;
  title!: string;
  url!: string | null;
  @ApiProperty({ enum: ISSUE_STATUSES })
  status!: IssueStatus;
  /** The reply template for this issue's ship; null: the default. */
  shipMessage!: string | null;
  /** After the ship reply: `solve` the ticket, `reopen` it as pending on the customer, or `none`. */
  @ApiProperty({ enum: ISSUE_ON_SHIP })
  onShip!: IssueOnShip;
  @ApiProperty({ format: 'date-time' })
  shippedAt!: string | null;
  @ApiProperty({ type: ShippedByDto, nullable: true })
  shippedBy!: ShippedByDto | null;
  createdBy!: string | null;
  tickets!: LinkedTicketCountsDto;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

export class LinkedIssuePageDto {
  @ApiProperty({ type: [LinkedIssueDto] })
  items!: LinkedIssueDto[];
  nextCursor!: string | null;
}

export class ShipResultDto implements ShipResult {
  issue!: LinkedIssueDto;
  /** Whether this call shipped it (false: it was shipped already and nothing changed). */
  shipped!: boolean;
  /** Linked tickets whose customers are still to be told (all of them, on the first ship). */
  ticketsToNotify!: number;
}

export class IssueLinkDto implements IssueLinkView {
  issueId!: string;
  ticketId!: string;
  linkedBy!: string | null;
  @ApiProperty({ format: 'date-time' })
  linkedAt!: string;
  /** When the ticket's customer was told of the ship; null until then. */
  @ApiProperty({ format: 'date-time' })
  notifiedAt!: string | null;
  /** The reply that told them. */
  notifyMessageId!: string | null;
}

/** The ticket's link, on an issue listed for a ticket. */
export class TicketLinkDto {
  @ApiProperty({ format: 'date-time' })
  linkedAt!: string;
  linkedBy!: string | null;
  @ApiProperty({ format: 'date-time' })
  notifiedAt!: string | null;
}

export class TicketLinkedIssueDto extends LinkedIssueDto implements TicketLinkedIssueView {
  link!: TicketLinkDto;
}

export class TicketLinkedIssueListDto {
  @ApiProperty({ type: [TicketLinkedIssueDto] })
  items!: TicketLinkedIssueDto[];
  /** Always null: every issue of the ticket is on one page. */
  nextCursor!: string | null;
}
