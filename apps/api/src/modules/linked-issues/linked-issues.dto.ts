import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, IsUrl, IsUUID, Matches, MaxLength, ValidateIf } from 'class-validator';
import { PageQuery } from '@crewdesk/common';
import { ISSUE_ON_SHIP, ISSUE_STATUSES, IssueOnShip, IssueStatus } from '@crewdesk/db';
import { NotBlank } from '../tickets/not-blank';

/** A tracker's key: ENG-142, PROJ_7, org/repo#12. */
const KEY = /^[A-Za-z0-9][A-Za-z0-9._#/:-]{0,63}$/;
const URL_OPTIONS = { protocols: ['http', 'https'], require_protocol: true };
const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateLinkedIssueDto {
  /** The tracker's key, unique in the workspace regardless of case. */
  @IsString()
  @Transform(trim)
  @Matches(KEY, { message: 'key must be 1 to 64 letters, digits or . _ # / : - (like ENG-142)' })
  key: string;

  @IsString()
  @NotBlank()
  @MaxLength(500)
  title: string;

  @IsOptional()
  @IsUrl(URL_OPTIONS)
  @MaxLength(2048)
  url?: string;

  @IsOptional()
  @IsIn(ISSUE_STATUSES)
  status?: IssueStatus;

  /** The reply template: {{customer.name}}, {{issue.key}}, {{issue.title}}, {{issue.url}}, {{ticket.number}}. */
  @IsOptional()
  @IsString()
  @NotBlank()
  @MaxLength(5000)
  shipMessage?: string;

  /** After the reply: `solve` the ticket (default), `reopen` it as pending on the customer, or `none`. */
  @IsOptional()
  @IsIn(ISSUE_ON_SHIP)
  onShip?: IssueOnShip;
}

/** Any field; `status: "shipped"` ships it like `POST /ship`; `null` clears `url` or `shipMessage`. */
export class UpdateLinkedIssueDto {
  @IsOptional()
  @IsString()
  @Transform(trim)
  @Matches(KEY, { message: 'key must be 1 to 64 letters, digits or . _ # / : - (like ENG-142)' })
  key?: string;

  @IsOptional()
  @IsString()
  @NotBlank()
  @MaxLength(500)
  title?: string;

  @IsOptional()
  @ValidateIf((o) => o.url !== null)
  @IsUrl(URL_OPTIONS)
  @MaxLength(2048)
  url?: string | null;

  @IsOptional()
  @IsIn(ISSUE_STATUSES)
  status?: IssueStatus;

  @IsOptional()
  @ValidateIf((o) => o.shipMessage !== null)
  @IsString()
  @NotBlank()
  @MaxLength(5000)
  shipMessage?: string | null;

  @IsOptional()
  @IsIn(ISSUE_ON_SHIP)
  onShip?: IssueOnShip;
}

export class ListLinkedIssuesQuery extends PageQuery {
  @IsOptional()
  @IsIn(ISSUE_STATUSES)
  status?: IssueStatus;

  /** Searches keys and titles. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
}

export class LinkTicketDto {
  @IsUUID()
  ticketId: string;
}

export class ShipIssueDto {
  /** A template for this ship, instead of the issue's own or the default. */
  @IsOptional()
  @IsString()
  @NotBlank()
  @MaxLength(5000)
  message?: string;

  @IsOptional()
  @IsIn(ISSUE_ON_SHIP)
  onShip?: IssueOnShip;
}
