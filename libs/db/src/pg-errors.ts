/** PostgreSQL error codes the code reacts to. */
export const PG = {
  UNIQUE_VIOLATION: '23505',
  FOREIGN_KEY_VIOLATION: '23503',
  INVALID_TEXT_REPRESENTATION: '22P02',
} as const;

export function pgCode(err: unknown): string | undefined {
  const e = err as { code?: string; driverError?: { code?: string } };
  return e?.driverError?.code ?? e?.code;
}

export function pgConstraint(err: unknown): string | undefined {
  const e = err as { constraint?: string; driverError?: { constraint?: string } };
  return e?.driverError?.constraint ?? e?.constraint;
}

/**
 * Rows of any statement. TypeORM answers UPDATE and DELETE with `[rows, affected]` but SELECT and INSERT
 * with `rows`; `UPDATE … RETURNING` must go through here.
 */
export async function queryRows<T = Record<string, any>>( // eslint-disable-line @typescript-eslint/no-explicit-any
  runner: { query(sql: string, params?: unknown[]): Promise<unknown> },
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const result = (await runner.query(sql, params)) as unknown[];
  return (Array.isArray(result[0]) && typeof result[1] === 'number' ? result[0] : result) as T[];
}
