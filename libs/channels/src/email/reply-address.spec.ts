import { isReplyLocalPart, parseReplyAddress, replyAddress } from './reply-address';

describe('signed reply addresses', () => {
  const ticket = '6f1c2d3e-4a5b-4c6d-8e7f-0123456789ab';
  const user = 'a1b2c3d4-e5f6-4789-abcd-ef0123456789';
  it('round-trips, fits an address local part, and survives lower-casing', () => {
    const address = replyAddress('s3cret', 'acme.test', ticket, user);
    expect(address.split('@')[0].length).toBeLessThanOrEqual(64);
    expect(isReplyLocalPart(address)).toBe(true);
    expect(parseReplyAddress('s3cret', address.toUpperCase())).toEqual({ ticketId: ticket, userId: user });
  });
  it('refuses a tampered address or another secret', () => {
    const address = replyAddress('s3cret', 'acme.test', ticket, user);
    const tampered = address.replace(/^r./, (s) => (s === 'ra' ? 'rb' : 'ra'));
    expect(parseReplyAddress('s3cret', tampered)).toBeNull();
    expect(parseReplyAddress('other', address)).toBeNull();
    expect(parseReplyAddress('s3cret', 'support@acme.test')).toBeNull();
  });
});
