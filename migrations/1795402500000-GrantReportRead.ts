import { MigrationInterface, QueryRunner } from 'typeorm';

/** Workspaces created before reports existed: their built-in admin and supervisor roles read reports too. */
export class GrantReportRead1795402500000 implements MigrationInterface {
  name = 'GrantReportRead1795402500000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `UPDATE roles SET permissions = array_append(permissions, 'report.read')
       WHERE builtin AND name IN ('admin', 'supervisor') AND NOT ('report.read' = ANY(permissions))`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(
      `UPDATE roles SET permissions = array_remove(permissions, 'report.read') WHERE builtin AND name IN ('admin', 'supervisor')`,
    );
  }
}
