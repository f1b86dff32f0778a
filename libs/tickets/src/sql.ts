/** Positional parameters for hand-written SQL: `p.add(value)` returns `$n`. */
export class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value === undefined ? null : value);
    return `$${this.values.length}`;
  }
}

/** Escapes LIKE wildcards so user text matches literally. */
export const likeContains = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export const ticketSequenceName = (tenantId: string) => `ticket_numbers_${tenantId.replace(/-/g, '')}`;

/**
 * An escalation still waiting (open or acknowledged) that asks `user` (an SQL expression), over `ticket_escalations`
 * or its alias: one predicate for the "escalated to me" filters, answering by reply, and the message statement.
 */
export const asksOnOpenEscalation = (user: string, alias?: string) => {
  const c = alias ? `${alias}.` : '';
  return `${c}status IN ('open', 'acknowledged') AND ${user} = ANY(${c}user_ids)`;
};
