import { toCsv } from '@crewdesk/insights';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Any = Record<string, any>;
type Line = { section: string; dimension: string; metric: string; value: unknown };

/** The overview as long-format CSV rows (section, dimension, metric, value): one chart series per section. */
export function overviewCsv(o: Any): string {
  const rows: Line[] = [];
  const add = (section: string, dimension: string, metric: string, value: unknown) =>
    rows.push({ section, dimension, metric, value });
  add('volume', 'all', 'tickets', o.volume.tickets);
  for (const c of o.volume.byChannel) add('volume.byChannel', c.channel, 'tickets', c.tickets);
  for (const h of o.volume.byHour) add('volume.byHour', String(h.hour), 'tickets', h.tickets);
  for (const d of o.volume.byDay) add('volume.byDay', d.date, 'tickets', d.tickets);
  for (const part of ['firstResponse', 'nextResponse', 'resolution'])
    for (const [k, v] of Object.entries(o[part])) add(part, 'all', k, v);
  for (const [k, v] of Object.entries(o.reopens)) add('reopens', 'all', k, v);
  for (const s of o.sla) for (const k of ['met', 'breached', 'running', 'compliance']) add('sla', s.metric, k, s[k]);
  add('backlog', 'all', 'open', o.backlog.open);
  for (const b of o.backlog.byStatus) add('backlog.byStatus', b.status, 'tickets', b.tickets);
  for (const b of o.backlog.ageBuckets) add('backlog.ageBuckets', b.bucket, 'tickets', b.tickets);
  for (const r of o.answeredByRole) {
    add('answeredByRole', r.role, 'tickets', r.tickets);
    add('answeredByRole', r.role, 'replies', r.replies);
  }
  const s = o.satisfaction;
  add('satisfaction', 'all', 'sent', s.sent);
  add('satisfaction', 'all', 'answered', s.answered);
  for (const k of ['percent', 'average', 'disputeRate']) add('satisfaction.csat', 'all', k, s.csat[k]);
  for (const k of ['score', 'promoters', 'passives', 'detractors']) add('satisfaction.nps', 'all', k, s.nps[k]);
  add('satisfaction.ces', 'all', 'average', s.ces.average);
  return toCsv(rows, ['section', 'dimension', 'metric', 'value']);
}

export function scorecardsCsv(s: Any): string {
  return toCsv(
    s.items.map((i: Any) => ({
      group: s.groupBy,
      key: i.key,
      name: i.name,
      score: i.score,
      response: i.components.response,
      resolution: i.components.resolution,
      afterSales: i.components.afterSales,
      satisfaction: i.components.satisfaction,
      disputes: i.components.disputes,
      tickets: i.tickets,
      resolved: i.resolved,
      reopenRate: i.reopenRate,
      firstResponseMedianSeconds: i.firstResponseMedianSeconds,
      resolutionMedianSeconds: i.resolutionMedianSeconds,
      answeredTickets: i.answeredTickets,
      replies: i.replies,
      csatPercent: i.satisfaction.csat.percent,
      nps: i.satisfaction.nps.score,
      cesAverage: i.satisfaction.ces.average,
    })),
  );
}

export function touchpointsCsv(t: Any): string {
  const rows: Line[] = [];
  for (const f of t.funnel) {
    rows.push({ section: 'funnel', dimension: f.step, metric: 'count', value: f.count });
    rows.push({ section: 'funnel', dimension: f.step, metric: 'conversion', value: f.conversion });
  }
  for (const c of t.channels)
    for (const k of ['tickets', 'answered', 'unanswered', 'firstResponseMedianSeconds', 'resolutionMedianSeconds'])
      rows.push({ section: 'channels', dimension: c.channel, metric: k, value: c[k] });
  for (const x of t.topics.tags)
    rows.push({ section: 'topics.tags', dimension: x.tag, metric: 'tickets', value: x.tickets });
  for (const x of t.topics.keywords)
    rows.push({ section: 'topics.keywords', dimension: x.keyword, metric: 'tickets', value: x.tickets });
  return toCsv(rows, ['section', 'dimension', 'metric', 'value']);
}
