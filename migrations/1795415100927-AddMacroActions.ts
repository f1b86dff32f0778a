import { MigrationInterface, QueryRunner } from 'typeorm';

/** Canned replies become macros: the ticket changes (status, priority, tags, team, assignee) a reply applies. */
export class AddMacroActions1795415100927 implements MigrationInterface {
  name = 'AddMacroActions1795415100927';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "canned_replies" ADD "actions" jsonb NOT NULL DEFAULT '{}'`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "canned_replies" DROP COLUMN "actions"`);
  }
}
