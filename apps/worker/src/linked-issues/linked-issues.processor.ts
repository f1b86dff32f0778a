import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Job, Queue, UnrecoverableError } from 'bullmq';
import { TenantContext } from '@crewdesk/db';
import { IssueNotifyJob, JobName, QueueName } from '@crewdesk/queue';
import { LinkedIssuesService } from '@crewdesk/routing';

type Handler = (job: Job) => Promise<unknown>;

/**
 * Closing the loop: one job per linked ticket of a shipped issue, and a reconciler (every 30 s and at start) that
 * tells whoever no job told, so a crash or a wiped Redis loses no customer's update.
 */
@Processor(QueueName.LinkedIssues, { concurrency: 4 })
export class LinkedIssuesProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(LinkedIssuesProcessor.name);
  private readonly handlers: Partial<Record<JobName, Handler>> = {
    [JobName.IssueNotify]: (job) => this.notify(job),
    [JobName.IssueReconcile]: () => this.reconcile(),
  };

  constructor(
    private readonly issues: LinkedIssuesService,
    private readonly ctx: TenantContext,
    @InjectQueue(QueueName.LinkedIssues) private readonly queue: Queue,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    const missing = Object.values(JobName).filter((n) => n.startsWith('issue.') && !this.handlers[n]);
    if (missing.length) throw new Error(`No handler for jobs: ${missing.join(', ')}`);
    await this.queue.upsertJobScheduler(
      'issue-reconcile',
      { every: 30_000 },
      { name: JobName.IssueReconcile, data: {} },
    );
    await this.reconcile().catch((err) => this.logger.warn({ err }, 'Start-up linked-issue reconcile failed'));
  }

  process(job: Job): Promise<unknown> {
    const handler = this.handlers[job.name as JobName];
    if (!handler) throw new UnrecoverableError(`Unknown job ${job.name}`);
    return handler(job);
  }

  private async notify(job: Job): Promise<string> {
    const d = job.data as IssueNotifyJob;
    const outcome = await this.ctx.run(TenantContext.system(d.tenantId), () =>
      this.issues.notify(d.issueId, d.ticketId),
    );
    this.logger.log(
      { jobId: job.id, tenantId: d.tenantId, issueId: d.issueId, ticketId: d.ticketId, outcome },
      'Ship notification',
    );
    return outcome;
  }

  async reconcile(graceSeconds?: number) {
    const result = await this.issues.reconcile({ graceSeconds });
    if (result.notified || result.failed) this.logger.log({ ...result }, 'Linked issues reconciled');
    return result;
  }
}
