import { decodeCursor, encodeCursor } from './pagination';
import { AppError } from './errors';
import { toErrorResponse } from './exception.filter';
import { cleanText, sanitizeMessageHtml, textToHtml } from './sanitize';

describe('cursors', () => {
  it('round-trip and refuse anything else', () => {
    expect(decodeCursor(encodeCursor(['2026-01-01T00:00:00.000Z', 'id']), ['string', 'string'])).toEqual([
      '2026-01-01T00:00:00.000Z',
      'id',
    ]);
    expect(() => decodeCursor('nonsense', ['string'])).toThrow(AppError);
    expect(() => decodeCursor(encodeCursor([1]), ['string'])).toThrow(AppError);
  });
});

describe('errors', () => {
  it('never leak internals of unexpected errors', () => {
    const { status, body, unexpected } = toErrorResponse(new Error('password=hunter2 in SQL'));
    expect(status).toBe(500);
    expect(unexpected).toBe(true);
    expect(body.message).not.toContain('hunter2');
    expect(body.errorId).toEqual(expect.any(String));
  });

  it("answers text or a number PostgreSQL cannot hold as the input's fault", () => {
    for (const [code, message] of [
      ['22021', 'invalid byte sequence for encoding "UTF8": 0x00'],
      ['22003', 'value "1e+20" is out of range for type bigint'],
    ]) {
      const { status, body, unexpected } = toErrorResponse(
        Object.assign(new Error(message), { driverError: { code } }),
      );
      expect({ status, code: body.code, unexpected }).toEqual({
        status: 400,
        code: 'VALIDATION_FAILED',
        unexpected: false,
      });
    }
  });
});

describe('sanitizing', () => {
  it('drops scripts and handlers from HTML and escapes text', () => {
    expect(sanitizeMessageHtml('<p onclick="x()">hi<script>alert(1)</script></p><img src=x onerror=alert(1)>')).toBe(
      '<p>hi</p><img src="x" />',
    );
    expect(textToHtml('<b>a</b>\nb')).toBe('<p>&lt;b&gt;a&lt;/b&gt;<br>b</p>');
  });
});

describe('text PostgreSQL stores', () => {
  it('replaces half of a surrogate pair with U+FFFD in text and sanitized HTML, keeping whole pairs', () => {
    expect(cleanText('a\ud800b\udc00 😀\r\n')).toBe('a\ufffdb\ufffd 😀\n');
    expect(sanitizeMessageHtml('<p>x&#xD800;y 😀</p>')).toBe('<p>x\ufffdy 😀</p>');
  });
});
