/**
 * The reply a customer gets when their linked issue ships. A template is plain text with `{{placeholder}}`s; the
 * result goes through the normal message path (escaped to HTML there), so customer names are never markup.
 */

export const TEMPLATE_PLACEHOLDERS = [
  'customer.name',
  'issue.key',
  'issue.title',
  'issue.url',
  'ticket.number',
] as const;
export type TemplatePlaceholder = (typeof TEMPLATE_PLACEHOLDERS)[number];
export type TemplateValues = Partial<Record<TemplatePlaceholder, string | number | null | undefined>>;
export type ReplyLocale = 'en' | 'zh';

const PLACEHOLDER = /\{\{\s*([a-zA-Z_.]+)\s*\}\}/g;

/** The built-in default, used when an issue has no `shipMessage` of its own. */
export const DEFAULT_SHIP_MESSAGES: Record<ReplyLocale, string> = {
  en:
    'Hi {{customer.name}},\n\n' +
    'Good news: the change you asked about in ticket #{{ticket.number}} has shipped: {{issue.title}} ({{issue.key}}).\n\n' +
    'Thank you for telling us; your feedback shaped it. If anything still is not right, just reply here.',
  zh:
    '{{customer.name}}您好：\n\n' +
    '您在工单 #{{ticket.number}} 中反馈的问题已经上线：{{issue.title}}（{{issue.key}}）。\n\n' +
    '感谢您的反馈，正是它推动了这次改进。如果还有任何问题，直接回复即可。',
};

/** What stands in for a missing customer name, per locale ("Hi there," / "您好："). */
const NO_NAME: Record<ReplyLocale, string> = { en: 'there', zh: '' };

/** Placeholders in `template` that are not known (a typo would otherwise reach customers verbatim). */
export function unknownPlaceholders(template: string): string[] {
  const unknown = new Set<string>();
  for (const [, name] of template.matchAll(PLACEHOLDER)) {
    if (!(TEMPLATE_PLACEHOLDERS as readonly string[]).includes(name)) unknown.add(name);
  }
  return [...unknown];
}

/** Fills the placeholders; unknown ones are left as written, missing values become empty (a name, a locale word). */
export function renderTemplate(template: string, values: TemplateValues, locale: ReplyLocale = 'en'): string {
  return template
    .replace(PLACEHOLDER, (whole, name: string) => {
      if (!(TEMPLATE_PLACEHOLDERS as readonly string[]).includes(name)) return whole;
      const value = values[name as TemplatePlaceholder];
      if (value === null || value === undefined || String(value).trim() === '')
        return name === 'customer.name' ? NO_NAME[locale] : '';
      return String(value).trim();
    })
    .trim();
}

const HAN = /\p{Script=Han}/u;

/**
 * Which default to send: the customer's own locale when known (`zh*` is Chinese, anything else English); else
 * Chinese when the ticket's subject or first message contains Chinese characters; else the workspace's locale
 * (`settings.locale`); else English.
 */
export function replyLocale(input: {
  customerLocale?: string | null;
  ticketText?: string | null;
  workspaceLocale?: string | null;
}): ReplyLocale {
  const isZh = (l: string) => l.toLowerCase().startsWith('zh');
  if (input.customerLocale) return isZh(input.customerLocale) ? 'zh' : 'en';
  if (input.ticketText && HAN.test(input.ticketText)) return 'zh';
  if (input.workspaceLocale && isZh(input.workspaceLocale)) return 'zh';
  return 'en';
}
