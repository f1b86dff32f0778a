import { IsEmail, IsOptional, IsString, MaxLength } from 'class-validator';
import { CustomerTicketDto } from '../portal/portal-responses.dto';
import { LIMITS } from '../tickets/tickets.dto';
import { NotBlank } from '../tickets/not-blank';

export class WebFormTicketDto {
  @IsString()
  @NotBlank()
  @MaxLength(LIMITS.subject)
  subject: string;

  @IsString()
  @NotBlank()
  @MaxLength(LIMITS.body)
  body: string;

  @IsEmail()
  @MaxLength(254)
  email: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;
}

/** The new ticket, and the customer's token to follow it in the portal. */
export class WebFormTicketResultDto {
  ticket!: CustomerTicketDto;
  /** Bearer token for `/portal/*`, scoped to this ticket. */
  accessToken!: string;
}
