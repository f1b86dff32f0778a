import type { TicketEventRecord } from '@crewdesk/tickets';
import { EVENTS_BATCH, EventPublisher, EmitTarget } from './publisher';

/** Records every emit as namespace, rooms, socket event name and payload. */
function recordingTarget() {
  const emits: Array<{ ns: string; rooms: string[]; name: string; payload: any }> = [];
  const target: EmitTarget = {
    of: (ns) => ({
      to: (rooms) => ({
        emit: (name, payload) => emits.push({ ns, rooms: ([] as string[]).concat(rooms), name, payload }),
      }),
    }),
  };
  return { target, emits };
}

const redis = () => {
  const marks: string[] = [];
  const pipeline = { set: (key: string) => (marks.push(key), pipeline), exec: async () => [] };
  return { marks, client: { pipeline: () => pipeline } as any };
};

let next = 1;
const event = (ticketId: string, over: Partial<TicketEventRecord> = {}): TicketEventRecord => ({
  id: String(next++),
  tenantId: 'T',
  ticketId,
  type: 'message.created',
  visibility: 'internal',
  actorType: 'user',
  actorId: 'U',
  data: { message: { kind: 'note' } },
  createdAt: new Date().toISOString(),
  route: { teamId: null, assigneeId: null, requesterId: 'C' },
  ...over,
});

describe('EventPublisher', () => {
  it('emits in commit order (event id) whatever order it was handed', async () => {
    const { target, emits } = recordingTarget();
    const events = [event('a'), event('a'), event('a')];
    await new EventPublisher(target, redis().client, (id) => id).publish([events[2], events[0], events[1]]);
    expect(emits[0].payload.map((p: any) => p.id)).toEqual(events.map((e) => e.id));
  });

  it('sends one event as itself and consecutive events to the same rooms as one batch, in order', async () => {
    const { target, emits } = recordingTarget();
    const r = redis();
    const events = [event('a'), event('a'), event('b')];
    await new EventPublisher(target, r.client, (id) => `pub:${id}`).publish(events);
    expect(emits).toHaveLength(1);
    expect(emits[0].name).toBe(EVENTS_BATCH);
    expect(emits[0].payload.map((p: any) => p.id)).toEqual(events.map((e) => e.id));
    expect(r.marks).toEqual(events.map((e) => `pub:${e.id}`));

    emits.length = 0;
    const one = event('c');
    await new EventPublisher(target, r.client, (id) => `pub:${id}`).publish([one]);
    expect(emits).toEqual([
      {
        ns: '/agents',
        rooms: expect.any(Array),
        name: 'message.created',
        payload: expect.objectContaining({ id: one.id }),
      },
    ]);
  });

  it('never reorders across different rooms: a run only joins its neighbours', async () => {
    const { target, emits } = recordingTarget();
    const teamed = (id: string) => event(id, { route: { teamId: 'X', assigneeId: null, requesterId: 'C' } });
    const events = [event('a'), teamed('a'), event('a'), event('a')];
    await new EventPublisher(target, redis().client, (id) => id).publish(events);
    expect(emits.map((e) => [e.name, e.name === EVENTS_BATCH ? e.payload.length : 1])).toEqual([
      ['message.created', 1],
      ['message.created', 1],
      [EVENTS_BATCH, 2],
    ]);
    const order = emits.flatMap((e) => (e.name === EVENTS_BATCH ? e.payload : [e.payload]).map((p: any) => p.id));
    expect(order).toEqual(events.map((e) => e.id));
  });

  it('batches per namespace: a customer sees only the public events, batched among themselves', async () => {
    const { target, emits } = recordingTarget();
    const pub = (id: string) =>
      event(id, { visibility: 'public', data: { message: { kind: 'public', authorType: 'user', body: 'hi' } } });
    const events = [pub('a'), event('a'), pub('a')];
    await new EventPublisher(target, redis().client, (id) => id).publish(events);
    const widget = emits.filter((e) => e.ns === '/widget');
    expect(widget).toHaveLength(1);
    expect(widget[0].name).toBe(EVENTS_BATCH);
    expect(widget[0].payload.map((p: any) => p.id)).toEqual([events[0].id, events[2].id]);
    const agents = emits.filter((e) => e.ns === '/agents');
    expect(agents).toHaveLength(1);
    expect(agents[0].payload).toHaveLength(3);
  });
});
