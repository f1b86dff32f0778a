import { choosePolicy, raisePriority, targetMinutes } from './policy';

describe('SLA policy choice', () => {
  const policies = [
    { name: 'vip', conditions: { tags: ['vip'] }, targets: { normal: { firstResponseMinutes: 15 } } },
    {
      name: 'email urgent',
      conditions: { priorities: ['urgent'], channels: ['email'] },
      targets: { urgent: { firstResponseMinutes: 30 } },
    },
    { name: 'default', conditions: {}, targets: { normal: { firstResponseMinutes: 240, resolutionMinutes: 2880 } } },
  ];
  it('takes the first policy whose conditions all hold', () => {
    expect(choosePolicy(policies, { priority: 'normal', channel: 'web', tags: ['vip'] })?.name).toBe('vip');
    expect(choosePolicy(policies, { priority: 'urgent', channel: 'email', tags: [] })?.name).toBe('email urgent');
    expect(choosePolicy(policies, { priority: 'urgent', channel: 'chat', tags: [] })?.name).toBe('default');
    expect(choosePolicy([], { priority: 'low', channel: 'web', tags: [] })).toBeNull();
  });
  it('reads targets per priority and metric, and raises priority one step', () => {
    expect(targetMinutes(policies[2], 'normal', 'resolution')).toBe(2880);
    expect(targetMinutes(policies[2], 'normal', 'next_response')).toBeNull();
    expect(raisePriority('normal')).toBe('high');
    expect(raisePriority('urgent')).toBe('urgent');
  });
});
