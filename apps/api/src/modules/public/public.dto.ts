import { IsEmail, IsOptional, IsString, MaxLength } from 'class-validator';
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
