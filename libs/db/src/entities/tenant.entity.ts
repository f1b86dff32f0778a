import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity('tenants')
export class Tenant {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'varchar', length: 200 }) name: string;
  @Column({ type: 'varchar', length: 64, unique: true }) slug: string;
  /** Name of this workspace's ticket-number sequence (numbers are per tenant, gaps allowed). */
  @Column({ type: 'varchar', length: 63 }) ticketSequence: string;
  @Column({ type: 'jsonb', default: () => "'{}'" }) settings: Record<string, unknown>;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
