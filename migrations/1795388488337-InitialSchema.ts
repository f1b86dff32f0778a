import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1795388488337 implements MigrationInterface {
  name = 'InitialSchema1795388488337';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "tenants" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(200) NOT NULL, "slug" character varying(64) NOT NULL, "ticket_sequence" character varying(63) NOT NULL, "settings" jsonb NOT NULL DEFAULT '{}', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_2310ecc5cb8be427097154b18fc" UNIQUE ("slug"), CONSTRAINT "PK_53be67a04681c66b87ee27c9321" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "roles" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "name" character varying(64) NOT NULL, "description" character varying(500) NOT NULL DEFAULT '', "permissions" text array NOT NULL DEFAULT '{}', "builtin" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_c1433d71a4838793a49dcad46ab" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_c555146b304b5f51a7de6e18de" ON "roles" ("tenant_id", "name") `);
    await queryRunner.query(
      `CREATE TABLE "users" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "email" character varying(254) NOT NULL, "name" character varying(200) NOT NULL, "password_hash" text NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'active', "skills" text array NOT NULL DEFAULT '{}', "capacity" integer NOT NULL DEFAULT '20', "timezone" character varying(64) NOT NULL DEFAULT 'UTC', "locale" character varying(16) NOT NULL DEFAULT 'en', "last_login_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_e9f4c2efab52114c4e99e28efb" ON "users" ("tenant_id", "email") `);
    await queryRunner.query(
      `CREATE TABLE "user_roles" ("user_id" uuid NOT NULL, "role_id" uuid NOT NULL, "tenant_id" uuid NOT NULL, CONSTRAINT "PK_23ed6f04fe43066df08379fd034" PRIMARY KEY ("user_id", "role_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_10f6c613b076a97c1e5b9c0b4b" ON "user_roles" ("tenant_id", "role_id") `);
    await queryRunner.query(
      `CREATE TABLE "teams" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "name" character varying(100) NOT NULL, "description" character varying(500) NOT NULL DEFAULT '', "assignment" character varying(32) NOT NULL DEFAULT 'manual', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_7e5523774a38b08a6236d322403" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_f743964fa589adb2f537040a46" ON "teams" ("tenant_id", "name") `);
    await queryRunner.query(
      `CREATE TABLE "team_members" ("team_id" uuid NOT NULL, "user_id" uuid NOT NULL, "tenant_id" uuid NOT NULL, "is_lead" boolean NOT NULL DEFAULT false, CONSTRAINT "PK_1d3c06a8217a8785e2af0ec4ab8" PRIMARY KEY ("team_id", "user_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_648949d734b2a754a61bf79c67" ON "team_members" ("tenant_id", "user_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "customers" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "name" character varying(200), "email" character varying(254), "phone" character varying(32), "tier" character varying(32), "organisation" character varying(200), "locale" character varying(16), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_133ec679a801fab5e070f73d3ea" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_4031c3f375037cc2ee086f54fa" ON "customers" ("tenant_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "customer_identities" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "customer_id" uuid NOT NULL, "type" character varying(16) NOT NULL, "value" character varying(320) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_22a6dcd2cf7f2587b5a27cfa9c8" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_1a0f0a082d4fbbdd87bc70e8b0" ON "customer_identities" ("tenant_id", "customer_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_d4745efd7a9e929283cc2736a3" ON "customer_identities" ("tenant_id", "type", "value") `,
    );
    await queryRunner.query(
      `CREATE TABLE "sessions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "user_id" uuid NOT NULL, "refresh_hash" character varying(64) NOT NULL, "previous_hash" character varying(64), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "revoked_at" TIMESTAMP WITH TIME ZONE, "user_agent" character varying(300), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_0be384894b8949610f7915d19b7" UNIQUE ("refresh_hash"), CONSTRAINT "PK_3238ef96f18b355b671619111bc" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_32a6ac85a3a94e9d0ff397ab91" ON "sessions" ("tenant_id", "user_id") `);
    await queryRunner.query(
      `CREATE TABLE "api_keys" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "name" character varying(100) NOT NULL, "prefix" character varying(16) NOT NULL, "key_hash" character varying(64) NOT NULL, "permissions" text array NOT NULL DEFAULT '{}', "created_by" uuid, "last_used_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_57384430aa1959f4578046c9b81" UNIQUE ("key_hash"), CONSTRAINT "PK_5c8a79801b44bd27b79228e1dad" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_ad466567933bb883b4c3aec6a2" ON "api_keys" ("tenant_id", "created_at") `);
    await queryRunner.query(
      `CREATE TABLE "tickets" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "number" bigint NOT NULL, "subject" character varying(500) NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'new', "priority" character varying(16) NOT NULL DEFAULT 'normal', "channel" character varying(16) NOT NULL, "requester_id" uuid NOT NULL, "assignee_id" uuid, "team_id" uuid, "tags" text array NOT NULL DEFAULT '{}', "custom_fields" jsonb NOT NULL DEFAULT '{}', "version" integer NOT NULL DEFAULT '1', "first_response_at" TIMESTAMP WITH TIME ZONE, "solved_at" TIMESTAMP WITH TIME ZONE, "closed_at" TIMESTAMP WITH TIME ZONE, "last_message_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_343bc942ae261cf7a1377f48fd0" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_833d7d08dd57eadd6bfbaa77f8" ON "tickets" ("tenant_id", "requester_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_d8edf036f7265d702ac99a3f2e" ON "tickets" ("tenant_id", "team_id", "status") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_523e92e77abc9d6106b2698cfe" ON "tickets" ("tenant_id", "assignee_id", "status") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_5554ac32a16d142393bc57eb20" ON "tickets" ("tenant_id", "status", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_3493647a1779f0b2ba680aaff2" ON "tickets" ("tenant_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_41b643807538816a058ad0ed37" ON "tickets" ("tenant_id", "number") `,
    );
    await queryRunner.query(
      `CREATE TABLE "messages" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "ticket_id" uuid NOT NULL, "kind" character varying(16) NOT NULL, "author_type" character varying(16) NOT NULL, "author_id" uuid, "body_text" text NOT NULL, "body_html" text NOT NULL, "channel" character varying(16) NOT NULL, "external_id" character varying(255), "delivery_state" character varying(16), "mentions" uuid array NOT NULL DEFAULT '{}', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_18325f38ae6de43878487eff986" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_3bcae0828b7afc2eaf782319bf" ON "messages" ("tenant_id", "ticket_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "attachments" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "ticket_id" uuid, "message_id" uuid, "filename" character varying(255) NOT NULL, "content_type" character varying(127) NOT NULL, "size" integer NOT NULL, "sha256" character(64) NOT NULL, "storage_key" character varying(255) NOT NULL, "uploader_type" character varying(16) NOT NULL, "uploader_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_5e1f050bcff31e3084a1d662412" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_64e66dfaaf1682223708f44850" ON "attachments" ("tenant_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_55eef3a8bf6ee087491f5382ca" ON "attachments" ("tenant_id", "message_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "ticket_events" ("id" BIGSERIAL NOT NULL, "tenant_id" uuid NOT NULL, "ticket_id" uuid NOT NULL, "type" character varying(64) NOT NULL, "actor_type" character varying(16) NOT NULL, "actor_id" uuid, "visibility" character varying(16) NOT NULL DEFAULT 'public', "data" jsonb NOT NULL DEFAULT '{}', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_d61d07653b492eca67f9bad8ec2" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_96ad1a374d7cdec5abc4e52f82" ON "ticket_events" ("tenant_id", "id") `);
    await queryRunner.query(
      `CREATE INDEX "IDX_0b05faafeacf3e85d8e2249ca4" ON "ticket_events" ("tenant_id", "ticket_id", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "audit_log" ("id" BIGSERIAL NOT NULL, "tenant_id" uuid NOT NULL, "actor_type" character varying(16) NOT NULL, "actor_id" uuid, "action" character varying(64) NOT NULL, "entity_type" character varying(32) NOT NULL, "entity_id" uuid, "data" jsonb NOT NULL DEFAULT '{}', "request_id" character varying(64), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_07fefa57f7f5ab8fc3f52b3ed0b" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_298316f9af44f2dd7eadcb3248" ON "audit_log" ("tenant_id", "entity_type", "entity_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_ad217a94f778851d62c38b82d4" ON "audit_log" ("tenant_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "idempotency_keys" ("tenant_id" uuid NOT NULL, "scope" character varying(32) NOT NULL, "key" character varying(255) NOT NULL, "request_hash" character(64) NOT NULL, "resource_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_382a96b8082e488fe033c1c8cc1" PRIMARY KEY ("tenant_id", "scope", "key"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_5e72f040fdc5efc8eef52a388c" ON "idempotency_keys" ("created_at") `);
    await queryRunner.query(
      `ALTER TABLE "user_roles" ADD CONSTRAINT "FK_87b8888186ca9769c960e926870" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "user_roles" ADD CONSTRAINT "FK_b23c65e50a758245a33ee35fda1" FOREIGN KEY ("role_id") REFERENCES "roles"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "team_members" ADD CONSTRAINT "FK_fdad7d5768277e60c40e01cdcea" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "team_members" ADD CONSTRAINT "FK_c2bf4967c8c2a6b845dadfbf3d4" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "customer_identities" ADD CONSTRAINT "FK_f029c64f58346eb3bb3d760a97e" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "sessions" ADD CONSTRAINT "FK_085d540d9f418cfbdc7bd55bb19" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "tickets" ADD CONSTRAINT "FK_2a06f5cdaf003ceaa9fcf08be77" FOREIGN KEY ("requester_id") REFERENCES "customers"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "tickets" ADD CONSTRAINT "FK_dff6e2b44c9b5e177114588772f" FOREIGN KEY ("assignee_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "tickets" ADD CONSTRAINT "FK_ec5071f9de4677c9e8da947e144" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "messages" ADD CONSTRAINT "FK_aa8e62e23565f59d22160b35f18" FOREIGN KEY ("ticket_id") REFERENCES "tickets"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "ticket_events" ADD CONSTRAINT "FK_9cf43c4478294faa98129c47c21" FOREIGN KEY ("ticket_id") REFERENCES "tickets"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );

    // Not expressible in entities: trigram search (works for Chinese on C.UTF-8 databases), partial unique
    // keys, and append-only guards on the event log and the audit log.
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await queryRunner.query(`CREATE INDEX "IDX_tickets_updated" ON "tickets" ("tenant_id", "updated_at", "id")`);
    await queryRunner.query(`CREATE INDEX "IDX_tickets_subject_trgm" ON "tickets" USING gin ("subject" gin_trgm_ops)`);
    await queryRunner.query(`CREATE INDEX "IDX_tickets_tags" ON "tickets" USING gin ("tags")`);
    await queryRunner.query(`CREATE INDEX "IDX_messages_body_trgm" ON "messages" USING gin ("body_text" gin_trgm_ops)`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_messages_external_id" ON "messages" ("tenant_id", "channel", "external_id") WHERE "external_id" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_customers_email" ON "customers" ("tenant_id", "email") WHERE "email" IS NOT NULL`,
    );
    await queryRunner.query(`CREATE FUNCTION crewdesk_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation'; END $$`);
    await queryRunner.query(
      `CREATE TRIGGER "ticket_events_append_only" BEFORE UPDATE ON "ticket_events" FOR EACH ROW EXECUTE FUNCTION crewdesk_append_only()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "audit_log_append_only" BEFORE UPDATE OR DELETE ON "audit_log" FOR EACH ROW EXECUTE FUNCTION crewdesk_append_only()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER IF EXISTS "audit_log_append_only" ON "audit_log"`);
    await queryRunner.query(`DROP TRIGGER IF EXISTS "ticket_events_append_only" ON "ticket_events"`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS crewdesk_append_only()`);
    await queryRunner.query(`DROP INDEX IF EXISTS "UQ_customers_email"`);
    await queryRunner.query(`DROP INDEX IF EXISTS "UQ_messages_external_id"`);
    await queryRunner.query(`DROP INDEX IF EXISTS "IDX_messages_body_trgm"`);
    await queryRunner.query(`DROP INDEX IF EXISTS "IDX_tickets_tags"`);
    await queryRunner.query(`DROP INDEX IF EXISTS "IDX_tickets_updated"`);
    await queryRunner.query(`DROP INDEX IF EXISTS "IDX_tickets_subject_trgm"`);
    await queryRunner.query(`ALTER TABLE "ticket_events" DROP CONSTRAINT "FK_9cf43c4478294faa98129c47c21"`);
    await queryRunner.query(`ALTER TABLE "messages" DROP CONSTRAINT "FK_aa8e62e23565f59d22160b35f18"`);
    await queryRunner.query(`ALTER TABLE "tickets" DROP CONSTRAINT "FK_ec5071f9de4677c9e8da947e144"`);
    await queryRunner.query(`ALTER TABLE "tickets" DROP CONSTRAINT "FK_dff6e2b44c9b5e177114588772f"`);
    await queryRunner.query(`ALTER TABLE "tickets" DROP CONSTRAINT "FK_2a06f5cdaf003ceaa9fcf08be77"`);
    await queryRunner.query(`ALTER TABLE "sessions" DROP CONSTRAINT "FK_085d540d9f418cfbdc7bd55bb19"`);
    await queryRunner.query(`ALTER TABLE "customer_identities" DROP CONSTRAINT "FK_f029c64f58346eb3bb3d760a97e"`);
    await queryRunner.query(`ALTER TABLE "team_members" DROP CONSTRAINT "FK_c2bf4967c8c2a6b845dadfbf3d4"`);
    await queryRunner.query(`ALTER TABLE "team_members" DROP CONSTRAINT "FK_fdad7d5768277e60c40e01cdcea"`);
    await queryRunner.query(`ALTER TABLE "user_roles" DROP CONSTRAINT "FK_b23c65e50a758245a33ee35fda1"`);
    await queryRunner.query(`ALTER TABLE "user_roles" DROP CONSTRAINT "FK_87b8888186ca9769c960e926870"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_5e72f040fdc5efc8eef52a388c"`);
    await queryRunner.query(`DROP TABLE "idempotency_keys"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_ad217a94f778851d62c38b82d4"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_298316f9af44f2dd7eadcb3248"`);
    await queryRunner.query(`DROP TABLE "audit_log"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_0b05faafeacf3e85d8e2249ca4"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_96ad1a374d7cdec5abc4e52f82"`);
    await queryRunner.query(`DROP TABLE "ticket_events"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_55eef3a8bf6ee087491f5382ca"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_64e66dfaaf1682223708f44850"`);
    await queryRunner.query(`DROP TABLE "attachments"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_3bcae0828b7afc2eaf782319bf"`);
    await queryRunner.query(`DROP TABLE "messages"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_41b643807538816a058ad0ed37"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_3493647a1779f0b2ba680aaff2"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_5554ac32a16d142393bc57eb20"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_523e92e77abc9d6106b2698cfe"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_d8edf036f7265d702ac99a3f2e"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_833d7d08dd57eadd6bfbaa77f8"`);
    await queryRunner.query(`DROP TABLE "tickets"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_ad466567933bb883b4c3aec6a2"`);
    await queryRunner.query(`DROP TABLE "api_keys"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_32a6ac85a3a94e9d0ff397ab91"`);
    await queryRunner.query(`DROP TABLE "sessions"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_d4745efd7a9e929283cc2736a3"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_1a0f0a082d4fbbdd87bc70e8b0"`);
    await queryRunner.query(`DROP TABLE "customer_identities"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_4031c3f375037cc2ee086f54fa"`);
    await queryRunner.query(`DROP TABLE "customers"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_648949d734b2a754a61bf79c67"`);
    await queryRunner.query(`DROP TABLE "team_members"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_f743964fa589adb2f537040a46"`);
    await queryRunner.query(`DROP TABLE "teams"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_10f6c613b076a97c1e5b9c0b4b"`);
    await queryRunner.query(`DROP TABLE "user_roles"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_e9f4c2efab52114c4e99e28efb"`);
    await queryRunner.query(`DROP TABLE "users"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_c555146b304b5f51a7de6e18de"`);
    await queryRunner.query(`DROP TABLE "roles"`);
    await queryRunner.query(`DROP TABLE "tenants"`);
  }
}
