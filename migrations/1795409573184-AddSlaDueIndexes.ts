import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The alarms look for timers still to warn or breach, earliest first. A breached timer stays active until it is
 * met, so the old index on every active timer's due time made each alarm walk past all breached ones (its cost
 * grew with the backlog), and warnings had no index at all. These two hold only what an alarm can still fire.
 */
export class AddSlaDueIndexes1795409573184 implements MigrationInterface {
  name = 'AddSlaDueIndexes1795409573184';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX "IDX_sla_timers_breach_due" ON "sla_timers" ("due_at") WHERE "status" = 'active' AND "breached_at" IS NULL`,
    );
    await q.query(
      `CREATE INDEX "IDX_sla_timers_warn_due" ON "sla_timers" ("warn_at") WHERE "status" = 'active' AND "warned_at" IS NULL AND "breached_at" IS NULL`,
    );
    await q.query(`DROP INDEX "IDX_sla_timers_due"`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "IDX_sla_timers_due" ON "sla_timers" ("due_at") WHERE "status" = 'active'`);
    await q.query(`DROP INDEX "IDX_sla_timers_warn_due"`);
    await q.query(`DROP INDEX "IDX_sla_timers_breach_due"`);
  }
}
