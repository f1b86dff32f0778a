import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

@Entity('roles')
@Index(['tenantId', 'name'], { unique: true })
export class Role {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) tenantId: string;
  @Column({ type: 'varchar', length: 64 }) name: string;
  @Column({ type: 'varchar', length: 500, default: '' }) description: string;
  @Column({ type: 'text', array: true, default: () => "'{}'" }) permissions: string[];
  @Column({ type: 'boolean', default: false }) builtin: boolean;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
