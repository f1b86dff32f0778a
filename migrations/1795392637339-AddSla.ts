import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddSla1795392637339 implements MigrationInterface {
  name = 'AddSla1795392637339';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "business_calendars" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "name" character varying(100) NOT NULL, "definition" jsonb NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_5824d9553787220e55e159fa16b" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_a35bad07d4ddc55c68da4f61f0" ON "business_calendars" ("tenant_id", "name") `,
    );
    await queryRunner.query(
      `CREATE TABLE "sla_policies" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "name" character varying(100) NOT NULL, "position" integer NOT NULL DEFAULT '0', "conditions" jsonb NOT NULL DEFAULT '{}', "targets" jsonb NOT NULL, "calendar_id" uuid, "escalation" jsonb NOT NULL DEFAULT '[]', "warn_at" real NOT NULL DEFAULT '0.75', "enabled" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_41b6803cef982534243a67b6302" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_e56a3e048564ff977439ca03a6" ON "sla_policies" ("tenant_id", "position") `,
    );
    await queryRunner.query(
      `CREATE TABLE "sla_timers" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "ticket_id" uuid NOT NULL, "policy_id" uuid, "metric" character varying(16) NOT NULL, "target_minutes" real NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "due_at" TIMESTAMP WITH TIME ZONE, "warn_at" TIMESTAMP WITH TIME ZONE, "paused_at" TIMESTAMP WITH TIME ZONE, "pauses" jsonb NOT NULL DEFAULT '[]', "met_at" TIMESTAMP WITH TIME ZONE, "warned_at" TIMESTAMP WITH TIME ZONE, "breached_at" TIMESTAMP WITH TIME ZONE, "status" character varying(16) NOT NULL DEFAULT 'active', "version" integer NOT NULL DEFAULT '1', "escalation_step" integer NOT NULL DEFAULT '0', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_680448db4d68654ca34f6b02a84" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_c0aefe3219909c3e49e14625ef" ON "sla_timers" ("tenant_id", "ticket_id") `,
    );
    // Active timers by due time (the reconciler's scan), and at most one active timer per ticket and metric.
    await queryRunner.query(`CREATE INDEX "IDX_sla_timers_due" ON "sla_timers" ("due_at") WHERE "status" = 'active'`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_sla_timers_active" ON "sla_timers" ("ticket_id", "metric") WHERE "status" = 'active'`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX IF EXISTS "UQ_sla_timers_active"`);
    await queryRunner.query(`DROP INDEX IF EXISTS "IDX_sla_timers_due"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_c0aefe3219909c3e49e14625ef"`);
    await queryRunner.query(`DROP TABLE "sla_timers"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_e56a3e048564ff977439ca03a6"`);
    await queryRunner.query(`DROP TABLE "sla_policies"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_a35bad07d4ddc55c68da4f61f0"`);
    await queryRunner.query(`DROP TABLE "business_calendars"`);
  }
}
