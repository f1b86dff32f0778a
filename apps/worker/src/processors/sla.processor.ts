import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Job, Queue, UnrecoverableError } from 'bullmq';
import { TenantContext } from '@crewdesk/db';
import { JobName, QueueName, SlaDueJob, SlaTimerJob } from '@crewdesk/queue';
import { SlaService } from '@crewdesk/sla';

type Handler = (job: Job) => Promise<unknown>;

/** The SLA alarms and the reconciler (every 30 s and at start: losing Redis loses no breach). */
// Alarms are short transactions: many at once let PostgreSQL group their commits.
@Processor(QueueName.Sla, { concurrency: 32 })
export class SlaProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(SlaProcessor.name);
  private readonly handlers: Partial<Record<JobName, Handler>> = {
    [JobName.SlaWarn]: (job) => this.inTenant(job, () => this.sla.fire(job.data as SlaTimerJob, 'warning')),
    [JobName.SlaBreach]: (job) => this.inTenant(job, () => this.sla.fire(job.data as SlaTimerJob, 'breach')),
    [JobName.SlaEscalate]: (job) => this.inTenant(job, () => this.sla.escalate(job.data as SlaTimerJob)),
    [JobName.SlaDue]: (job) => this.sla.fireDue((job.data as SlaDueJob).slot),
    [JobName.SlaReconcile]: () => this.reconcile(false),
  };

  constructor(
    private readonly sla: SlaService,
    private readonly ctx: TenantContext,
    @InjectQueue(QueueName.Sla) private readonly queue: Queue,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    const missing = Object.values(JobName).filter((n) => n.startsWith('sla.') && !this.handlers[n]);
    if (missing.length) throw new Error(`No handler for jobs: ${missing.join(', ')}`);
    await this.queue.upsertJobScheduler('sla-reconcile', { every: 30_000 }, { name: JobName.SlaReconcile, data: {} });
    await this.reconcile(true).catch((err) => this.logger.warn({ err }, 'Start-up SLA reconcile failed'));
  }

  process(job: Job): Promise<unknown> {
    const handler = this.handlers[job.name as JobName];
    if (!handler) throw new UnrecoverableError(`Unknown job ${job.name}`);
    return handler(job);
  }

  private inTenant<T>(job: Job, fn: () => Promise<T>): Promise<T> {
    return this.ctx.run(TenantContext.system((job.data as SlaTimerJob).tenantId), fn);
  }

  async reconcile(rearmAll: boolean) {
    const result = await this.sla.reconcile({ rearmAll });
    if (result.breached || result.warned || result.escalated || result.started)
      this.logger.log({ ...result }, 'SLA reconciled');
    return result;
  }
}
