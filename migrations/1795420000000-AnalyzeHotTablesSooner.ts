import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tables looked up per ticket and per mail are analyzed after 500 rows + 2 % of the table change instead of
 * PostgreSQL's 50 + 10 %. Until a workspace's rows are in the statistics the planner takes it for empty and may
 * reach its rows through any index that starts with tenant_id, reading all of them per lookup (ADR 0015); on a
 * table of a million rows the default lets a new workspace take ~100,000 rows that way, this ~20,000.
 */
const TABLES = [
  'tickets',
  'messages',
  'ticket_events',
  'customers',
  'attachments',
  'inbound_emails',
  'email_message_ids',
  'ticket_facts',
];

export class AnalyzeHotTablesSooner1795420000000 implements MigrationInterface {
  name = 'AnalyzeHotTablesSooner1795420000000';

  public async up(q: QueryRunner): Promise<void> {
    for (const t of TABLES)
      await q.query(
        `ALTER TABLE "${t}" SET (autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 500)`,
      );
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const t of TABLES)
      await q.query(`ALTER TABLE "${t}" RESET (autovacuum_analyze_scale_factor, autovacuum_analyze_threshold)`);
  }
}
