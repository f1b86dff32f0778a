import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

export const CHANNEL_TYPES = ['email'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

/** A workspace's inbound/outbound channel (an email mailbox). Secrets are encrypted at rest. */
@Entity('channels')
@Index('UQ_channels_address', { synchronize: false })
@Index(['tenantId', 'type'])
export class ChannelRow {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) tenantId: string;
  @Column({ type: 'varchar', length: 16 }) type: ChannelType;
  @Column({ type: 'varchar', length: 200, default: '' }) name: string;
  /** Lower-cased; unique across workspaces (partial index). */
  @Column({ type: 'varchar', length: 254, nullable: true }) address: string | null;
  @Column({ type: 'jsonb', default: () => "'{}'" }) config: Record<string, unknown>;
  /** AES-256-GCM sealed JSON (SMTP/IMAP passwords). */
  @Column({ type: 'text', nullable: true }) secrets: string | null;
  /** SHA-256 of the raw-MIME webhook token. */
  @Column({ type: 'varchar', length: 64, nullable: true }) inboundTokenHash: string | null;
  /** Poller state (IMAP UIDVALIDITY and last UID). */
  @Column({ type: 'jsonb', default: () => "'{}'" }) state: Record<string, unknown>;
  @Column({ type: 'boolean', default: true }) enabled: boolean;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}

/** Every inbound mail, raw bytes first (stored before SMTP answers 250), then what became of it. */
@Entity('inbound_emails')
@Index('IDX_inbound_emails_waiting', ['receivedAt'], { where: `status = 'received'` })
@Index(['tenantId', 'receivedAt'])
export class InboundEmail {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) tenantId: string;
  @Column({ type: 'uuid', nullable: true }) channelId: string | null;
  @Column({ type: 'varchar', length: 16 }) source: 'smtp' | 'imap' | 'webhook';
  @Column({ type: 'varchar', length: 320, nullable: true }) envelopeFrom: string | null;
  @Column({ type: 'text', array: true, default: () => "'{}'" }) envelopeTo: string[];
  @Column({ type: 'bytea' }) raw: Buffer;
  @Column({ type: 'int' }) size: number;
  /** received, processed, ignored (loops, duplicates), quarantined (could not be parsed), refused. */
  @Column({ type: 'varchar', length: 16, default: 'received' }) status: string;
  @Column({ type: 'text', nullable: true }) outcome: string | null;
  @Column({ type: 'int', default: 0 }) attempts: number;
  @Column({ type: 'uuid', nullable: true }) ticketId: string | null;
  @Column({ type: 'uuid', nullable: true }) messageRowId: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) receivedAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) processedAt: Date | null;
}

/** Message-IDs we received or sent, per ticket: what In-Reply-To and References are matched against. */
@Entity('email_message_ids')
@Index(['tenantId', 'ticketId'])
export class EmailMessageId {
  @PrimaryColumn({ type: 'uuid' }) tenantId: string;
  @PrimaryColumn({ type: 'varchar', length: 998 }) messageId: string;
  @Column({ type: 'uuid' }) ticketId: string;
  @Column({ type: 'uuid', nullable: true }) messageRowId: string | null;
  @Column({ type: 'varchar', length: 3 }) direction: 'in' | 'out';
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
