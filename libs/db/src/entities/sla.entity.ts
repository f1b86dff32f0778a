import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** A business calendar: weekly hours, holidays and make-up workdays in a timezone (libs/sla validates it). */
@Entity('business_calendars')
@Index(['tenantId', 'name'], { unique: true })
export class BusinessCalendarRow {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) tenantId: string;
  @Column({ type: 'varchar', length: 100 }) name: string;
  @Column({ type: 'jsonb' }) definition: Record<string, unknown>;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}

/** Promises per priority, chosen by conditions in `position` order, with an escalation ladder. */
@Entity('sla_policies')
@Index(['tenantId', 'position'])
export class SlaPolicyRow {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) tenantId: string;
  @Column({ type: 'varchar', length: 100 }) name: string;
  @Column({ type: 'int', default: 0 }) position: number;
  @Column({ type: 'jsonb', default: () => "'{}'" }) conditions: Record<string, unknown>;
  @Column({ type: 'jsonb' }) targets: Record<string, unknown>;
  @Column({ type: 'uuid', nullable: true }) calendarId: string | null;
  @Column({ type: 'jsonb', default: () => "'[]'" }) escalation: unknown[];
  @Column({ type: 'real', default: 0.75 }) warnAt: number;
  @Column({ type: 'boolean', default: true }) enabled: boolean;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}

/** One promise on one ticket: the truth the BullMQ alarms and the reconciler act on. */
@Entity('sla_timers')
@Index(['tenantId', 'ticketId'])
@Index('IDX_sla_timers_due', { synchronize: false })
@Index('UQ_sla_timers_active', { synchronize: false })
export class SlaTimerRow {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) tenantId: string;
  @Column({ type: 'uuid' }) ticketId: string;
  @Column({ type: 'uuid', nullable: true }) policyId: string | null;
  @Column({ type: 'varchar', length: 16 }) metric: 'first_response' | 'next_response' | 'resolution';
  @Column({ type: 'real' }) targetMinutes: number;
  @Column({ type: 'timestamptz' }) startedAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) dueAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) warnAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) pausedAt: Date | null;
  @Column({ type: 'jsonb', default: () => "'[]'" }) pauses: Array<{ from: string; to: string | null }>;
  @Column({ type: 'timestamptz', nullable: true }) metAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) warnedAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) breachedAt: Date | null;
  /** active, met (answered or solved in time or late), cancelled. */
  @Column({ type: 'varchar', length: 16, default: 'active' }) status: string;
  /** Bumped on every recomputation: alarms of an older version are no-ops. */
  @Column({ type: 'int', default: 1 }) version: number;
  @Column({ type: 'int', default: 0 }) escalationStep: number;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
