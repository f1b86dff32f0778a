import type { BusinessCalendar } from './calendar';

export const SLA_METRICS = ['first_response', 'next_response', 'resolution'] as const;
/** Customer promises, and the hand-off clocks of escalations (acknowledge, answer). */
export type SlaMetric = (typeof SLA_METRICS)[number] | 'handoff_ack' | 'handoff_answer';

export interface SlaTargets {
  firstResponseMinutes?: number;
  nextResponseMinutes?: number;
  resolutionMinutes?: number;
}

export const ESCALATION_ACTIONS = [
  'notify_assignee',
  'notify_team_lead',
  'notify_role',
  'raise_priority',
  'reassign',
] as const;
export type EscalationAction = (typeof ESCALATION_ACTIONS)[number];

export interface EscalationStep {
  /** Minutes after the breach (0: at the breach). */
  afterMinutes: number;
  action: EscalationAction;
  /** For notify_role: the role to page, e.g. "engineer". */
  role?: string;
}

export interface SlaPolicy {
  id: string;
  name: string;
  position: number;
  conditions: { priorities?: string[]; channels?: string[]; tags?: string[] };
  targets: Partial<Record<'low' | 'normal' | 'high' | 'urgent', SlaTargets>>;
  calendar: BusinessCalendar | null;
  escalation: EscalationStep[];
  warnAt: number;
}

export interface TicketFacts {
  priority: string;
  channel: string;
  tags: string[];
}

/** The first policy, in position order, whose conditions all hold (a policy without conditions matches everything). */
export function choosePolicy<P extends Pick<SlaPolicy, 'conditions'>>(policies: P[], t: TicketFacts): P | null {
  return (
    policies.find((p) => {
      const c = p.conditions ?? {};
      if (c.priorities?.length && !c.priorities.includes(t.priority)) return false;
      if (c.channels?.length && !c.channels.includes(t.channel)) return false;
      if (c.tags?.length && !c.tags.some((tag) => t.tags.includes(tag))) return false;
      return true;
    }) ?? null
  );
}

export function targetMinutes(policy: Pick<SlaPolicy, 'targets'>, priority: string, metric: SlaMetric): number | null {
  const t = policy.targets[priority as keyof SlaPolicy['targets']];
  const v =
    metric === 'first_response'
      ? t?.firstResponseMinutes
      : metric === 'next_response'
        ? t?.nextResponseMinutes
        : t?.resolutionMinutes;
  return typeof v === 'number' && v >= 0 ? v : null;
}

export const PRIORITY_LADDER = ['low', 'normal', 'high', 'urgent'] as const;
export const raisePriority = (p: string) =>
  PRIORITY_LADDER[Math.min(PRIORITY_LADDER.indexOf(p as never) + 1, PRIORITY_LADDER.length - 1)] ?? 'high';
