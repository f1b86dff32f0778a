import type { Overview, Scorecards, Touchpoints } from '../api/types';

const period = { from: '2026-10-24T00:00:00.000Z', to: '2026-11-23T00:00:00.000Z', timezone: 'UTC', teamId: null };
const formulas = {
  firstResponse: 'first staff public reply − ticket creation',
  nextResponse: 'each customer message after a staff reply, until the next staff reply',
  resolution: 'last move into solved',
  reopenRate: 'reopened ÷ solved',
  slaCompliance: 'met ÷ (met + breached)',
  csat: 'answers of 4 or 5 ÷ all answers × 100',
  nps: '% promoters − % detractors',
  ces: 'mean of effort answers',
  disputeRate: 'answers of 1 or 2 ÷ all answers × 100',
  answeredByRole: 'per role: people who replied, tickets answered and replies',
  backlogAge: 'now − creation of each open ticket',
};

export function overview(over: Partial<Overview> = {}): Overview {
  return {
    period,
    basis: {
      tickets: 'tickets created in the period',
      sla: 'SLA timers started in the period',
      surveys: 'surveys sent in the period',
      backlog: 'tickets open now',
    },
    volume: {
      tickets: 12400,
      byChannel: [
        { channel: 'email', tickets: 8000 },
        { channel: 'chat', tickets: 4400 },
      ],
      byHour: Array.from({ length: 24 }, (_, hour) => ({ hour, tickets: hour === 10 ? 900 : 500 })),
      byDay: [
        { date: '2026-11-20', tickets: 400 },
        { date: '2026-11-21', tickets: 600 },
      ],
    },
    firstResponse: { count: 10, medianSeconds: 7500, avgSeconds: 8000, p90Seconds: 90000 },
    nextResponse: { count: 3, medianSeconds: 60, avgSeconds: 60, p90Seconds: 90, waits: 3 },
    resolution: { count: 8, medianSeconds: 183600, avgSeconds: 190000, p90Seconds: 300000 },
    reopens: { solved: 8, reopened: 1, rate: 12.5 },
    sla: [
      { metric: 'first_response', met: 9, breached: 1, running: 0, compliance: 90 },
      { metric: 'resolution', met: 7, breached: 1, running: 2, compliance: 87.5 },
    ],
    backlog: {
      open: 4,
      oldestAgeSeconds: 200000,
      byStatus: [{ status: 'open', tickets: 4 }],
      ageBuckets: [
        { bucket: '<1h', tickets: 1 },
        { bucket: '1-4h', tickets: 0 },
        { bucket: '4-24h', tickets: 2 },
        { bucket: '1-3d', tickets: 1 },
        { bucket: '3-7d', tickets: 0 },
        { bucket: '>7d', tickets: 0 },
      ],
    },
    answeredByRole: [{ role: 'agent', people: 2, tickets: 10, replies: 14 }],
    satisfaction: {
      sent: 5,
      answered: 4,
      responseRate: 80,
      csat: { answers: 4, satisfied: 3, percent: 75, average: 4, disputeRate: 0 },
      nps: { answers: 2, promoters: 1, passives: 1, detractors: 0, score: 50 },
      ces: { answers: 2, average: 2.5 },
    },
    formulas,
    ...over,
  };
}

export function emptyOverview(): Overview {
  const o = overview();
  return overview({
    volume: {
      tickets: 0,
      byChannel: [],
      byHour: o.volume.byHour.map((h) => ({ ...h, tickets: 0 })),
      byDay: [],
    },
    firstResponse: { count: 0, medianSeconds: null, avgSeconds: null, p90Seconds: null },
    resolution: { count: 0, medianSeconds: null, avgSeconds: null, p90Seconds: null },
    reopens: { solved: 0, reopened: 0, rate: null },
    sla: [],
    backlog: {
      ...o.backlog,
      open: 0,
      oldestAgeSeconds: null,
      ageBuckets: o.backlog.ageBuckets.map((b) => ({ ...b, tickets: 0 })),
    },
    answeredByRole: [],
    satisfaction: {
      sent: 0,
      answered: 0,
      responseRate: null,
      csat: { answers: 0, satisfied: 0, percent: null, average: null, disputeRate: null },
      nps: { answers: 0, promoters: 0, passives: 0, detractors: 0, score: null },
      ces: { answers: 0, average: null },
    },
  });
}

export function touchpoints(): Touchpoints {
  return {
    period,
    funnel: [
      { step: 'widget_opened', label: 'Widget opened', count: 20, conversion: null, dropped: null },
      { step: 'message_sent', label: 'Message sent', count: 10, conversion: 50, dropped: 10 },
      { step: 'answered', label: 'Answered', count: 8, conversion: 80, dropped: 2 },
    ],
    waits: { chatFirstResponseMedianSeconds: 30, chatEndedUnanswered: 1 },
    channels: [
      {
        channel: 'chat',
        tickets: 10,
        answered: 8,
        resolved: 6,
        unanswered: 2,
        firstResponseMedianSeconds: 30,
        resolutionMedianSeconds: 600,
      },
    ],
    topics: { tags: [{ tag: 'billing', tickets: 4 }], keywords: [{ keyword: '发货', tickets: 3 }] },
    basis: {
      widget_opened: 'widget panels opened in the period',
      message_sent: 'chat conversations started in the period',
      answered: 'of those, answered by staff',
      resolved: 'of those, solved or closed now',
      survey_answered: 'chat surveys sent in the period and answered',
    },
  };
}

export function scorecards(meId: string): Scorecards {
  return {
    period,
    groupBy: 'person',
    basis: 'tickets by current assignee',
    formula: {
      text: 'score = (20 × response + …) ÷ (sum of the weights of the parts that have data)',
      weights: { response: 20, resolution: 20, afterSales: 20, satisfaction: 30, disputes: 10 },
    },
    formulas,
    items: [
      {
        key: meId,
        name: '小王',
        score: 91.3,
        components: { response: 90, resolution: 87.5, afterSales: 87.5, satisfaction: 100, disputes: 100 },
        tickets: 10,
        resolved: 8,
        reopenRate: 12.5,
        firstResponseMedianSeconds: 300,
        resolutionMedianSeconds: 7200,
        answeredTickets: 9,
        replies: 12,
        sla: { firstResponse: 90, nextResponse: null, resolution: 87.5 },
        satisfaction: overview().satisfaction,
      },
    ],
  };
}
