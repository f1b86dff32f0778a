import { deliveries, viewerRooms } from './routing';
import { rooms } from './rooms';

describe('viewerRooms', () => {
  it('reaches the same staff rooms as a ticket event, and never a customer', () => {
    const audience = { teamId: 'team1', assigneeId: 'u1', sharedWith: ['u2', 'u1'] };
    const got = viewerRooms('T', audience);
    expect(got.sort()).toEqual(
      [rooms.staff('T'), rooms.team('T', 'team1'), rooms.user('T', 'u1'), rooms.user('T', 'u2')].sort(),
    );
    const [staff] = deliveries({
      id: '1',
      tenantId: 'T',
      ticketId: 'x',
      type: 'ticket.updated',
      visibility: 'internal',
      actorType: 'user',
      actorId: 'u9',
      data: {},
      createdAt: new Date(0).toISOString(),
      route: { ...audience, requesterId: 'c1' },
    });
    expect(staff.rooms.sort()).toEqual(got);
    expect(got.every((r) => r.startsWith('t:T:') && !r.includes(':customer:'))).toBe(true);
  });

  it('is the tenant staff room alone for an unassigned ticket without a team', () => {
    expect(viewerRooms('T', { teamId: null, assigneeId: null, sharedWith: [] })).toEqual([rooms.staff('T')]);
  });
});
