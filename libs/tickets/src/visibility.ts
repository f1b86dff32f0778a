import { Actor, can } from '@crewdesk/db';
import { Params } from './sql';

/** Whether the actor sees every ticket of the workspace (`visibleTo` is then `true`). */
export const seesEveryTicket = (actor: Actor): boolean => actor.kind !== 'customer' && can(actor, 'ticket.view_all');

/**
 * Which tickets an actor may see, as SQL over alias `t`. Customers: their own (or the one ticket their link
 * opens). Staff with `ticket.view_all`: all of the tenant's. Other staff (engineers, product): tickets of their
 * teams, those assigned to them, and those they were brought into (a mention or an escalation grants access to
 * that ticket alone, until the grant expires).
 */
export function visibleTo(actor: Actor, p: Params, alias = 't'): string {
  if (actor.kind === 'customer') {
    const own = `${alias}.requester_id = ${p.add(actor.customerId)}`;
    return actor.ticketId ? `(${own} AND ${alias}.id = ${p.add(actor.ticketId)})` : own;
  }
  if (seesEveryTicket(actor)) return 'true';
  const parts: string[] = [];
  if (actor.kind === 'user' && actor.id) {
    const me = p.add(actor.id);
    parts.push(`${alias}.assignee_id = ${me}`);
    parts.push(
      `EXISTS (SELECT 1 FROM ticket_grants g WHERE g.tenant_id = ${alias}.tenant_id AND g.ticket_id = ${alias}.id AND g.user_id = ${me} AND (g.expires_at IS NULL OR g.expires_at > now()))`,
    );
  }
  if (actor.teamIds?.length) parts.push(`${alias}.team_id = ANY(${p.add(actor.teamIds)}::uuid[])`);
  return parts.length ? `(${parts.join(' OR ')})` : 'false';
}
