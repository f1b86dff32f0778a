import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { InjectDataSource } from '@nestjs/typeorm';
import { Job, Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { HousekeepingJob, JobName, QueueName } from '@crewdesk/queue';
import { AttachmentsService } from '@crewdesk/tickets';

type Handler = (job: Job) => Promise<unknown>;

/** Housekeeping: orphan uploads and expired idempotency keys, hourly. */
@Processor(QueueName.Maintenance)
export class MaintenanceProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(MaintenanceProcessor.name);
  private readonly handlers: Partial<Record<JobName, Handler>> = {
    [JobName.Housekeeping]: (job) => this.housekeeping(job.data as HousekeepingJob),
  };

  constructor(
    @InjectQueue(QueueName.Maintenance) private readonly queue: Queue,
    @InjectDataSource() private readonly db: DataSource,
    private readonly attachments: AttachmentsService,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    // Every job name must have exactly one handler (a job without one would fail forever).
    const missing = Object.values(JobName).filter((name) => name.startsWith('maintenance.') && !this.handlers[name]);
    if (missing.length) throw new Error(`No handler for jobs: ${missing.join(', ')}`);
    await this.queue.upsertJobScheduler(
      'housekeeping-hourly',
      { every: 3600_000 },
      { name: JobName.Housekeeping, data: { orphanHours: 24, idempotencyHours: 24 } satisfies HousekeepingJob },
    );
  }

  async process(job: Job): Promise<unknown> {
    const handler = this.handlers[job.name as JobName];
    if (!handler) throw new Error(`Unknown job ${job.name}`);
    return handler(job);
  }

  async housekeeping(data: HousekeepingJob): Promise<{ attachments: number; idempotencyKeys: number }> {
    let attachments = 0;
    for (let n = -1; n !== 0; attachments += n) n = await this.attachments.purgeOrphans(data.orphanHours);
    const keys = await this.db.query(
      `WITH d AS (DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1) RETURNING 1) SELECT count(*)::int AS n FROM d`,
      [data.idempotencyHours],
    );
    const result = { attachments, idempotencyKeys: keys[0].n as number };
    this.logger.log({ ...result }, 'Housekeeping done');
    return result;
  }
}
