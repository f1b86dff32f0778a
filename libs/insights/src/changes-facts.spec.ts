import { changesFacts } from './facts.service';

describe('changesFacts', () => {
  it('refreshes for public messages and status moves, not for notes or events without facts', () => {
    expect(changesFacts('message.created', { kind: 'public', internal: false })).toBe(true);
    expect(changesFacts('message.created', {})).toBe(true);
    expect(changesFacts('message.created', undefined)).toBe(true);
    expect(changesFacts('message.created', { kind: 'internal', internal: true })).toBe(false);
    expect(changesFacts('message.created', { kind: 'public', internal: 'true' })).toBe(false);
    expect(changesFacts('message.created', { kind: 'internal', internal: 'true' }, true)).toBe(true);
    expect(changesFacts('ticket.updated')).toBe(true);
    expect(changesFacts('ticket.assigned')).toBe(true);
    expect(changesFacts('ticket.created')).toBe(false);
    expect(changesFacts('message.read')).toBe(false);
    expect(changesFacts('sla.breached')).toBe(false);
  });
});
