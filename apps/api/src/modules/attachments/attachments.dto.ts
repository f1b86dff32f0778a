// What the upload endpoints answer, for the OpenAPI document (see tickets-responses.dto.ts).
import { ApiProperty } from '@nestjs/swagger';
import type { AttachmentInfo } from '@crewdesk/tickets';

/** A stored upload: pass its id in a message's `attachmentIds`. */
export class UploadedAttachmentDto implements AttachmentInfo {
  id!: string;
  /** The name sent, made safe (no path, no control characters). */
  filename!: string;
  /** Sniffed from the bytes, never taken from the client. */
  contentType!: string;
  size!: number;
  /** Hex SHA-256 of the bytes. */
  sha256!: string;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}
