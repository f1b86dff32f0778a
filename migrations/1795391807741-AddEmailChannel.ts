import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddEmailChannel1795391807741 implements MigrationInterface {
  name = 'AddEmailChannel1795391807741';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "channels" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "type" character varying(16) NOT NULL, "name" character varying(200) NOT NULL DEFAULT '', "address" character varying(254), "config" jsonb NOT NULL DEFAULT '{}', "secrets" text, "inbound_token_hash" character varying(64), "state" jsonb NOT NULL DEFAULT '{}', "enabled" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_bc603823f3f741359c2339389f9" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_0dcd3e234ae79211dfac6cd998" ON "channels" ("tenant_id", "type") `);
    await queryRunner.query(
      `CREATE TABLE "inbound_emails" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "channel_id" uuid, "source" character varying(16) NOT NULL, "envelope_from" character varying(320), "envelope_to" text array NOT NULL DEFAULT '{}', "raw" bytea NOT NULL, "size" integer NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'received', "outcome" text, "attempts" integer NOT NULL DEFAULT '0', "ticket_id" uuid, "message_row_id" uuid, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "processed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_4681d4ed00f370f44de2a1d094c" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_404031fdee49b9292ffec57760" ON "inbound_emails" ("tenant_id", "received_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_0c78dac3f9712261024cd8eb49" ON "inbound_emails" ("status", "received_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "email_message_ids" ("tenant_id" uuid NOT NULL, "message_id" character varying(998) NOT NULL, "ticket_id" uuid NOT NULL, "message_row_id" uuid, "direction" character varying(3) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_5e64dbdebe99130aa3f6fc2f5ad" PRIMARY KEY ("tenant_id", "message_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_075d9b5ddd1bef09b1613855c5" ON "email_message_ids" ("tenant_id", "ticket_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_channels_address" ON "channels" ("address") WHERE "address" IS NOT NULL`,
    );
    // Staff replies waiting for delivery, for the outbound reconciler.
    await queryRunner.query(
      `CREATE INDEX "IDX_messages_queued" ON "messages" ("created_at") WHERE "delivery_state" = 'queued'`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX IF EXISTS "IDX_messages_queued"`);
    await queryRunner.query(`DROP INDEX IF EXISTS "UQ_channels_address"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_075d9b5ddd1bef09b1613855c5"`);
    await queryRunner.query(`DROP TABLE "email_message_ids"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_0c78dac3f9712261024cd8eb49"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_404031fdee49b9292ffec57760"`);
    await queryRunner.query(`DROP TABLE "inbound_emails"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_0dcd3e234ae79211dfac6cd998"`);
    await queryRunner.query(`DROP TABLE "channels"`);
  }
}
