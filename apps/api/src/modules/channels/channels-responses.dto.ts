// What the mailbox endpoints answer, for the OpenAPI document (see tickets-responses.dto.ts).
import { ApiProperty } from '@nestjs/swagger';
import type { ChannelView, ImapSettings, ImapStatus } from '@crewdesk/channels';

export class ImapAccountDto implements Omit<ImapSettings, 'password'> {
  host!: string;
  port!: number;
  /** TLS from the start (port 993); false: plain, upgraded with STARTTLS where offered. */
  secure!: boolean;
  user!: string;
  /** The folder polled (INBOX unless set). */
  mailbox?: string;
}

export class ImapStatusDto implements ImapStatus {
  connected!: boolean;
  lastPollAt!: string | null;
  /** Why the last attempt failed (`Authentication failed`, a refused connection), never a password. */
  lastError!: string | null;
  /** When the worker reported this. */
  at!: string;
}

export class ChannelDto implements ChannelView {
  id!: string;
  @ApiProperty({ enum: ['email'] })
  type!: 'email';
  name!: string;
  address!: string;
  /** New tickets from people get an acknowledgement mail. */
  acknowledge!: boolean;
  /** The IMAP account polled for this mailbox (its password is never sent back). */
  @ApiProperty({ type: ImapAccountDto, nullable: true })
  imap!: ImapAccountDto | null;
  /** For a mailbox with IMAP: the worker's last report, or null when no worker has polled it lately. */
  @ApiProperty({ type: ImapStatusDto, nullable: true, required: false })
  imapStatus?: ImapStatusDto | null;
  enabled!: boolean;
  createdAt!: string;
}

/** A new mailbox, with what only its creation answers. */
export class NewChannelDto extends ChannelDto {
  /** The Bearer token of this mailbox's raw-MIME webhook (`POST /channels/{id}/inbound`), shown once. */
  inboundToken!: string;
  /** The port of the SMTP server that takes this mailbox's mail. */
  smtpPort!: number;
}

export class ChannelPageDto {
  @ApiProperty({ type: [ChannelDto] })
  items!: ChannelDto[];
  /** Always null: every mailbox is on one page. */
  nextCursor!: string | null;
}

/** A raw message taken in: stored, to be parsed by the worker. */
export class InboundReceiptDto {
  /** The stored message's id. */
  id!: string;
  @ApiProperty({ enum: ['received'] })
  status!: 'received';
}
