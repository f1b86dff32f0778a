import { BusinessCalendar, isOpenAt } from '@crewdesk/common';

export const ROUTE_TARGETS = ['team', 'role', 'skill', 'user'] as const;
export type RouteTargetType = (typeof ROUTE_TARGETS)[number];

/** Every condition present must hold; within a list, any value may match. An empty rule matches every ticket. */
export interface RuleConditions {
  channels?: string[];
  /** Words or phrases looked for in the subject and the first message, case-insensitively (Chinese too). */
  keywords?: string[];
  /** Any of these tags. */
  tags?: string[];
  customerTiers?: string[];
  organisations?: string[];
  /** Inside or outside the hours of a business calendar (24x7 without one). */
  businessHours?: 'inside' | 'outside';
  calendarId?: string;
  /** Detected languages of the subject and body: `zh`, `en`, `ja`, `ko`, `ru`, ... */
  languages?: string[];
}

export interface RuleActions {
  teamId?: string;
  priority?: 'low' | 'normal' | 'high' | 'urgent';
  addTags?: string[];
  /** Route to people by role or skill (among the team's members when a team is set, else the workspace), or one person. */
  assignTo?: { type: 'role' | 'skill' | 'user'; value: string };
  followerIds?: string[];
}

export interface RoutingRule {
  id: string;
  name: string;
  position: number;
  enabled: boolean;
  conditions: RuleConditions;
  actions: RuleActions;
}

/** What routing knows of a new ticket. */
export interface RoutingFacts {
  channel: string;
  subject: string;
  body: string;
  tags: string[];
  customerTier: string | null;
  customerOrganisation: string | null;
  at: Date;
}

export interface RuleCheck {
  condition: keyof RuleConditions;
  matched: boolean;
  detail?: string;
}

/**
 * The language of a text from its script: Han without kana is Chinese, kana Japanese, Hangul Korean, Cyrillic
 * Russian, otherwise Latin letters count as English. Good enough to route; not a translation engine.
 */
export function detectLanguage(text: string): string | null {
  let han = 0,
    kana = 0,
    hangul = 0,
    cyrillic = 0,
    latin = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if ((c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf)) han++;
    else if (c >= 0x3040 && c <= 0x30ff) kana++;
    else if (c >= 0xac00 && c <= 0xd7af) hangul++;
    else if (c >= 0x0400 && c <= 0x04ff) cyrillic++;
    else if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) latin++;
  }
  if (kana > 0 && kana + han >= latin / 4) return 'ja';
  if (hangul > 0 && hangul >= latin / 4) return 'ko';
  // One Han character carries about as much as a short Latin word.
  if (han > 0 && han * 3 >= latin / 2) return 'zh';
  if (cyrillic > latin) return 'ru';
  if (latin > 0) return 'en';
  return null;
}

const fold = (s: string) => s.normalize('NFKC').toLocaleLowerCase();

/** Each condition of a rule, whether it holds for the ticket, and why. */
export function checkRule(
  c: RuleConditions,
  f: RoutingFacts,
  calendar: BusinessCalendar | null | undefined,
): RuleCheck[] {
  const out: RuleCheck[] = [];
  if (c.channels?.length) out.push({ condition: 'channels', matched: c.channels.includes(f.channel) });
  if (c.keywords?.length) {
    const text = fold(`${f.subject}\n${f.body}`);
    const hit = c.keywords.find((k) => k.trim() && text.includes(fold(k.trim())));
    out.push({ condition: 'keywords', matched: !!hit, detail: hit });
  }
  if (c.tags?.length) {
    const hit = c.tags.find((t) => f.tags.includes(t.toLowerCase()));
    out.push({ condition: 'tags', matched: !!hit, detail: hit });
  }
  if (c.customerTiers?.length)
    out.push({ condition: 'customerTiers', matched: !!f.customerTier && c.customerTiers.includes(f.customerTier) });
  if (c.organisations?.length) {
    const org = f.customerOrganisation ? fold(f.customerOrganisation) : null;
    out.push({ condition: 'organisations', matched: !!org && c.organisations.some((o) => fold(o) === org) });
  }
  if (c.businessHours) {
    const open = isOpenAt(calendar ?? null, f.at);
    out.push({
      condition: 'businessHours',
      matched: c.businessHours === 'inside' ? open : !open,
      detail: open ? 'inside' : 'outside',
    });
  }
  if (c.languages?.length) {
    const lang = detectLanguage(`${f.subject}\n${f.body}`);
    out.push({ condition: 'languages', matched: !!lang && c.languages.includes(lang), detail: lang ?? undefined });
  }
  return out;
}

/** The first enabled rule, in position order, whose conditions all hold. */
export function firstMatch<R extends RoutingRule>(
  rules: R[],
  f: RoutingFacts,
  calendars: Map<string, BusinessCalendar>,
): { rule: R; checks: RuleCheck[] } | null {
  for (const rule of rules) {
    if (!rule.enabled) continue;
    const checks = checkRule(
      rule.conditions,
      f,
      rule.conditions.calendarId ? calendars.get(rule.conditions.calendarId) : null,
    );
    if (checks.every((c) => c.matched)) return { rule, checks };
  }
  return null;
}
