import { headerMessageId, parseEmail } from './mail';

const limits = { timeoutMs: 5000, maxAttachments: 10, maxAttachmentBytes: 1024 * 1024 };

describe('headerMessageId', () => {
  it('reads the Message-ID of the header as the parser gives it, without parsing the mail', async () => {
    const raws = [
      'From: a@example.com\r\nMessage-ID: <one@example.com>\r\nSubject: x\r\n\r\nbody\r\n',
      'From: a@example.com\r\nmessage-id:\r\n  <folded@example.com>\r\nSubject: x\r\n\r\nbody\r\n',
      'From: a@example.com\nMESSAGE-ID: <lf-only@example.com>\n\nbody\n',
    ].map((r) => Buffer.from(r));
    for (const raw of raws) {
      expect(headerMessageId(raw)).toBe((await parseEmail(raw, limits)).messageId);
    }
    expect(raws.map(headerMessageId)).toEqual(['<one@example.com>', '<folded@example.com>', '<lf-only@example.com>']);
  });

  it('ignores a Message-ID line in the body, and one that is not an id', () => {
    expect(headerMessageId(Buffer.from('Subject: x\r\n\r\nMessage-ID: <in-body@example.com>\r\n'))).toBeNull();
    expect(headerMessageId(Buffer.from('Message-ID: not an id\r\n\r\nx'))).toBeNull();
    expect(headerMessageId(Buffer.from('Message-ID: <two ids@x> <y@z>\r\n\r\nx'))).toBeNull();
    expect(headerMessageId(Buffer.alloc(0))).toBeNull();
  });
});

describe('parseEmail: the text of a mail', () => {
  const mail = (contentType: string, body: string) =>
    Buffer.from(
      `From: Li Lei <li@example.com>\r\nTo: support@example.com\r\nSubject: x\r\nMessage-ID: <m@example.com>\r\n` +
        `MIME-Version: 1.0\r\nContent-Type: ${contentType}\r\n\r\n${body}\r\n`,
    );

  it('makes the text of an HTML-only mail as mailparser would, with a converter compiled once', async () => {
    const html =
      '<html><head><style>p{color:red}</style></head><body><p>Hello <b>there</b>,</p>' +
      '<p>the invoice is wrong: see <a href="https://example.com/i/1">invoice 1</a>.</p><ul><li>one</li><li>two</li></ul>' +
      '<p>On Mon, Li wrote:</p><blockquote>old text</blockquote></body></html>';
    const parsed = await parseEmail(mail('text/html; charset=utf-8', html), limits);
    const { simpleParser } = await import('mailparser');
    const own = await simpleParser(mail('text/html; charset=utf-8', html));
    expect(parsed.text).toBe(own.text);
    expect(parsed.text).toContain('Hello there,');
    expect(parsed.text).toContain('invoice 1 [https://example.com/i/1]');
    expect(parsed.html).toBe(`${html}\n`);
    // The reply is cut at the quote, from the text made of the HTML.
    expect(parsed.replyText).not.toContain('old text');
    expect(parsed.replyText).toContain('the invoice is wrong');
  });

  it('keeps the text part of a text mail as it is, links and all', async () => {
    const parsed = await parseEmail(
      mail('text/plain; charset=utf-8', 'See https://example.com/x <b>not html</b>'),
      limits,
    );
    expect(parsed.text).toBe('See https://example.com/x <b>not html</b>\n');
    expect(parsed.html).toBeNull();
  });

  it('strips HTML nested deeper than html-to-text descends to plain words', async () => {
    const html = `${'<div>'.repeat(1500)}deep text${'</div>'.repeat(1500)}<p>after</p>`;
    const parsed = await parseEmail(mail('text/html', html), limits);
    expect(parsed.text).toBe('deep text\n\nafter');
    expect(parsed.replyText).toBe('deep text\n\nafter');
  });

  it('strips HTML larger than html-to-text is given to plain words', async () => {
    const html = `<p>${'word '.repeat(1_100_000)}</p><script>x()</script>`;
    const parsed = await parseEmail(mail('text/html', html), limits);
    expect(parsed.text.length).toBeGreaterThan(5_000_000);
    expect(parsed.text.startsWith('word word')).toBe(true);
    expect(parsed.text).not.toContain('x()');
  });
});
