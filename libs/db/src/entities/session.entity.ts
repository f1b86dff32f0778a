import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, JoinColumn, ManyToOne } from 'typeorm';
import { User } from './user.entity';

/** A staff login. The refresh token rotates on every use; presenting a rotated-out token revokes the session. */
@Entity('sessions')
@Index(['tenantId', 'userId'])
export class Session {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) tenantId: string;
  @Column({ type: 'uuid' }) userId: string;
  @ManyToOne(() => User, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'user_id' }) user?: User;
  @Column({ type: 'varchar', length: 64, unique: true }) refreshHash: string;
  @Column({ type: 'varchar', length: 64, nullable: true }) previousHash: string | null;
  @Column({ type: 'timestamptz' }) expiresAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) revokedAt: Date | null;
  @Column({ type: 'varchar', length: 300, nullable: true }) userAgent: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}

/** A per-tenant key for integrations: `cdk_<prefix>_<secret>`; only its SHA-256 is stored. */
@Entity('api_keys')
@Index(['tenantId', 'createdAt'])
export class ApiKey {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) tenantId: string;
  @Column({ type: 'varchar', length: 100 }) name: string;
  @Column({ type: 'varchar', length: 16 }) prefix: string;
  @Column({ type: 'varchar', length: 64, unique: true }) keyHash: string;
  @Column({ type: 'text', array: true, default: () => "'{}'" }) permissions: string[];
  @Column({ type: 'uuid', nullable: true }) createdBy: string | null;
  @Column({ type: 'timestamptz', nullable: true }) lastUsedAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) revokedAt: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
