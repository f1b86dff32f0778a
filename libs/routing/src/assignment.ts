import type { AssignmentStrategy } from '@crewdesk/db';

export type Strategy = AssignmentStrategy;

export interface Candidate {
  userId: string;
  /** Tickets assigned to them that are not solved or closed. */
  open: number;
  capacity: number;
  /** An open console socket and status not `away`. */
  online: boolean;
  skills: string[];
}

/** Who may take a ticket now: online and under capacity. */
export function eligible(candidates: Candidate[]): Candidate[] {
  return candidates.filter((c) => c.online && c.open < c.capacity);
}

/** The next eligible person after `last` in a stable order (by id), wrapping around. */
export function roundRobin(candidates: Candidate[], last: string | null): Candidate | null {
  const ready = eligible(candidates).sort((a, b) => (a.userId < b.userId ? -1 : 1));
  if (!ready.length) return null;
  return (last && ready.find((c) => c.userId > last)) || ready[0];
}

/** An eligible person with the fewest open tickets; ties go round robin, so equal loads stay even. */
export function leastLoaded(candidates: Candidate[], last: string | null): Candidate | null {
  const ready = eligible(candidates);
  if (!ready.length) return null;
  const min = Math.min(...ready.map((c) => c.open));
  return roundRobin(
    ready.filter((c) => c.open === min),
    last,
  );
}

/** Eligible people holding every needed skill, least loaded first; without needed skills, least loaded. */
export function skillMatch(candidates: Candidate[], needed: string[], last: string | null): Candidate | null {
  const want = needed.map((s) => s.toLowerCase());
  const skilled = candidates.filter((c) => {
    const has = new Set(c.skills.map((s) => s.toLowerCase()));
    return want.every((s) => has.has(s));
  });
  return leastLoaded(skilled, last);
}

export function choose(
  strategy: Strategy,
  candidates: Candidate[],
  last: string | null,
  neededSkills: string[] = [],
): Candidate | null {
  switch (strategy) {
    case 'round_robin':
      return roundRobin(candidates, last);
    case 'least_loaded':
      return leastLoaded(candidates, last);
    case 'skill_match':
      return skillMatch(candidates, neededSkills, last);
    default:
      return null;
  }
}
