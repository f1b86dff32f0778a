import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddCannedReplies1795398394288 implements MigrationInterface {
  name = 'AddCannedReplies1795398394288';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "canned_replies" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "shortcut" character varying(64) NOT NULL, "title" character varying(200) NOT NULL, "body" text NOT NULL, "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_canned_replies" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_canned_replies_shortcut" ON "canned_replies" ("tenant_id", "shortcut")`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."UQ_canned_replies_shortcut"`);
    await queryRunner.query(`DROP TABLE "canned_replies"`);
  }
}
