import { ArrayMaxSize, IsArray, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { LIMITS } from '../tickets/tickets.dto';
import { NotBlank } from '../tickets/not-blank';

export class PortalMessageDto {
  @IsString()
  @NotBlank()
  @MaxLength(LIMITS.body)
  body: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsUUID('all', { each: true })
  attachmentIds?: string[];
}
