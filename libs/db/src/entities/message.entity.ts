import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, JoinColumn, ManyToOne } from 'typeorm';
import { Ticket } from './ticket.entity';

export const MESSAGE_KINDS = ['public', 'internal', 'system'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];
export const ACTOR_TYPES = ['user', 'customer', 'api_key', 'system'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

@Entity('messages')
@Index('IDX_messages_body_trgm', { synchronize: false })
@Index('UQ_messages_external_id', { synchronize: false })
@Index('IDX_messages_queued', { synchronize: false })
@Index(['tenantId', 'ticketId', 'createdAt', 'id'])
export class Message {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) tenantId: string;
  @Column({ type: 'uuid' }) ticketId: string;
  @ManyToOne(() => Ticket, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'ticket_id' }) ticket?: Ticket;
  @Column({ type: 'varchar', length: 16 }) kind: MessageKind;
  @Column({ type: 'varchar', length: 16 }) authorType: ActorType;
  @Column({ type: 'uuid', nullable: true }) authorId: string | null;
  @Column({ type: 'text' }) bodyText: string;
  @Column({ type: 'text' }) bodyHtml: string;
  @Column({ type: 'varchar', length: 16 }) channel: string;
  /** The channel's own id (Message-ID, WeChat MsgId, widget client id): unique per tenant and channel. */
  @Column({ type: 'varchar', length: 255, nullable: true }) externalId: string | null;
  @Column({ type: 'varchar', length: 16, nullable: true }) deliveryState: string | null;
  @Column({ type: 'uuid', array: true, default: () => "'{}'" }) mentions: string[];
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}

@Entity('attachments')
@Index(['tenantId', 'messageId'])
@Index(['tenantId', 'createdAt'])
export class Attachment {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) tenantId: string;
  @Column({ type: 'uuid', nullable: true }) ticketId: string | null;
  @Column({ type: 'uuid', nullable: true }) messageId: string | null;
  @Column({ type: 'varchar', length: 255 }) filename: string;
  /** Sniffed from the bytes, never taken from the client. */
  @Column({ type: 'varchar', length: 127 }) contentType: string;
  @Column({ type: 'int' }) size: number;
  @Column({ type: 'char', length: 64 }) sha256: string;
  @Column({ type: 'varchar', length: 255 }) storageKey: string;
  @Column({ type: 'varchar', length: 16 }) uploaderType: string;
  @Column({ type: 'uuid', nullable: true }) uploaderId: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
