import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  JoinColumn,
  ManyToOne,
} from 'typeorm';
import { Role } from './role.entity';

@Entity('users')
@Index(['tenantId', 'email'], { unique: true })
export class User {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) tenantId: string;
  /** Always stored lower-cased. */
  @Column({ type: 'varchar', length: 254 }) email: string;
  @Column({ type: 'varchar', length: 200 }) name: string;
  @Column({ type: 'text', select: false }) passwordHash: string;
  @Column({ type: 'varchar', length: 16, default: 'active' }) status: 'active' | 'disabled';
  @Column({ type: 'text', array: true, default: () => "'{}'" }) skills: string[];
  @Column({ type: 'int', default: 20 }) capacity: number;
  @Column({ type: 'varchar', length: 64, default: 'UTC' }) timezone: string;
  @Column({ type: 'varchar', length: 16, default: 'en' }) locale: string;
  @Column({ type: 'timestamptz', nullable: true }) lastLoginAt: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}

@Entity('user_roles')
@Index(['tenantId', 'roleId'])
export class UserRole {
  @PrimaryColumn({ type: 'uuid' }) userId: string;
  @PrimaryColumn({ type: 'uuid' }) roleId: string;
  @ManyToOne(() => User, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'user_id' }) user?: User;
  @ManyToOne(() => Role, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'role_id' }) role?: Role;
  @Column({ type: 'uuid' }) tenantId: string;
}
