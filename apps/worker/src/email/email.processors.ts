import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { InjectDataSource } from '@nestjs/typeorm';
import { Job, Queue, UnrecoverableError } from 'bullmq';
import { DataSource } from 'typeorm';
import { EmailDispatcher, EmailIngestService, OutboundMailService } from '@crewdesk/channels';
import { TenantContext } from '@crewdesk/db';
import { EmailAckJob, EmailNotifyJob, EmailProcessJob, EmailReplyJob, JobName, QueueName } from '@crewdesk/queue';

type Handler = (job: Job) => Promise<unknown>;

function checkHandlers(prefix: string, handlers: Partial<Record<JobName, Handler>>, queue: string): void {
  const names = Object.values(JobName).filter((n) => n.startsWith(prefix) && queueOf(n) === queue);
  const missing = names.filter((n) => !handlers[n]);
  if (missing.length) throw new Error(`No handler for jobs: ${missing.join(', ')}`);
}

function queueOf(job: JobName): QueueName {
  return job === JobName.EmailProcess || job === JobName.EmailReconcile
    ? QueueName.EmailInbound
    : job.startsWith('email.')
      ? QueueName.EmailOutbound
      : QueueName.Maintenance;
}

/** Mails this process stored that wait for it in order (`processSoon`); the next one waits for room. */
export const LOCAL_MAIL_BACKLOG = 200;
/**
 * Mails it processes at a time (their writes share transactions: EmailIngestService; more at a time, larger
 * batches: 64 took ~1.3 x the mails/s of 16 at less CPU per mail, bench/email-README.md)...
 */
export const LOCAL_MAIL_CONCURRENCY = 64;
/** ...as long as their raw bytes stay within this (a mail and its decoded attachments take about twice its size). */
export const LOCAL_MAIL_BYTES = 64 * 1024 * 1024;

/** Inbound mail: parse and thread stored mail; the reconciler re-queues what a crash or Redis loss left behind. */
@Processor(QueueName.EmailInbound, { concurrency: 8 })
export class EmailInboundProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(EmailInboundProcessor.name);
  private readonly handlers: Partial<Record<JobName, Handler>> = {
    [JobName.EmailProcess]: (job) => this.processMail(job.data as EmailProcessJob),
    [JobName.EmailReconcile]: () => this.reconcile(),
  };

  constructor(
    @InjectQueue(QueueName.EmailInbound) private readonly queue: Queue,
    @InjectDataSource() private readonly db: DataSource,
    private readonly ingest: EmailIngestService,
    private readonly dispatcher: EmailDispatcher,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    checkHandlers('email.', this.handlers, QueueName.EmailInbound);
    await this.queue.upsertJobScheduler(
      'email-reconcile',
      { every: 15_000 },
      { name: JobName.EmailReconcile, data: {} },
    );
    await this.reconcile().catch((err) => this.logger.warn({ err }, 'Start-up mail reconcile failed'));
  }

  process(job: Job): Promise<unknown> {
    const handler = this.handlers[job.name as JobName];
    if (!handler) throw new UnrecoverableError(`Unknown job ${job.name}`);
    return handler(job);
  }

  private readonly line: Array<{ data: EmailProcessJob; bytes: number }> = [];
  private running = 0;
  private runningBytes = 0;
  /** Callers waiting for room in the line, first come first served. */
  private readonly waiters: Array<() => void> = [];
  /** How long a mail waits for room in the line before it goes through the queue instead. */
  roomWaitMs = 30_000;

  /**
   * A mail this process has just stored is processed here, in the order received, without a queue round trip
   * (three Redis scripts per mail). Resolves once the mail is in line: with LOCAL_MAIL_BACKLOG mails waiting, the
   * SMTP server's 250 waits for room (the sender slows down, the order stays), and after `roomWaitMs` the
   * mail goes through the queue instead. A mail that fails goes through the queue too (retries with backoff); one
   * left behind by a crash, or by Redis being down as well, is queued by the reconciler.
   */
  async processSoon(data: EmailProcessJob, bytes: number): Promise<void> {
    if ((this.line.length >= LOCAL_MAIL_BACKLOG || this.waiters.length) && !(await this.roomInLine()))
      return this.enqueue(data);
    this.line.push({ data, bytes });
    this.pump();
  }

  /** Waits its turn for a place in the line; false after `roomWaitMs`. */
  private roomInLine(): Promise<boolean> {
    return new Promise((resolve) => {
      const waiter = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        resolve(false);
      }, this.roomWaitMs);
      this.waiters.push(waiter);
    });
  }

  private pump(): void {
    while (
      this.line.length &&
      this.running < LOCAL_MAIL_CONCURRENCY &&
      (this.running === 0 || this.runningBytes + this.line[0].bytes <= LOCAL_MAIL_BYTES)
    ) {
      const { data, bytes } = this.line.shift()!;
      this.waiters.shift()?.(); // its mail takes the place just freed
      this.running++;
      this.runningBytes += bytes;
      this.processMail(data)
        .then(
          () => undefined,
          (err) => {
            this.logger.warn({ err, inboundId: data.inboundId }, 'Mail not processed; queued for a retry');
            this.enqueue(data);
          },
        )
        .finally(() => {
          this.running--;
          this.runningBytes -= bytes;
          this.pump();
        });
    }
  }

  private enqueue(data: EmailProcessJob): void {
    this.dispatcher
      .process(data)
      .catch((err) => this.logger.warn({ err, inboundId: data.inboundId }, 'Mail left for the reconciler'));
  }

  private async processMail(data: EmailProcessJob) {
    const outcome = await this.ingest.process(data.inboundId);
    if (outcome?.status === 'processed' && outcome.acknowledge) {
      const { to, ...mail } = outcome.acknowledge;
      await this.dispatcher.acknowledge({ tenantId: data.tenantId, ticketId: outcome.ticketId, to, mail });
    }
    if (outcome)
      this.logger.log({ inboundId: data.inboundId, tenantId: data.tenantId, status: outcome.status }, 'Mail ingested');
    return outcome;
  }

  /** Stored mail and queued replies that wait longer than they should get their job again (ids make it idempotent). */
  async reconcile(): Promise<{ mails: number; replies: number }> {
    const pending: Array<{ id: string; tenant_id: string }> = await this.db.query(
      `SELECT id, tenant_id FROM inbound_emails WHERE status = 'received' AND received_at < now() - interval '10 seconds' ORDER BY received_at LIMIT 500`,
    );
    for (const p of pending) await this.dispatcher.process({ tenantId: p.tenant_id, inboundId: p.id });
    const queued: Array<{ id: string; tenant_id: string; ticket_id: string }> = await this.db.query(
      `SELECT id, tenant_id, ticket_id FROM messages WHERE delivery_state = 'queued' AND created_at < now() - interval '10 seconds' ORDER BY created_at LIMIT 500`,
    );
    for (const q of queued)
      await this.dispatcher.reply({ tenantId: q.tenant_id, ticketId: q.ticket_id, messageId: q.id });
    return { mails: pending.length, replies: queued.length };
  }
}

/** Outbound mail with retries and backoff; a reply that cannot be delivered in the end is marked failed, never lost silently. */
@Processor(QueueName.EmailOutbound, { concurrency: 4 })
export class EmailOutboundProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly handlers: Partial<Record<JobName, Handler>> = {
    [JobName.EmailReply]: (job) => this.reply(job),
    [JobName.EmailAck]: (job) =>
      this.inTenant(job, () => {
        const d = job.data as EmailAckJob;
        return this.mail.acknowledge(d.ticketId, d.to, d.mail);
      }),
    [JobName.EmailNotify]: (job) =>
      this.inTenant(job, () => {
        const d = job.data as EmailNotifyJob;
        return this.mail.notify(d.ticketId, d.userId, d.reason, d.excerpt);
      }),
  };

  constructor(
    private readonly mail: OutboundMailService,
    private readonly ctx: TenantContext,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    checkHandlers('email.', this.handlers, QueueName.EmailOutbound);
  }

  process(job: Job): Promise<unknown> {
    const handler = this.handlers[job.name as JobName];
    if (!handler) throw new UnrecoverableError(`Unknown job ${job.name}`);
    return handler(job);
  }

  private inTenant<T>(job: Job, fn: () => Promise<T>): Promise<T> {
    return this.ctx.run(TenantContext.system((job.data as { tenantId: string }).tenantId), async () => {
      try {
        return await fn();
      } catch (err) {
        if (OutboundMailService.isPermanent(err)) throw new UnrecoverableError((err as Error).message);
        throw err;
      }
    });
  }

  private reply(job: Job) {
    const d = job.data as EmailReplyJob;
    return this.ctx.run(TenantContext.system(d.tenantId), async () => {
      try {
        return await this.mail.deliverReply(d.ticketId, d.messageId);
      } catch (err) {
        const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        if (OutboundMailService.isPermanent(err) || last) {
          await this.mail.markFailed(d.ticketId, d.messageId, (err as Error).message);
          return false;
        }
        throw err;
      }
    });
  }
}
