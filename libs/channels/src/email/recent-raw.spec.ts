import { InboundMail, RecentRaw } from './email-ingest.service';

describe('RecentRaw', () => {
  const bytes = (n: number, fill = 1): InboundMail => ({
    tenantId: 'T',
    channelId: 'C',
    source: 'smtp',
    envelopeFrom: 'a@example.com',
    envelopeTo: ['support@example.com'],
    raw: Buffer.alloc(n, fill),
  });

  it('hands a stored mail back once', () => {
    const r = new RecentRaw(100);
    r.put('a', bytes(10));
    expect(r.take('a')).toEqual(bytes(10));
    expect(r.take('a')).toBeUndefined();
  });

  it('forgets the oldest mails beyond its byte budget', () => {
    const r = new RecentRaw(100);
    r.put('a', bytes(40, 1));
    r.put('b', bytes(40, 2));
    r.put('c', bytes(40, 3));
    expect(r.take('a')).toBeUndefined();
    expect(r.take('b')).toEqual(bytes(40, 2));
    expect(r.take('c')).toEqual(bytes(40, 3));
  });

  it('keeps nothing larger than the budget, and frees what was taken', () => {
    const r = new RecentRaw(100);
    r.put('big', bytes(101));
    expect(r.take('big')).toBeUndefined();
    r.put('a', bytes(60));
    r.take('a');
    r.put('b', bytes(60));
    r.put('c', bytes(40));
    expect(r.take('b')).toEqual(bytes(60));
  });
});
