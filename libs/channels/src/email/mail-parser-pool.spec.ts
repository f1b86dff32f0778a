import * as iconv from 'iconv-lite';
import Piscina from 'piscina';
import { Env } from '@crewdesk/config';
import { MailParseError } from './mail';
import { MailParserPool, mailParseThreads } from './mail-parser-pool';

const limits = { timeoutMs: 10_000, maxAttachments: 50, maxAttachmentBytes: 1024 * 1024 };
const b64 = (s: string, charset = 'utf-8') => iconv.encode(s, charset).toString('base64');

const gbkMail = Buffer.from(
  [
    'From: =?GBK?B?' + b64('张三', 'gbk') + '?= <zhang.san@example.cn>',
    'To: support@acme.test',
    'Subject: =?GBK?B?' + b64('发票开错了', 'gbk') + '?=',
    'Message-ID: <gbk-1@example.cn>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b"',
    '',
    '--b',
    'Content-Type: text/plain; charset=GB2312',
    'Content-Transfer-Encoding: base64',
    '',
    b64('请重开发票。\n\n-----原始邮件-----\n发件人: 客服\n旧内容', 'gbk'),
    '--b',
    'Content-Type: text/csv; name="=?GBK?B?' + b64('发票.csv', 'gbk') + '?="',
    'Content-Disposition: attachment',
    'Content-Transfer-Encoding: base64',
    '',
    b64('a,b\n1,2\n'),
    '--b--',
    '',
  ].join('\r\n'),
);

describe('MailParserPool', () => {
  const pool = new MailParserPool({ MAIL_PARSE_THREADS: '1', MAX_EMAIL_BYTES: 30 * 2 ** 20 } as Env);
  afterAll(() => pool.onModuleDestroy());

  it('parses in a worker thread: charsets, RFC 2047 words, the reply text and attachments as Buffers', async () => {
    const mail = await pool.parse(gbkMail, limits);
    expect(mail.subject).toBe('发票开错了');
    expect(mail.from).toEqual({ address: 'zhang.san@example.cn', name: '张三' });
    expect(mail.replyText).toBe('请重开发票。');
    expect(mail.attachments).toHaveLength(1);
    expect(mail.attachments[0].filename).toBe('发票.csv');
    expect(Buffer.isBuffer(mail.attachments[0].content)).toBe(true);
    expect(mail.attachments[0].content.toString()).toBe('a,b\n1,2\n');
  }, 30_000);

  it('answers a mail over a limit with a MailParseError', async () => {
    await expect(pool.parse(gbkMail, { ...limits, maxAttachments: 0 })).rejects.toThrow(
      new MailParseError('more than 0 attachments'),
    );
  }, 30_000);

  it('stops a parse that overruns its time budget, and the next mail is parsed by a fresh thread', async () => {
    const big = Buffer.from(
      `From: a@example.com\r\nSubject: big\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64('<p>words and more words</p>'.repeat(200_000)).replace(/.{76}/g, '$&\r\n')}\r\n`,
    );
    const err = await pool.parse(big, { ...limits, timeoutMs: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MailParseError);
    expect((err as Error).message).toBe('parsing took longer than 1 ms');
    expect((await pool.parse(gbkMail, limits)).subject).toBe('发票开错了');
  }, 30_000);

  it('counts the time budget from the start of the parse, not the wait for the thread', async () => {
    const big = Buffer.from(
      `From: a@example.com\r\nSubject: big\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64('<p>words and more words</p>'.repeat(100_000)).replace(/.{76}/g, '$&\r\n')}\r\n`,
    );
    const started = Date.now();
    const [first, second] = await Promise.all([
      pool.parse(big, { ...limits, timeoutMs: 30_000 }),
      pool.parse(gbkMail, { ...limits, timeoutMs: 400 }),
    ]);
    expect(first.subject).toBe('big');
    expect(second.subject).toBe('发票开错了');
    // Only meaningful if the second mail did wait longer than its own budget for the one thread.
    expect(Date.now() - started).toBeGreaterThan(400);
  }, 30_000);

  it('hands a thread the mails waiting as one task; a mail that overruns fails alone and the others are parsed again', async () => {
    const big = Buffer.from(
      `From: a@example.com\r\nSubject: big\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64('<p>words and more words</p>'.repeat(40_000)).replace(/.{76}/g, '$&\r\n')}\r\n`,
    );
    const other = (n: number) => Buffer.from(gbkMail.toString('latin1').replace('<gbk-1@', `<gbk-${n}@`), 'latin1');
    const run = jest.spyOn(Piscina.prototype, 'run');
    try {
      const results = await Promise.allSettled([
        pool.parse(other(1), limits),
        pool.parse(other(2), limits),
        pool.parse(big, { ...limits, timeoutMs: 20 }),
        pool.parse(other(3), limits),
      ]);
      expect(results.map((r) => (r.status === 'fulfilled' ? r.value.messageId : (r.reason as Error).message))).toEqual([
        '<gbk-1@example.cn>',
        '<gbk-2@example.cn>',
        'parsing took longer than 20 ms',
        '<gbk-3@example.cn>',
      ]);
      // The first mail went alone (nothing else waited), the other three together; after the stop, the two whose
      // answers were lost with the thread went again (the one parsed before the big mail, and the one after it).
      expect(run.mock.calls.map(([task]) => (task as { mails: unknown[] }).mails.length)).toEqual([1, 3, 2]);
    } finally {
      run.mockRestore();
    }
  }, 30_000);

  it('leaves a CPU to the event loop by default', () => {
    expect(mailParseThreads('auto', 1)).toBe(1);
    expect(mailParseThreads('auto', 2)).toBe(1);
    expect(mailParseThreads('auto', 16)).toBe(4);
    expect(mailParseThreads('3', 2)).toBe(3);
  });
});
