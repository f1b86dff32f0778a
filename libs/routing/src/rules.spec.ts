import { checkRule, detectLanguage, firstMatch, RoutingFacts, RoutingRule } from './rules';

const facts = (over: Partial<RoutingFacts> = {}): RoutingFacts => ({
  channel: 'email',
  subject: '申请退款',
  body: '订单 8812 我要退款',
  tags: [],
  customerTier: null,
  customerOrganisation: null,
  at: new Date('2026-11-23T03:00:00Z'),
  ...over,
});
const rule = (id: string, conditions: RoutingRule['conditions'], position = 0): RoutingRule => ({
  id,
  name: id,
  position,
  enabled: true,
  conditions,
  actions: {},
});

describe('routing rules', () => {
  it('detects languages by script', () => {
    expect(detectLanguage('我的打印机离线了')).toBe('zh');
    expect(detectLanguage('Printer offline, 急')).toBe('en');
    expect(detectLanguage('プリンターがオフラインです')).toBe('ja');
    expect(detectLanguage('프린터가 오프라인입니다')).toBe('ko');
    expect(detectLanguage('Принтер не работает')).toBe('ru');
    expect(detectLanguage('1234 !!')).toBeNull();
  });

  it('matches Chinese and English keywords case- and width-insensitively', () => {
    expect(checkRule({ keywords: ['退款'] }, facts(), null)).toEqual([
      { condition: 'keywords', matched: true, detail: '退款' },
    ]);
    expect(
      checkRule({ keywords: ['REFUND'] }, facts({ subject: 'Ｒｅｆｕｎｄ please', body: '' }), null)[0].matched,
    ).toBe(true);
    expect(checkRule({ keywords: ['发票'] }, facts(), null)[0].matched).toBe(false);
  });

  it('needs every condition, any value within one', () => {
    const c = { channels: ['email', 'chat'], tags: ['vip'], customerTiers: ['gold'] };
    expect(checkRule(c, facts({ tags: ['vip'], customerTier: 'gold' }), null).every((x) => x.matched)).toBe(true);
    expect(checkRule(c, facts({ tags: ['vip'], customerTier: 'silver' }), null).every((x) => x.matched)).toBe(false);
    expect(
      checkRule({ organisations: ['Acme Ltd'] }, facts({ customerOrganisation: 'acme ltd' }), null)[0].matched,
    ).toBe(true);
  });

  it('checks business hours against a calendar (24x7 without one)', () => {
    const cal = {
      timezone: 'Asia/Shanghai',
      weekly: { mon: [['09:00', '18:00']], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] },
      holidays: [],
      workdays: [],
    } as never;
    // Monday 11:00 in Shanghai is inside; 20:00 is outside.
    expect(
      checkRule({ businessHours: 'inside' }, facts({ at: new Date('2026-11-23T03:00:00Z') }), cal)[0].matched,
    ).toBe(true);
    expect(
      checkRule({ businessHours: 'outside' }, facts({ at: new Date('2026-11-23T12:00:00Z') }), cal)[0].matched,
    ).toBe(true);
    expect(checkRule({ businessHours: 'outside' }, facts(), null)[0].matched).toBe(false);
  });

  it('takes the first enabled matching rule in order; an empty rule matches everything', () => {
    const rules = [
      { ...rule('off', { keywords: ['退款'] }), enabled: false },
      rule('chat', { channels: ['chat'] }),
      rule('refund', { keywords: ['退款'] }),
      rule('all', {}),
    ];
    expect(firstMatch(rules, facts(), new Map())?.rule.id).toBe('refund');
    expect(firstMatch(rules, facts({ subject: 'hi', body: '' }), new Map())?.rule.id).toBe('all');
    expect(firstMatch([], facts(), new Map())).toBeNull();
  });
});
