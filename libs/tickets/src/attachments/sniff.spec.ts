import { sniffContentType } from './sniff';

describe('sniffContentType', () => {
  it('types a file by its bytes', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
    expect(await sniffContentType(png)).toBe('image/png');
    expect(await sniffContentType(Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\n'))).toBe('application/pdf');
    expect(await sniffContentType(Buffer.from('plain text, 中文'))).toBe('text/plain');
    expect(await sniffContentType(Buffer.alloc(0))).toBe('application/octet-stream');
  });

  it('types a file cut short inside its header by the other rules instead of failing', async () => {
    // file-type reads past the end of these and throws End-Of-Stream.
    expect(await sniffContentType(Buffer.from('89504e470d0a1a0a', 'hex'))).toBe('application/octet-stream');
    for (const hex of ['52494646', '504b0304', '1f8b08', '000001ba'])
      await expect(sniffContentType(Buffer.from(hex, 'hex'))).resolves.toEqual(expect.any(String));
  });

  it('takes a head that ends inside a character for text, and invalid UTF-8 for bytes', async () => {
    const text = Buffer.from('日志：连接超时');
    expect(await sniffContentType(text.subarray(0, text.length - 1))).toBe('text/plain');
    expect(await sniffContentType(Buffer.from('c3284142', 'hex'))).toBe('application/octet-stream');
  });
});
