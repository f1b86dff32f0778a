import { compile } from 'html-to-text';
import { AddressObject, ParsedMail, simpleParser } from 'mailparser';
import { extractReply, htmlToText } from './reply-text';

export interface ParsedEmail {
  messageId: string | null;
  inReplyTo: string[];
  references: string[];
  subject: string;
  from: { address: string; name: string | null } | null;
  to: string[];
  text: string;
  html: string | null;
  /** The new text of the mail: the text part (or the HTML's text) without the quoted history. */
  replyText: string;
  attachments: Array<{ filename: string; content: Buffer; contentType: string; cid: string | null; inline: boolean }>;
  /** Auto-replies, bounces and bulk mail: recorded, never acknowledged. */
  automatic: string | null;
}

export interface ParseLimits {
  /** Enforced by MailParserPool (the thread is terminated). */
  timeoutMs: number;
  maxAttachments: number;
  maxAttachmentBytes: number;
}

export class MailParseError extends Error {}

const ids = (value: unknown): string[] =>
  (Array.isArray(value) ? value : typeof value === 'string' ? value.split(/\s+/) : [])
    .map((v: string) => v.trim())
    .filter((v) => /^<[^<>\s]+>$/.test(v));

const firstAddress = (value: AddressObject | AddressObject[] | undefined) => {
  const list = Array.isArray(value) ? value : value ? [value] : [];
  const a = list.flatMap((x) => x.value).find((x) => x.address);
  return a ? { address: a.address!.toLowerCase(), name: a.name || null } : null;
};

const allAddresses = (value: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(value) ? value : value ? [value] : [])
    .flatMap((x) => x.value)
    .map((x) => x.address?.toLowerCase())
    .filter((x): x is string => !!x);

/** HTML longer than this is not handed to html-to-text (mailparser's own limit, with our options). */
const MAX_HTML_TO_PARSE = 5 * 1024 * 1024;

/**
 * What mailparser is asked for. Not the links of the text (its `textAsHtml`, which nothing here reads), and not the
 * text of an HTML-only mail: mailparser compiles a new html-to-text converter for each such mail, whose fresh
 * closures V8 then compiles anew; `htmlText` below is compiled once, with the same options.
 */
export const PARSE_OPTIONS = {
  skipImageLinks: true,
  skipTextLinks: true,
  skipHtmlToText: true,
  maxHtmlLengthToParse: MAX_HTML_TO_PARSE,
} as const;

/** What html-to-text writes where it stops descending (HTML nested deeper than mailparser's limit of 1,000). */
const CUT = '\u0000';
const htmlText = compile({ limits: { maxDepth: 1000, ellipsis: CUT } });

/**
 * The text of a mail's HTML: html-to-text as mailparser would give it; a plain strip, which keeps every word, for
 * HTML that is too long or too deeply nested for it (mailparser gave no text at all for those).
 */
function textOfHtml(html: string): string {
  if (html.length <= MAX_HTML_TO_PARSE) {
    try {
      const text = htmlText(html);
      if (!text.includes(CUT)) return text;
    } catch {
      // Malformed beyond what html-to-text takes: the plain strip below still gives the words.
    }
  }
  return htmlToText(html);
}

/** Why a mail is machine-made (RFC 3834 and common practice), or null for a person's mail. */
export function automaticReason(
  headers: ParsedMail['headers'],
  from: string | null,
  contentType: string,
): string | null {
  const h = (name: string) => {
    const v = headers.get(name);
    return typeof v === 'string'
      ? v.toLowerCase()
      : v && typeof v === 'object' && 'value' in v
        ? String((v as { value: unknown }).value).toLowerCase()
        : '';
  };
  const autoSubmitted = h('auto-submitted');
  if (autoSubmitted && autoSubmitted !== 'no') return `Auto-Submitted: ${autoSubmitted}`;
  if (/^(bulk|junk|list)$/.test(h('precedence'))) return `Precedence: ${h('precedence')}`;
  if (
    headers.has('x-autoreply') ||
    headers.has('x-autorespond') ||
    (headers.has('x-auto-response-suppress') && /all|oof|autoreply/i.test(h('x-auto-response-suppress')))
  ) {
    return 'auto-reply header';
  }
  if (from && /^(mailer-daemon|postmaster)@/i.test(from)) return `sent by ${from.split('@')[0]}`;
  if (/multipart\/report/i.test(contentType)) return 'delivery status report';
  if (headers.has('list-id') || headers.has('list-unsubscribe')) return 'mailing list';
  return null;
}

/**
 * Parses raw bytes (never a decoded string); charsets and RFC 2047 words are decoded by mailparser. The time
 * budget is MailParserPool's: it terminates the thread, where a timer here could only report the overrun and
 * leave the parse running.
 */
export async function parseEmail(raw: Buffer, limits: ParseLimits): Promise<ParsedEmail> {
  let mail: ParsedMail;
  try {
    mail = await simpleParser(raw, PARSE_OPTIONS);
  } catch (err) {
    throw new MailParseError(`not a readable mail: ${(err as Error).message}`);
  }
  if (mail.attachments.length > limits.maxAttachments)
    throw new MailParseError(`more than ${limits.maxAttachments} attachments`);
  const from = firstAddress(mail.from);
  const contentType = String(
    (mail.headers.get('content-type') && (mail.headers.get('content-type') as { value?: string }).value) || '',
  );
  const html = typeof mail.html === 'string' ? mail.html : null;
  // mailparser leaves the text of an HTML-only mail empty (PARSE_OPTIONS).
  const text = mail.text || (html ? textOfHtml(html) : '');
  return {
    messageId: mail.messageId && /^<[^<>\s]+>$/.test(mail.messageId) ? mail.messageId : null,
    inReplyTo: ids(mail.inReplyTo),
    references: ids(mail.references),
    subject: (mail.subject ?? '').trim(),
    from,
    to: [...allAddresses(mail.to), ...allAddresses(mail.cc)],
    text,
    html,
    replyText: extractReply(text),
    attachments: mail.attachments
      .filter((a) => a.size <= limits.maxAttachmentBytes)
      .map((a) => ({
        filename: a.filename ?? (a.contentType.startsWith('image/') ? 'image' : 'attachment'),
        content: a.content,
        contentType: a.contentType,
        cid: a.cid ?? null,
        inline: a.contentDisposition === 'inline' || !!a.related,
      })),
    automatic: automaticReason(mail.headers, from?.address ?? null, contentType),
  };
}

/** The domain part of an address (our Message-IDs and reply addresses are made in the mailbox's domain). */
export const domainOf = (address: string): string => address.split('@')[1] ?? 'localhost';

/** The Message-ID of a ticket's acknowledgement: one per ticket, so that a retried send is the same mail. */
export const ackMessageId = (ticketId: string, mailboxAddress: string): string =>
  `<ack-${ticketId}@${domainOf(mailboxAddress)}>`;

/**
 * The Message-ID in a raw mail's header, read without parsing the mail (as `parseEmail` would give it, or null): the
 * header block up to its blank line (at most 64 KB), folded lines joined.
 */
export function headerMessageId(raw: Buffer): string | null {
  const head = raw.subarray(0, Math.min(raw.length, 64 * 1024)).toString('latin1');
  const end = head.search(/\r?\n\r?\n/);
  const unfolded = (end >= 0 ? head.slice(0, end) : head).replace(/\r?\n[ \t]+/g, ' ');
  const m = /^message-id:[ \t]*(<[^<>\s]+>)[ \t]*$/im.exec(unfolded);
  return m ? m[1] : null;
}

/** The `[#123]` token of a subject, if any. */
export function subjectTicketNumber(subject: string): number | null {
  const m = /\[#(\d{1,15})\]/.exec(subject);
  return m ? Number(m[1]) : null;
}
