import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Routing and "everyone is support": ordered routing rules, per-ticket access grants (mentions, escalations),
 * escalations with their hand-off clock, followers, tag subscriptions, in-app notifications, team settings.
 */
export class AddRouting1795399000000 implements MigrationInterface {
  name = 'AddRouting1795399000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "routing_rules" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "name" character varying(100) NOT NULL, "position" integer NOT NULL DEFAULT 0, "enabled" boolean NOT NULL DEFAULT true, "conditions" jsonb NOT NULL DEFAULT '{}', "actions" jsonb NOT NULL DEFAULT '{}', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_routing_rules" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "IDX_routing_rules_position" ON "routing_rules" ("tenant_id", "position")`);

    await q.query(
      `CREATE TABLE "ticket_grants" ("ticket_id" uuid NOT NULL, "user_id" uuid NOT NULL, "tenant_id" uuid NOT NULL, "reason" character varying(16) NOT NULL, "granted_by" uuid, "expires_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ticket_grants" PRIMARY KEY ("ticket_id", "user_id"))`,
    );
    await q.query(`CREATE INDEX "IDX_ticket_grants_user" ON "ticket_grants" ("tenant_id", "user_id")`);
    await q.query(
      `CREATE INDEX "IDX_ticket_grants_expiry" ON "ticket_grants" ("expires_at") WHERE "expires_at" IS NOT NULL`,
    );
    await q.query(
      `ALTER TABLE "ticket_grants" ADD CONSTRAINT "FK_ticket_grants_ticket" FOREIGN KEY ("ticket_id") REFERENCES "tickets"("id") ON DELETE CASCADE`,
    );
    await q.query(
      `ALTER TABLE "ticket_grants" ADD CONSTRAINT "FK_ticket_grants_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE`,
    );

    await q.query(
      `CREATE TABLE "ticket_escalations" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "ticket_id" uuid NOT NULL, "mode" character varying(16) NOT NULL, "target_type" character varying(16) NOT NULL, "team_id" uuid, "role" character varying(64), "user_ids" uuid array NOT NULL DEFAULT '{}', "reason" text NOT NULL, "requested_by" uuid, "status" character varying(16) NOT NULL DEFAULT 'open', "ack_minutes" real, "answer_minutes" real, "acknowledged_at" TIMESTAMP WITH TIME ZONE, "acknowledged_by" uuid, "answered_at" TIMESTAMP WITH TIME ZONE, "answered_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ticket_escalations" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "IDX_ticket_escalations_ticket" ON "ticket_escalations" ("tenant_id", "ticket_id")`);
    await q.query(
      `CREATE INDEX "IDX_ticket_escalations_open" ON "ticket_escalations" USING GIN ("user_ids") WHERE "status" IN ('open', 'acknowledged')`,
    );
    await q.query(
      `ALTER TABLE "ticket_escalations" ADD CONSTRAINT "FK_ticket_escalations_ticket" FOREIGN KEY ("ticket_id") REFERENCES "tickets"("id") ON DELETE CASCADE`,
    );

    await q.query(
      `CREATE TABLE "ticket_followers" ("ticket_id" uuid NOT NULL, "user_id" uuid NOT NULL, "tenant_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ticket_followers" PRIMARY KEY ("ticket_id", "user_id"))`,
    );
    await q.query(`CREATE INDEX "IDX_ticket_followers_user" ON "ticket_followers" ("tenant_id", "user_id")`);
    await q.query(
      `ALTER TABLE "ticket_followers" ADD CONSTRAINT "FK_ticket_followers_ticket" FOREIGN KEY ("ticket_id") REFERENCES "tickets"("id") ON DELETE CASCADE`,
    );
    await q.query(
      `ALTER TABLE "ticket_followers" ADD CONSTRAINT "FK_ticket_followers_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE`,
    );

    await q.query(
      `CREATE TABLE "tag_subscriptions" ("tenant_id" uuid NOT NULL, "user_id" uuid NOT NULL, "tag" character varying(64) NOT NULL, "digest" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_tag_subscriptions" PRIMARY KEY ("tenant_id", "user_id", "tag"))`,
    );
    await q.query(`CREATE INDEX "IDX_tag_subscriptions_tag" ON "tag_subscriptions" ("tenant_id", "tag")`);
    await q.query(
      `ALTER TABLE "tag_subscriptions" ADD CONSTRAINT "FK_tag_subscriptions_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE`,
    );

    await q.query(
      `CREATE TABLE "notifications" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "user_id" uuid NOT NULL, "type" character varying(32) NOT NULL, "ticket_id" uuid, "dedupe_key" character varying(200) NOT NULL, "data" jsonb NOT NULL DEFAULT '{}', "read_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_notifications" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "UQ_notifications_dedupe" ON "notifications" ("tenant_id", "user_id", "dedupe_key")`,
    );
    await q.query(
      `CREATE INDEX "IDX_notifications_inbox" ON "notifications" ("tenant_id", "user_id", "created_at" DESC, "id" DESC)`,
    );
    await q.query(
      `ALTER TABLE "notifications" ADD CONSTRAINT "FK_notifications_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE`,
    );

    await q.query(`ALTER TABLE "tickets" ADD "shared_with" uuid array NOT NULL DEFAULT '{}'`);
    await q.query(`ALTER TABLE "tickets" ADD "routed_at" TIMESTAMP WITH TIME ZONE`);
    // Tickets created before routing existed count as routed.
    await q.query(`UPDATE "tickets" SET "routed_at" = "created_at"`);
    await q.query(`CREATE INDEX "IDX_tickets_unrouted" ON "tickets" ("created_at") WHERE "routed_at" IS NULL`);
    await q.query(
      `CREATE INDEX "IDX_tickets_unassigned" ON "tickets" ("tenant_id", "team_id", "created_at") WHERE "assignee_id" IS NULL AND "status" IN ('new', 'open')`,
    );
    await q.query(
      `CREATE INDEX "IDX_tickets_assignee_open" ON "tickets" ("tenant_id", "assignee_id") WHERE "status" IN ('new', 'open', 'pending', 'on_hold')`,
    );

    await q.query(`ALTER TABLE "teams" ADD "last_assigned_user_id" uuid`);
    await q.query(`ALTER TABLE "teams" ADD "offline_reassign_minutes" real`);
    await q.query(`ALTER TABLE "teams" ADD "backlog_alert_minutes" real`);
    await q.query(`ALTER TABLE "teams" ADD "handoff_ack_minutes" real`);
    await q.query(`ALTER TABLE "teams" ADD "handoff_answer_minutes" real`);

    await q.query(`ALTER TABLE "messages" ADD "review_state" character varying(16)`);

    // Hand-off clocks are SLA timers of an escalation: one active timer per ticket, metric and escalation.
    await q.query(`ALTER TABLE "sla_timers" ADD "escalation_id" uuid`);
    await q.query(`DROP INDEX "UQ_sla_timers_active"`);
    await q.query(
      `CREATE UNIQUE INDEX "UQ_sla_timers_active" ON "sla_timers" ("ticket_id", "metric", (coalesce("escalation_id", '00000000-0000-0000-0000-000000000000'))) WHERE "status" = 'active'`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "UQ_sla_timers_active"`);
    await q.query(`DELETE FROM "sla_timers" WHERE "escalation_id" IS NOT NULL`);
    await q.query(`ALTER TABLE "sla_timers" DROP COLUMN "escalation_id"`);
    await q.query(
      `CREATE UNIQUE INDEX "UQ_sla_timers_active" ON "sla_timers" ("ticket_id", "metric") WHERE "status" = 'active'`,
    );
    await q.query(`ALTER TABLE "messages" DROP COLUMN "review_state"`);
    for (const c of [
      'handoff_answer_minutes',
      'handoff_ack_minutes',
      'backlog_alert_minutes',
      'offline_reassign_minutes',
      'last_assigned_user_id',
    ])
      await q.query(`ALTER TABLE "teams" DROP COLUMN "${c}"`);
    await q.query(`DROP INDEX "IDX_tickets_assignee_open"`);
    await q.query(`DROP INDEX "IDX_tickets_unassigned"`);
    await q.query(`DROP INDEX "IDX_tickets_unrouted"`);
    await q.query(`ALTER TABLE "tickets" DROP COLUMN "routed_at"`);
    await q.query(`ALTER TABLE "tickets" DROP COLUMN "shared_with"`);
    for (const t of [
      'notifications',
      'tag_subscriptions',
      'ticket_followers',
      'ticket_escalations',
      'ticket_grants',
      'routing_rules',
    ])
      await q.query(`DROP TABLE "${t}"`);
  }
}
