import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Linked issues: an engineering issue many tickets point at. When it ships, each linked ticket's customer is
 * told once; `ticket_issue_links.notified_at` is the durable record of who was told.
 */
export class AddLinkedIssues1795398520190 implements MigrationInterface {
  name = 'AddLinkedIssues1795398520190';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "linked_issues" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "key" character varying(64) NOT NULL, "title" character varying(500) NOT NULL, "url" character varying(2048), "status" character varying(16) NOT NULL DEFAULT 'open', "ship_message" text, "on_ship" character varying(8) NOT NULL DEFAULT 'solve', "shipped_at" TIMESTAMP WITH TIME ZONE, "shipped_by_type" character varying(16), "shipped_by" uuid, "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_linked_issues" PRIMARY KEY ("id"), CONSTRAINT "CHK_linked_issues_status" CHECK ("status" IN ('open', 'in_progress', 'shipped', 'closed')), CONSTRAINT "CHK_linked_issues_on_ship" CHECK ("on_ship" IN ('solve', 'reopen', 'none')))`,
    );
    // Keys are unique per workspace regardless of case ("eng-142" is "ENG-142").
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_linked_issues_key" ON "linked_issues" ("tenant_id", lower("key"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_linked_issues_list" ON "linked_issues" ("tenant_id", "created_at", "id")`,
    );
    await queryRunner.query(
      `CREATE TABLE "ticket_issue_links" ("tenant_id" uuid NOT NULL, "issue_id" uuid NOT NULL, "ticket_id" uuid NOT NULL, "linked_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "notified_at" TIMESTAMP WITH TIME ZONE, "notify_message_id" uuid, CONSTRAINT "PK_ticket_issue_links" PRIMARY KEY ("issue_id", "ticket_id"), CONSTRAINT "FK_ticket_issue_links_issue" FOREIGN KEY ("issue_id") REFERENCES "linked_issues"("id") ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT "FK_ticket_issue_links_ticket" FOREIGN KEY ("ticket_id") REFERENCES "tickets"("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_ticket_issue_links_ticket" ON "ticket_issue_links" ("tenant_id", "ticket_id")`,
    );
    // The reconciler's scan: links whose customer has not been told yet.
    await queryRunner.query(
      `CREATE INDEX "IDX_ticket_issue_links_pending" ON "ticket_issue_links" ("created_at") WHERE "notified_at" IS NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_ticket_issue_links_pending"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_ticket_issue_links_ticket"`);
    await queryRunner.query(`DROP TABLE "ticket_issue_links"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_linked_issues_list"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_linked_issues_key"`);
    await queryRunner.query(`DROP TABLE "linked_issues"`);
  }
}
