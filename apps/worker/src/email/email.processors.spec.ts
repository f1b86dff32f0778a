import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { EmailDispatcher, EmailIngestService, IngestOutcome } from '@crewdesk/channels';
import {
  EmailInboundProcessor,
  LOCAL_MAIL_BACKLOG,
  LOCAL_MAIL_BYTES,
  LOCAL_MAIL_CONCURRENCY,
} from './email.processors';

/** The processor's local line with the ingest and the queue stubbed: each mail's processing finishes when told. */
function setUp() {
  const started: string[] = [];
  const finish = new Map<string, (outcome: IngestOutcome | Error) => void>();
  const ingest = {
    process: jest.fn(
      (id: string) =>
        new Promise<IngestOutcome>((resolve, reject) => {
          started.push(id);
          finish.set(id, (o) => (o instanceof Error ? reject(o) : resolve(o)));
        }),
    ),
  } as unknown as EmailIngestService;
  const queued: string[] = [];
  const dispatcher = {
    process: jest.fn(async (job: { inboundId: string }) => void queued.push(job.inboundId)),
    acknowledge: jest.fn(async () => undefined),
  } as unknown as EmailDispatcher;
  const processor = new EmailInboundProcessor({} as Queue, {} as DataSource, ingest, dispatcher);
  const done = (id: string, o: IngestOutcome | Error = { status: 'ignored', reason: 'test' }) => finish.get(id)!(o);
  return { processor, started, queued, done };
}

const tick = () => new Promise((r) => setImmediate(r));
const job = (i: number) => ({ tenantId: 't', inboundId: `m${i}` });

describe('EmailInboundProcessor.processSoon', () => {
  it('processes mails in the order given, LOCAL_MAIL_CONCURRENCY at a time', async () => {
    const { processor, started, done } = setUp();
    const n = LOCAL_MAIL_CONCURRENCY;
    for (let i = 0; i < n + 2; i++) await processor.processSoon(job(i), 1000);
    expect(started).toEqual(Array.from({ length: n }, (_, i) => `m${i}`));
    done('m3');
    await tick();
    expect(started.slice(n)).toEqual([`m${n}`]);
    done('m0');
    await tick();
    expect(started.slice(n)).toEqual([`m${n}`, `m${n + 1}`]);
  });

  it('keeps the raw bytes in processing within its budget, but always processes one', async () => {
    const { processor, started, done } = setUp();
    const big = LOCAL_MAIL_BYTES / 2 + 1;
    for (let i = 0; i < 3; i++) await processor.processSoon(job(i), big);
    expect(started).toEqual(['m0']); // a second would pass the budget
    done('m0');
    await tick();
    expect(started).toEqual(['m0', 'm1']);
    await processor.processSoon(job(3), LOCAL_MAIL_BYTES * 2); // larger than the budget alone: waits its turn
    done('m1');
    await tick();
    expect(started).toEqual(['m0', 'm1', 'm2']);
    done('m2');
    await tick();
    expect(started).toEqual(['m0', 'm1', 'm2', 'm3']);
  });

  it('hands a mail whose processing failed to the queue', async () => {
    const { processor, queued, done } = setUp();
    await processor.processSoon(job(1), 1000);
    done('m1', new Error('database gone'));
    await tick();
    await tick();
    expect(queued).toEqual(['m1']);
  });

  it('makes the next mail wait for room when the line is full, and queues it after the wait', async () => {
    const { processor, started, queued, done } = setUp();
    for (let i = 0; i < LOCAL_MAIL_CONCURRENCY + LOCAL_MAIL_BACKLOG; i++) await processor.processSoon(job(i), 1000);
    let inLine = false;
    const waiting = processor.processSoon(job(9999), 1000).then(() => (inLine = true));
    await tick();
    expect(inLine).toBe(false);
    done('m0'); // the first mail of the line leaves it for processing: room for one
    await waiting;
    expect(started).toContain(`m${LOCAL_MAIL_CONCURRENCY}`);
    expect(queued).toEqual([]);
    processor.roomWaitMs = 20;
    await processor.processSoon(job(10000), 1000); // the line is full again: waits 20 ms, then goes through the queue
    expect(queued).toEqual(['m10000']);
  });
});
