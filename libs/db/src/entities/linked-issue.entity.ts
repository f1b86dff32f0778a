import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

export const ISSUE_STATUSES = ['open', 'in_progress', 'shipped', 'closed'] as const;
export type IssueStatus = (typeof ISSUE_STATUSES)[number];
/** What shipping does to each linked ticket after its reply: solve it, wait for the customer (pending), or nothing. */
export const ISSUE_ON_SHIP = ['solve', 'reopen', 'none'] as const;
export type IssueOnShip = (typeof ISSUE_ON_SHIP)[number];

/** An engineering issue (key, URL, status) that many tickets point at; when it ships their customers are told. */
@Entity('linked_issues')
@Index('UQ_linked_issues_key', { synchronize: false })
@Index('IDX_linked_issues_list', { synchronize: false })
export class LinkedIssue {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) tenantId: string;
  /** The tracker's key (ENG-142); unique per tenant, case-insensitively. */
  @Column({ type: 'varchar', length: 64 }) key: string;
  @Column({ type: 'varchar', length: 500 }) title: string;
  @Column({ type: 'varchar', length: 2048, nullable: true }) url: string | null;
  @Column({ type: 'varchar', length: 16, default: 'open' }) status: IssueStatus;
  /** The reply template; null uses the built-in default (English or Simplified Chinese per ticket). */
  @Column({ type: 'text', nullable: true }) shipMessage: string | null;
  @Column({ type: 'varchar', length: 8, default: 'solve' }) onShip: IssueOnShip;
  /** Set when it ships (cleared if it goes back to open or in progress): linked tickets are told while set. */
  @Column({ type: 'timestamptz', nullable: true }) shippedAt: Date | null;
  /** Who marked it shipped (`user` or `api_key`): the author of the replies. */
  @Column({ type: 'varchar', length: 16, nullable: true }) shippedByType: string | null;
  @Column({ type: 'uuid', nullable: true }) shippedBy: string | null;
  @Column({ type: 'uuid', nullable: true }) createdBy: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}

/** A ticket linked to an issue; `notifiedAt` records that its customer was told of the ship (once). */
@Entity('ticket_issue_links')
@Index('IDX_ticket_issue_links_ticket', { synchronize: false })
@Index('IDX_ticket_issue_links_pending', { synchronize: false })
export class TicketIssueLink {
  @PrimaryColumn({ type: 'uuid' }) issueId: string;
  @PrimaryColumn({ type: 'uuid' }) ticketId: string;
  @Column({ type: 'uuid' }) tenantId: string;
  @Column({ type: 'uuid', nullable: true }) linkedBy: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) notifiedAt: Date | null;
  @Column({ type: 'uuid', nullable: true }) notifyMessageId: string | null;
}
