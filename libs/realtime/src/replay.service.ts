import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { ReplayPayload, TicketEventPayload } from '@crewdesk/realtime-client';
import { Actor } from '@crewdesk/db';
import { Params, visibleTo } from '@crewdesk/tickets';
import { customerData } from './routing';

/** At most this many events in one replay; a client further behind reloads its views instead. */
export const REPLAY_LIMIT = 2000;
/** Events committed this long before the client's last one are sent again (ids commit out of order across tickets). */
const OVERLAP = '3 seconds';

/** Everything a reconnecting client missed, read from PostgreSQL, filtered to what it may see now. */
@Injectable()
export class ReplayService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async since(actor: Actor, lastEventId: string | undefined): Promise<ReplayPayload> {
    if (!lastEventId || !/^\d{1,19}$/.test(lastEventId) || lastEventId === '0') return { events: [], truncated: false };
    const p = new Params();
    const tenant = p.add(actor.tenantId);
    const last = p.add(lastEventId);
    const customer = actor.kind === 'customer';
    const sql = `
      SELECT e.id, e.type, e.ticket_id, e.visibility, e.data, e.created_at
      FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id AND t.tenant_id = e.tenant_id
      WHERE e.tenant_id = ${tenant}
        AND (e.id > ${last}::bigint OR (e.id > ${last}::bigint - 10000 AND e.id <> ${last}::bigint AND e.created_at >=
             (SELECT created_at - interval '${OVERLAP}' FROM ticket_events WHERE tenant_id = ${tenant} AND id = ${last}::bigint)))
        AND ${visibleTo(actor, p)} ${customer ? `AND e.visibility = 'public'` : ''}
      ORDER BY e.id LIMIT ${p.add(REPLAY_LIMIT + 1)}`;
    const rows: Array<Record<string, any>> = await this.db.query(sql, p.values); // eslint-disable-line @typescript-eslint/no-explicit-any
    const events: TicketEventPayload[] = [];
    for (const r of rows.slice(0, REPLAY_LIMIT)) {
      const data = customer ? customerData({ type: r.type, visibility: r.visibility, data: r.data }) : r.data;
      if (data)
        events.push({
          id: String(r.id),
          type: r.type,
          ticketId: r.ticket_id,
          data,
          createdAt: new Date(r.created_at).toISOString(),
        });
    }
    return { events, truncated: rows.length > REPLAY_LIMIT };
  }
}
