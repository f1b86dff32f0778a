import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  JoinColumn,
  ManyToOne,
  UpdateDateColumn,
} from 'typeorm';
import { Ticket } from './ticket.entity';

/** The append-only event log: one row per ticket change, the outbox and the realtime replay cursor. */
@Entity('ticket_events')
@Index(['tenantId', 'ticketId', 'id'])
@Index(['tenantId', 'id'])
@Index(['txId'])
export class TicketEvent {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column({ type: 'uuid' }) tenantId: string;
  @Column({ type: 'uuid' }) ticketId: string;
  @ManyToOne(() => Ticket, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'ticket_id' }) ticket?: Ticket;
  @Column({ type: 'varchar', length: 64 }) type: string;
  @Column({ type: 'varchar', length: 16 }) actorType: string;
  @Column({ type: 'uuid', nullable: true }) actorId: string | null;
  /** `internal` events never reach a customer. */
  @Column({ type: 'varchar', length: 16, default: 'public' }) visibility: 'public' | 'internal';
  @Column({ type: 'jsonb', default: () => "'{}'" }) data: Record<string, unknown>;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  /**
   * The inserting transaction's id, stamped by a trigger. The outbox relay walks transactions below the oldest one still running,
   * so an event whose transaction commits late is never skipped (ids alone commit out of order).
   */
  @Column({ type: 'bigint', select: false }) txId: string;
}

/** Where the outbox relay has got to: every event of a transaction below `watermark` has been published. */
@Entity('relay_cursors')
export class RelayCursor {
  @PrimaryColumn({ type: 'varchar', length: 64 }) name: string;
  @Column({ type: 'bigint' }) watermark: string;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}

@Entity('audit_log')
@Index(['tenantId', 'createdAt'])
@Index(['tenantId', 'entityType', 'entityId'])
export class AuditEntry {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column({ type: 'uuid' }) tenantId: string;
  @Column({ type: 'varchar', length: 16 }) actorType: string;
  @Column({ type: 'uuid', nullable: true }) actorId: string | null;
  @Column({ type: 'varchar', length: 64 }) action: string;
  @Column({ type: 'varchar', length: 32 }) entityType: string;
  @Column({ type: 'uuid', nullable: true }) entityId: string | null;
  @Column({ type: 'jsonb', default: () => "'{}'" }) data: Record<string, unknown>;
  @Column({ type: 'varchar', length: 64, nullable: true }) requestId: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}

/** A create retried with the same `Idempotency-Key` answers the resource the first one made. */
@Entity('idempotency_keys')
@Index(['createdAt'])
export class IdempotencyKey {
  @PrimaryColumn({ type: 'uuid' }) tenantId: string;
  @PrimaryColumn({ type: 'varchar', length: 32 }) scope: string;
  @PrimaryColumn({ type: 'varchar', length: 255 }) key: string;
  @Column({ type: 'char', length: 64 }) requestHash: string;
  @Column({ type: 'uuid' }) resourceId: string;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
