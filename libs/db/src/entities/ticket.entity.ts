import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  JoinColumn,
  ManyToOne,
} from 'typeorm';
import { Team } from './team.entity';
import { User } from './user.entity';
import { Customer } from './customer.entity';

export const TICKET_STATUSES = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];
export const CHANNELS = ['web', 'email', 'chat', 'wechat', 'api'] as const;
export type Channel = (typeof CHANNELS)[number];

@Entity('tickets')
@Index('IDX_tickets_subject_trgm', { synchronize: false })
@Index('IDX_tickets_tags', { synchronize: false })
@Index(['tenantId', 'number'], { unique: true })
@Index(['tenantId', 'createdAt', 'id'])
@Index('IDX_tickets_updated', ['tenantId', 'updatedAt', 'id'])
@Index(['tenantId', 'status', 'createdAt', 'id'])
@Index(['tenantId', 'assigneeId', 'status'])
@Index(['tenantId', 'teamId', 'status'])
@Index(['tenantId', 'requesterId', 'createdAt'])
export class Ticket {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) tenantId: string;
  @Column({ type: 'bigint' }) number: string;
  @Column({ type: 'varchar', length: 500 }) subject: string;
  @Column({ type: 'varchar', length: 16, default: 'new' }) status: TicketStatus;
  @Column({ type: 'varchar', length: 16, default: 'normal' }) priority: TicketPriority;
  @Column({ type: 'varchar', length: 16 }) channel: Channel;
  @Column({ type: 'uuid' }) requesterId: string;
  @Column({ type: 'uuid', nullable: true }) assigneeId: string | null;
  @Column({ type: 'uuid', nullable: true }) teamId: string | null;
  @ManyToOne(() => Customer, { onDelete: 'RESTRICT' }) @JoinColumn({ name: 'requester_id' }) requester?: Customer;
  @ManyToOne(() => User, { onDelete: 'SET NULL' }) @JoinColumn({ name: 'assignee_id' }) assignee?: User;
  @ManyToOne(() => Team, { onDelete: 'SET NULL' }) @JoinColumn({ name: 'team_id' }) team?: Team;
  @Column({ type: 'text', array: true, default: () => "'{}'" }) tags: string[];
  @Column({ type: 'jsonb', default: () => "'{}'" }) customFields: Record<string, unknown>;
  @Column({ type: 'int', default: 1 }) version: number;
  @Column({ type: 'timestamptz', nullable: true }) firstResponseAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) solvedAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) closedAt: Date | null;
  @Column({ type: 'timestamptz', default: () => 'now()' }) lastMessageAt: Date;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
