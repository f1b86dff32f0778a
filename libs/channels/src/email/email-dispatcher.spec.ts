import { Queue } from 'bullmq';
import { Env } from '@crewdesk/config';
import { EmailAckJob, JobName } from '@crewdesk/queue';
import { TicketEventBus } from '@crewdesk/tickets';
import { EmailDispatcher } from './email-dispatcher';

const ack = (n: number): EmailAckJob => ({
  tenantId: 't',
  ticketId: `ticket-${n}`,
  to: `c${n}@example.com`,
  mail: { channelId: 'ch', number: n, subject: `S${n}`, messageId: `<ack-${n}@x>`, inReplyTo: null },
});

function setUp(addBulk: jest.Mock) {
  const outbound = { addBulk } as unknown as Queue;
  return new EmailDispatcher({} as TicketEventBus, outbound, {} as Queue, {} as Env);
}

describe('EmailDispatcher.acknowledge', () => {
  it('queues the acknowledgements asked for in one turn together, each with its own job id', async () => {
    const addBulk = jest.fn(async (_jobs: Array<{ data: EmailAckJob }>) => []);
    const dispatcher = setUp(addBulk);
    await Promise.all([1, 2, 3].map((n) => Promise.resolve().then(() => dispatcher.acknowledge(ack(n)))));
    await dispatcher.acknowledge(ack(4)); // a later turn: a call of its own
    expect(addBulk).toHaveBeenCalledTimes(2);
    expect(addBulk.mock.calls[0][0]).toEqual(
      [1, 2, 3].map((n) => ({
        name: JobName.EmailAck,
        data: ack(n),
        opts: { jobId: `ack-ticket-${n}`, attempts: 4 },
      })),
    );
    expect(addBulk.mock.calls[1][0].map((j) => j.data.ticketId)).toEqual(['ticket-4']);
  });

  it('fails every caller of a turn whose jobs could not be queued', async () => {
    const dispatcher = setUp(jest.fn(async () => Promise.reject(new Error('Redis gone'))));
    const results = await Promise.allSettled([dispatcher.acknowledge(ack(1)), dispatcher.acknowledge(ack(2))]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});
