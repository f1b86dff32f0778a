import sanitizeHtml from 'sanitize-html';

const ALLOWED: sanitizeHtml.IOptions = {
  allowedTags: [
    'p',
    'br',
    'div',
    'span',
    'b',
    'strong',
    'i',
    'em',
    'u',
    's',
    'blockquote',
    'pre',
    'code',
    'ul',
    'ol',
    'li',
    'h1',
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'a',
    'img',
    'table',
    'thead',
    'tbody',
    'tr',
    'th',
    'td',
    'hr',
  ],
  allowedAttributes: {
    a: ['href', 'title'],
    img: ['src', 'alt', 'width', 'height'],
    td: ['colspan', 'rowspan'],
    th: ['colspan', 'rowspan'],
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['http', 'https', 'cid', 'data'] },
  transformTags: { a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer nofollow', target: '_blank' }) },
  disallowedTagsMode: 'discard',
};

/** HTML from customers, mail or staff, made safe to store and show. */
export function sanitizeMessageHtml(html: string): string {
  return wellFormed(sanitizeHtml(html, ALLOWED));
}

/**
 * Unpaired UTF-16 surrogates (a mail's `&#xD800;`, a socket's `"\ud800"`) as U+FFFD, which is what UTF-8 text holds
 * for them anyway: an event's jsonb data, which repeats a message's text, would refuse them.
 */
const LONE_SURROGATES = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
export const wellFormed = (text: string): string => text.replace(LONE_SURROGATES, '\uFFFD');

/** Whether a string holds no half of a surrogate pair. */
export const isWellFormed = (text: string): boolean => wellFormed(text) === text;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** Plain text as HTML paragraphs: everything escaped, line breaks kept. */
export function textToHtml(text: string): string {
  return text
    .split(/\r?\n{2,}/)
    .map((p) => `<p>${escapeHtml(p).replace(/\r?\n/g, '<br>')}</p>`)
    .join('');
}

/** Control characters other than tab and newlines are dropped from stored text; unpaired surrogates become U+FFFD. */
export function cleanText(text: string): string {
  return wellFormed(text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '').replace(/\r\n?/g, '\n'));
}
