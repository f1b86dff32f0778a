/**
 * The new text of a reply, without the quoted history below it. Recognises Gmail's "On … wrote:",
 * Outlook's "-----Original Message-----" and "From: … Sent: …" blocks, Chinese clients' "-----原始邮件-----",
 * "发件人:" blocks and "在 … 写道：", and trailing ">" quotes. The full text is kept elsewhere.
 */
const MARKERS: RegExp[] = [
  /^\s*On\s[\s\S]{1,300}?wrote:\s*$/m,
  /^\s*-{2,}\s*(Original Message|Forwarded message)\s*-{2,}/im,
  /^\s*-{2,}\s*(原始邮件|原始郵件|转发的邮件)\s*-{2,}/m,
  /^\s*在\s?[\s\S]{1,300}?写道\s*[:：]\s*$/m,
  /^\s*(From|发件人|寄件者)\s*[:：].*\n\s*(Sent|Date|发送时间|时间|日期|寄件日期)\s*[:：]/m,
  /^_{10,}\s*$/m,
];

export function extractReply(text: string): string {
  const normalized = text.replace(/\r\n?/g, '\n');
  let cut = normalized.length;
  for (const marker of MARKERS) {
    const m = marker.exec(normalized);
    if (m && m.index < cut && m.index > 0) cut = m.index;
  }
  let reply = normalized.slice(0, cut);
  // A block of ">" quoted lines at the end.
  const lines = reply.split('\n');
  while (lines.length && (lines[lines.length - 1].trim() === '' || lines[lines.length - 1].startsWith('>')))
    lines.pop();
  reply = lines.join('\n').trim();
  return reply || normalized.trim();
}

/** Plain text of an HTML mail (for mails without a text part). */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li|tr|h[1-6])>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
