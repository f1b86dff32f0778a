import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { EmailAckJob, EmailNotifyJob, EmailProcessJob, EmailReplyJob, JobName, QueueName } from '@crewdesk/queue';
import { TicketEventBus, TicketEventRecord } from '@crewdesk/tickets';
import { TurnBatch } from '@crewdesk/common';
import { Env } from '@crewdesk/config';

/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * Turns committed ticket events into mail jobs: public staff replies on email tickets, and notifications of
 * assignments and mentions. Job ids are deterministic, so the reconciler re-adding a job is harmless.
 */
@Injectable()
export class EmailDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(EmailDispatcher.name);
  private unsubscribe?: () => void;

  constructor(
    private readonly bus: TicketEventBus,
    @InjectQueue(QueueName.EmailOutbound) private readonly outbound: Queue,
    @InjectQueue(QueueName.EmailInbound) private readonly inbound: Queue,
    private readonly env: Env,
  ) {}

  onApplicationBootstrap(): void {
    this.unsubscribe = this.bus.subscribe((event) => this.onEvent(event));
  }

  onApplicationShutdown(): void {
    this.unsubscribe?.();
  }

  private async onEvent(event: TicketEventRecord): Promise<void> {
    const d = event.data as any;
    try {
      if (event.type === 'message.created') {
        const m = d.message ?? {};
        const staff = m.authorType === 'user' || m.authorType === 'api_key';
        if (staff && !m.internal && d.channel === 'email')
          await this.reply({ tenantId: event.tenantId, ticketId: event.ticketId, messageId: m.id });
        for (const userId of (m.mentions ?? []) as string[]) {
          if (userId === m.authorId) continue;
          await this.notify(
            {
              tenantId: event.tenantId,
              ticketId: event.ticketId,
              userId,
              reason: 'mentioned',
              excerpt: String(m.body ?? '').slice(0, 2000),
            },
            event.id,
          );
        }
      }
      if (event.type === 'sla.escalated' || event.type === 'ticket.escalated') {
        // An escalation mail carries the reason; the person answers by replying to it (a signed reply address).
        for (const userId of (d.notify ?? []) as string[]) {
          await this.notify(
            {
              tenantId: event.tenantId,
              ticketId: event.ticketId,
              userId,
              reason: 'escalated',
              ...(d.reason ? { excerpt: String(d.reason).slice(0, 2000) } : {}),
            },
            event.id,
          );
        }
      }
      if (event.type === 'ticket.assigned') {
        const to = d.changes?.assigneeId?.to;
        if (to && to !== event.actorId)
          await this.notify(
            { tenantId: event.tenantId, ticketId: event.ticketId, userId: to, reason: 'assigned' },
            event.id,
          );
      }
    } catch (err) {
      // Replies are re-queued by the reconciler from their `queued` state; a lost notification is only logged.
      this.logger.warn({ err, eventId: event.id }, 'Could not queue mail for an event');
    }
  }

  reply(job: EmailReplyJob) {
    return this.outbound.add(JobName.EmailReply, job, {
      jobId: `reply-${job.messageId}`,
      attempts: this.env.EMAIL_RETRY_ATTEMPTS,
      backoff: { type: 'exponential', delay: this.env.EMAIL_RETRY_DELAY_MS },
    });
  }

  /** Acknowledgements asked for in one turn (the new tickets of one write batch): one Redis round trip for all. */
  private readonly acks = new TurnBatch<EmailAckJob>(async (jobs) => {
    await this.outbound.addBulk(
      jobs.map((job) => ({ name: JobName.EmailAck, data: job, opts: { jobId: `ack-${job.ticketId}`, attempts: 4 } })),
    );
  });

  /** Queues an acknowledgement; resolves once its job is queued (with those asked for in the same turn). */
  acknowledge(job: EmailAckJob): Promise<void> {
    return this.acks.add(job);
  }

  notify(job: EmailNotifyJob, eventId: string) {
    return this.outbound.add(JobName.EmailNotify, job, { jobId: `notify-${eventId}-${job.userId}`, attempts: 4 });
  }

  process(job: EmailProcessJob) {
    return this.inbound.add(JobName.EmailProcess, job, {
      jobId: `mail-${job.inboundId}`,
      attempts: 5,
      backoff: { type: 'exponential', delay: 2000 },
    });
  }
}
