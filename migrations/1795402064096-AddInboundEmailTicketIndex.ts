import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The first inbound mail of a ticket (its mailbox, for every acknowledgement and reply) by ticket: without this
 * index `OutboundMailService.ticket()` scanned the tenant's inbound mail for each one.
 */
export class AddInboundEmailTicketIndex1795402064096 implements MigrationInterface {
  name = 'AddInboundEmailTicketIndex1795402064096';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX "IDX_inbound_emails_ticket" ON "inbound_emails" ("tenant_id", "ticket_id", "received_at")`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "IDX_inbound_emails_ticket"`);
  }
}
