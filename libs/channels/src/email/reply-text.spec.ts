import { extractReply } from './reply-text';

describe('extractReply', () => {
  it('drops Gmail history', () => {
    expect(
      extractReply(
        'Thanks, that worked!\n\nOn Mon, 23 Nov 2026 at 10:00, Support <s@acme.test> wrote:\n> old text\n> more',
      ),
    ).toBe('Thanks, that worked!');
  });
  it('drops a Gmail "wrote:" line wrapped over two lines', () => {
    expect(extractReply('Yes.\n\nOn Mon, 23 Nov 2026 at 10:00, Acme Support\n<support@acme.test> wrote:\n> q')).toBe(
      'Yes.',
    );
  });
  it('drops Outlook header blocks and original-message separators', () => {
    expect(
      extractReply('New text\r\n\r\nFrom: Support <s@acme.test>\r\nSent: Monday\r\nTo: me\r\nSubject: x\r\n\r\nold'),
    ).toBe('New text');
    expect(extractReply('New text\n-----Original Message-----\nFrom: x')).toBe('New text');
  });
  it("drops Chinese clients' history", () => {
    expect(
      extractReply('收到，谢谢！\n\n-----原始邮件-----\n发件人: 客服 <s@acme.test>\n发送时间: 2026年11月23日'),
    ).toBe('收到，谢谢！');
    expect(extractReply('好的\n\n发件人: 客服 <s@acme.test>\n发送时间: 2026年11月23日 10:00\n主题: 回复')).toBe('好的');
    expect(extractReply('明白了\n\n在 2026年11月23日 10:00，客服 <s@acme.test> 写道：\n> 旧内容')).toBe('明白了');
  });
  it('keeps a mail with no history whole, and never returns nothing', () => {
    expect(extractReply('Just a question.\nSecond line.')).toBe('Just a question.\nSecond line.');
    expect(extractReply('> only a quote')).toBe('> only a quote');
  });
});
