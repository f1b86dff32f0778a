import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddEventTransactionIds1795390172694 implements MigrationInterface {
  name = 'AddEventTransactionIds1795390172694';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "relay_cursors" ("name" character varying(64) NOT NULL, "watermark" bigint NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_7e827b2c3cb14687f9d2dd93ae2" PRIMARY KEY ("name"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "ticket_events" ADD "tx_id" bigint NOT NULL DEFAULT (pg_current_xact_id())::text::bigint`,
    );
    // A trigger rather than a column default stamps new rows (TypeORM cannot read such a default back).
    await queryRunner.query(`ALTER TABLE "ticket_events" ALTER COLUMN "tx_id" DROP DEFAULT`);
    await queryRunner.query(`CREATE FUNCTION crewdesk_event_tx_id() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN NEW.tx_id := (pg_current_xact_id())::text::bigint; RETURN NEW; END $$`);
    await queryRunner.query(
      `CREATE TRIGGER "ticket_events_tx_id" BEFORE INSERT ON "ticket_events" FOR EACH ROW EXECUTE FUNCTION crewdesk_event_tx_id()`,
    );
    // Rows written before this migration (their tx_id is this migration's) count as published: the relay starts after it.
    await queryRunner.query(
      `INSERT INTO "relay_cursors" ("name", "watermark") VALUES ('ticket-events', (pg_current_xact_id())::text::bigint + 1) ON CONFLICT DO NOTHING`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_57035f1e6dbc998dc62b8d2744" ON "ticket_events" ("tx_id") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_57035f1e6dbc998dc62b8d2744"`);
    await queryRunner.query(`DROP TRIGGER IF EXISTS "ticket_events_tx_id" ON "ticket_events"`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS crewdesk_event_tx_id()`);
    await queryRunner.query(`ALTER TABLE "ticket_events" DROP COLUMN "tx_id"`);
    await queryRunner.query(`DROP TABLE "relay_cursors"`);
  }
}
