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
