import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Job, Queue, UnrecoverableError } from 'bullmq';
import { TenantContext } from '@crewdesk/db';
import { FactsService, SurveysService } from '@crewdesk/insights';
import { JobName, QueueName, SurveyDeliverJob } from '@crewdesk/queue';
import { SurveyMailer } from './survey-mail';

type Handler = (job: Job) => Promise<unknown>;

/**
 * Surveys in their ticket's channel (mail with a signed link; chat: the widget fetches its card, so delivery only
 * records it), the pending-survey reconciler, and the facts catch-up from the event log.
 */
@Processor(QueueName.Insights, { concurrency: 4 })
export class InsightsProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(InsightsProcessor.name);
  private readonly handlers: Partial<Record<JobName, Handler>> = {
    [JobName.SurveyDeliver]: (job) => this.deliver(job.data as SurveyDeliverJob),
    [JobName.SurveyReconcile]: () => this.reconcileSurveys(),
    [JobName.FactsReconcile]: () => this.catchUp(),
  };

  constructor(
    @InjectQueue(QueueName.Insights) private readonly queue: Queue,
    private readonly surveys: SurveysService,
    private readonly facts: FactsService,
    private readonly mailer: SurveyMailer,
    private readonly ctx: TenantContext,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    const missing = Object.values(JobName).filter(
      (n) => (n.startsWith('survey.') || n.startsWith('insights.')) && !this.handlers[n],
    );
    if (missing.length) throw new Error(`No handler for jobs: ${missing.join(', ')}`);
    await this.queue.upsertJobScheduler(
      'survey-reconcile',
      { every: 60_000 },
      { name: JobName.SurveyReconcile, data: {} },
    );
    await this.queue.upsertJobScheduler(
      'facts-reconcile',
      { every: 30_000 },
      { name: JobName.FactsReconcile, data: {} },
    );
  }

  process(job: Job): Promise<unknown> {
    const handler = this.handlers[job.name as JobName];
    if (!handler) throw new UnrecoverableError(`Unknown job ${job.name}`);
    return handler(job);
  }

  private deliver(data: SurveyDeliverJob) {
    return this.ctx.run(TenantContext.system(data.tenantId), async () => {
      const d = await this.surveys.delivery(data.surveyId);
      if (!d) return 'already delivered';
      if (d.channel === 'chat') {
        await this.surveys.markSent(d.surveyId, 'widget');
        return 'widget';
      }
      await this.mailer.send(d);
      await this.surveys.markSent(d.surveyId, 'email');
      this.logger.log({ tenantId: data.tenantId, surveyId: data.surveyId, ticketId: d.ticketId }, 'Survey mailed');
      return 'email';
    });
  }

  /** Batches of 5,000 events until caught up or 20 s have passed (a first run on a big log continues next time). */
  private async catchUp() {
    const total = { events: 0, tickets: 0, surveys: 0 };
    const until = Date.now() + 20_000;
    for (;;) {
      const r = await this.facts.catchUp(5000);
      total.events += r.events;
      total.tickets += r.tickets;
      total.surveys += r.surveys;
      if (r.events < 5000 || Date.now() > until) break;
    }
    if (total.surveys) this.logger.log({ ...total }, 'Facts caught up from the event log');
    return total;
  }

  private async reconcileSurveys() {
    const stale = await this.surveys.stalePending();
    for (const s of stale) await this.surveys.queueDelivery(s);
    return { requeued: stale.length };
  }
}
