import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  JoinColumn,
  ManyToOne,
} from 'typeorm';
import { User } from './user.entity';

export const ASSIGNMENT_STRATEGIES = ['manual', 'round_robin', 'least_loaded', 'skill_match'] as const;
export type AssignmentStrategy = (typeof ASSIGNMENT_STRATEGIES)[number];

@Entity('teams')
@Index(['tenantId', 'name'], { unique: true })
export class Team {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) tenantId: string;
  @Column({ type: 'varchar', length: 100 }) name: string;
  @Column({ type: 'varchar', length: 500, default: '' }) description: string;
  @Column({ type: 'varchar', length: 32, default: 'manual' }) assignment: AssignmentStrategy;
  /** Round robin's place: the last person given a ticket. */
  @Column({ type: 'uuid', nullable: true }) lastAssignedUserId: string | null;
  /** Take tickets back from an assignee offline this long (off when null). */
  @Column({ type: 'real', nullable: true }) offlineReassignMinutes: number | null;
  /** Alert the team's leads when a ticket waits unassigned this long (off when null). */
  @Column({ type: 'real', nullable: true }) backlogAlertMinutes: number | null;
  /** Hand-off targets when a ticket is escalated to this team. */
  @Column({ type: 'real', nullable: true }) handoffAckMinutes: number | null;
  @Column({ type: 'real', nullable: true }) handoffAnswerMinutes: number | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}

@Entity('team_members')
@Index(['tenantId', 'userId'])
export class TeamMember {
  @PrimaryColumn({ type: 'uuid' }) teamId: string;
  @PrimaryColumn({ type: 'uuid' }) userId: string;
  @ManyToOne(() => Team, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'team_id' }) team?: Team;
  @ManyToOne(() => User, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'user_id' }) user?: User;
  @Column({ type: 'uuid' }) tenantId: string;
  @Column({ type: 'boolean', default: false }) isLead: boolean;
}
