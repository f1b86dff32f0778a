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

@Entity('customers')
@Index('UQ_customers_email', { synchronize: false })
@Index(['tenantId', 'createdAt'])
export class Customer {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) tenantId: string;
  @Column({ type: 'varchar', length: 200, nullable: true }) name: string | null;
  /** Lower-cased; unique per tenant where present (partial index in the migration). */
  @Column({ type: 'varchar', length: 254, nullable: true }) email: string | null;
  @Column({ type: 'varchar', length: 32, nullable: true }) phone: string | null;
  @Column({ type: 'varchar', length: 32, nullable: true }) tier: string | null;
  @Column({ type: 'varchar', length: 200, nullable: true }) organisation: string | null;
  @Column({ type: 'varchar', length: 16, nullable: true }) locale: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}

export const IDENTITY_TYPES = ['email', 'phone', 'wechat', 'widget', 'external'] as const;
export type IdentityType = (typeof IDENTITY_TYPES)[number];

/** How a customer is known on each channel: an email address, a WeChat openid, a widget visitor, an external id. */
@Entity('customer_identities')
@Index(['tenantId', 'type', 'value'], { unique: true })
@Index(['tenantId', 'customerId'])
export class CustomerIdentity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) tenantId: string;
  @Column({ type: 'uuid' }) customerId: string;
  @ManyToOne(() => Customer, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'customer_id' }) customer?: Customer;
  @Column({ type: 'varchar', length: 16 }) type: IdentityType;
  @Column({ type: 'varchar', length: 320 }) value: string;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
