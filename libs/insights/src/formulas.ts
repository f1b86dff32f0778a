/** The formulas every report shows next to its figures, so the people scored can check them. */
export const FORMULAS = {
  firstResponse:
    "first staff public reply − ticket creation, per ticket; median (percentile_cont 0.5), mean and 90th percentile over the period's tickets that got one",
  nextResponse:
    "each customer message that follows a staff public reply, until the next staff public reply; avgSeconds = all waits' total ÷ their number, median/p90 over each ticket's mean wait",
  resolution:
    'last move into solved (or closed) − ticket creation, for tickets solved or closed now; median, mean, 90th percentile',
  reopenRate: 'tickets reopened at least once ÷ tickets solved at least once × 100',
  slaCompliance: 'timers met without breach ÷ (met + breached) × 100, per metric; running timers are not counted',
  csat: 'answers of 4 or 5 (on 1–5) ÷ all answers × 100',
  nps: '% promoters (9–10) − % detractors (0–6) among NPS answers (0–10), from −100 to 100',
  ces: 'mean of effort answers (1 = very easy … 7 = very hard)',
  disputeRate: 'answers of 1 or 2 (on 1–5) ÷ all answers × 100',
  answeredByRole:
    "per role: people who sent public replies in the period's tickets, the tickets each answered (summed over the role's people) and their replies",
  backlogAge: 'now − creation of each open ticket (new, open, pending, on hold)',
};

export interface ScoreComponents {
  /** First-response SLA compliance, %. */
  response: number | null;
  /** Resolution SLA compliance, %. */
  resolution: number | null;
  /** 100 − reopen rate. */
  afterSales: number | null;
  /** CSAT %. */
  satisfaction: number | null;
  /** 100 − dispute rate. */
  disputes: number | null;
}

export const SCORE_WEIGHTS: Record<keyof ScoreComponents, number> = {
  response: 20,
  resolution: 20,
  afterSales: 20,
  satisfaction: 30,
  disputes: 10,
};

export const SCORE_FORMULA = {
  text:
    'score = (20 × response + 20 × resolution + 20 × after-sales + 30 × satisfaction + 10 × disputes) ÷ (sum of the weights of the parts that have data); ' +
    'response = first-response SLA compliance %, resolution = resolution SLA compliance %, after-sales = 100 − reopen rate %, ' +
    'satisfaction = CSAT %, disputes = 100 − share of CSAT answers of 1–2 %. A part without data is left out, never counted as 0.',
  weights: SCORE_WEIGHTS,
};

export const pct = (part: number, whole: number): number | null =>
  whole ? Number(((part * 100) / whole).toFixed(1)) : null;

/** The journey score, 0–100, over the parts that have data (null when none has). */
export function composite(c: ScoreComponents): number | null {
  let sum = 0;
  let weights = 0;
  for (const [k, w] of Object.entries(SCORE_WEIGHTS) as Array<[keyof ScoreComponents, number]>) {
    const v = c[k];
    if (v == null) continue;
    sum += w * v;
    weights += w;
  }
  return weights ? Number((sum / weights).toFixed(1)) : null;
}
