import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The reconciler and the worker's start-up look for mail still waiting (`status = 'received'`), oldest first. The
 * index on every mail's (status, received_at) grew with all mail ever received and took a new entry each time a
 * mail was processed; one on waiting mail only stays as small as the backlog, and a processed mail leaves it.
 */
export class IndexWaitingMailOnly1795440000000 implements MigrationInterface {
  name = 'IndexWaitingMailOnly1795440000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX "IDX_inbound_emails_waiting" ON "inbound_emails" ("received_at") WHERE "status" = 'received'`,
    );
    await q.query(`DROP INDEX "IDX_0c78dac3f9712261024cd8eb49"`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "IDX_0c78dac3f9712261024cd8eb49" ON "inbound_emails" ("status", "received_at")`);
    await q.query(`DROP INDEX "IDX_inbound_emails_waiting"`);
  }
}
