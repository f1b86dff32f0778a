import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Insights: surveys (one per ticket), the per-ticket facts projection of the event log (rebuildable at any
 * time from ticket_events), hourly touchpoint counts (widget opens), and an index for SLA compliance by period.
 */
export class AddInsights1795398519594 implements MigrationInterface {
  name = 'AddInsights1795398519594';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "surveys" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "ticket_id" uuid NOT NULL, "channel" character varying(16) NOT NULL, "requester_id" uuid NOT NULL, "assignee_id" uuid, "team_id" uuid, "status" character varying(16) NOT NULL DEFAULT 'pending', "sent_at" TIMESTAMP WITH TIME ZONE, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "csat" smallint, "nps" smallint, "ces" smallint, "comment" text, "answered_at" TIMESTAMP WITH TIME ZONE, "answer_count" integer NOT NULL DEFAULT '0', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_surveys" PRIMARY KEY ("id"), CONSTRAINT "FK_surveys_ticket" FOREIGN KEY ("ticket_id") REFERENCES "tickets"("id") ON DELETE CASCADE, CONSTRAINT "CHK_surveys_csat" CHECK ("csat" BETWEEN 1 AND 5), CONSTRAINT "CHK_surveys_nps" CHECK ("nps" BETWEEN 0 AND 10), CONSTRAINT "CHK_surveys_ces" CHECK ("ces" BETWEEN 1 AND 7))`,
    );
    // One survey per ticket, ever: at-least-once delivery and re-solves cannot make a second one.
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_surveys_ticket" ON "surveys" ("tenant_id", "ticket_id")`);
    await queryRunner.query(`CREATE INDEX "IDX_surveys_created" ON "surveys" ("tenant_id", "created_at")`);
    await queryRunner.query(
      `CREATE INDEX "IDX_surveys_requester" ON "surveys" ("tenant_id", "requester_id", "created_at")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_surveys_pending" ON "surveys" ("created_at") WHERE "status" = 'pending'`,
    );

    await queryRunner.query(
      `CREATE TABLE "ticket_facts" ("tenant_id" uuid NOT NULL, "ticket_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "channel" character varying(16) NOT NULL, "priority" character varying(16) NOT NULL, "status" character varying(16) NOT NULL, "team_id" uuid, "assignee_id" uuid, "tags" text array NOT NULL DEFAULT '{}', "first_response_at" TIMESTAMP WITH TIME ZONE, "first_response_s" integer, "first_responder_id" uuid, "next_response_n" integer NOT NULL DEFAULT '0', "next_response_sum_s" bigint NOT NULL DEFAULT '0', "resolved_at" TIMESTAMP WITH TIME ZONE, "resolution_s" integer, "solves" integer NOT NULL DEFAULT '0', "reopens" integer NOT NULL DEFAULT '0', "staff_replies" integer NOT NULL DEFAULT '0', "customer_messages" integer NOT NULL DEFAULT '0', "replies" jsonb NOT NULL DEFAULT '{}', "last_event_id" bigint NOT NULL DEFAULT '0', "refreshed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ticket_facts" PRIMARY KEY ("tenant_id", "ticket_id"), CONSTRAINT "FK_ticket_facts_ticket" FOREIGN KEY ("ticket_id") REFERENCES "tickets"("id") ON DELETE CASCADE)`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_ticket_facts_created" ON "ticket_facts" ("tenant_id", "created_at")`);
    await queryRunner.query(
      `CREATE INDEX "IDX_ticket_facts_team" ON "ticket_facts" ("tenant_id", "team_id", "created_at")`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_ticket_facts_ticket" ON "ticket_facts" ("ticket_id")`);

    await queryRunner.query(
      `CREATE TABLE "touchpoint_counts" ("tenant_id" uuid NOT NULL, "hour" TIMESTAMP WITH TIME ZONE NOT NULL, "metric" character varying(32) NOT NULL, "count" bigint NOT NULL DEFAULT '0', CONSTRAINT "PK_touchpoint_counts" PRIMARY KEY ("tenant_id", "metric", "hour"))`,
    );
    // SLA compliance of a period counts the timers started in it.
    await queryRunner.query(`CREATE INDEX "IDX_sla_timers_started" ON "sla_timers" ("tenant_id", "started_at")`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX IF EXISTS "IDX_sla_timers_started"`);
    await queryRunner.query(`DROP TABLE "touchpoint_counts"`);
    await queryRunner.query(`DROP TABLE "ticket_facts"`);
    await queryRunner.query(`DROP TABLE "surveys"`);
  }
}
