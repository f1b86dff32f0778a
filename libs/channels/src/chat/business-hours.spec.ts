import { isOpen } from './business-hours';
import { identityHmac, verifyIdentity } from './identity';

describe('business hours', () => {
  const hours = { timezone: 'Asia/Shanghai', days: { mon: [['09:00', '18:00']] as Array<[string, string]> } };
  it('is open inside the hours in the timezone, closed outside', () => {
    expect(isOpen(hours, new Date('2026-11-23T01:30:00Z'))).toBe(true); // Monday 09:30 in Shanghai
    expect(isOpen(hours, new Date('2026-11-23T00:30:00Z'))).toBe(false); // Monday 08:30
    expect(isOpen(hours, new Date('2026-11-24T01:30:00Z'))).toBe(false); // Tuesday
    expect(isOpen(null)).toBe(true);
  });
});

describe('identity HMAC', () => {
  it('accepts the right HMAC only', () => {
    const mac = identityHmac('secret', 'user-42');
    expect(verifyIdentity('secret', 'user-42', mac)).toBe(true);
    expect(verifyIdentity('secret', 'user-43', mac)).toBe(false);
    expect(verifyIdentity('other', 'user-42', mac)).toBe(false);
    expect(verifyIdentity('secret', 'user-42', 'zz')).toBe(false);
  });
});
