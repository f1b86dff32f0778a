/** Queue and job names live here only: renaming one strands the jobs already in Redis. */
export enum QueueName {
  Maintenance = 'maintenance',
  EmailInbound = 'email-inbound',
  EmailOutbound = 'email-outbound',
  Sla = 'sla',
  LinkedIssues = 'linked-issues',
  Insights = 'insights',
}

export enum JobName {
  /** Deletes uploads no message took within a day, and idempotency keys older than a day. */
  Housekeeping = 'maintenance.housekeeping',
  /** Parses and threads one stored inbound mail. */
  EmailProcess = 'email.process',
  /** Re-queues stored mail and queued replies that no job holds (after a crash or a Redis loss). */
  EmailReconcile = 'email.reconcile',
  EmailReply = 'email.reply',
  EmailAck = 'email.ack',
  EmailNotify = 'email.notify',
  /** The alarm clocks of SLA timers: each re-checks its timer in PostgreSQL before acting. */
  SlaWarn = 'sla.warn',
  SlaBreach = 'sla.breach',
  SlaEscalate = 'sla.escalate',
  /** Fires every warning and breach that is due, in one statement per batch (the alarm of a 25 ms time slot). */
  SlaDue = 'sla.due',
  /** Fires due timers that no alarm fired (a wiped Redis, a dead worker) and re-arms the rest. */
  SlaReconcile = 'sla.reconcile',
  /** Tells one linked ticket's customer that its issue shipped (re-checks PostgreSQL; a second run is a no-op). */
  IssueNotify = 'issue.notify',
  /** Tells every linked ticket of a shipped issue that no job told (a crash, a wiped Redis). */
  IssueReconcile = 'issue.reconcile',
  /** Sends one survey in its ticket's channel (a mail with a signed link; chat: the widget fetches the card) once. */
  SurveyDeliver = 'survey.deliver',
  /** Re-queues surveys still pending (a lost job, a dead worker). */
  SurveyReconcile = 'survey.reconcile',
  /** Refreshes the facts of tickets whose events no process refreshed (the projection's catch-up). */
  FactsReconcile = 'insights.facts-reconcile',
}

/** A time slot's alarm: no ids, no personal data; it fires whatever is due when it rings. */
export interface SlaDueJob {
  slot: number;
}

export interface SlaTimerJob {
  tenantId: string;
  timerId: string;
  version: number;
  step?: number;
}

export interface IssueNotifyJob {
  tenantId: string;
  issueId: string;
  ticketId: string;
}

export interface EmailProcessJob {
  tenantId: string;
  inboundId: string;
}

export interface EmailReplyJob {
  tenantId: string;
  ticketId: string;
  messageId: string;
}

export interface EmailAckJob {
  tenantId: string;
  ticketId: string;
  to: string;
  /** What the mail says, decided when the ticket was written (jobs queued before it existed read the ticket instead). */
  mail?: AckMail;
}

/** An acknowledgement as the ingest decides it; its Message-ID is recorded with the ticket's first mail. */
export interface AckMail {
  channelId: string;
  number: number;
  subject: string;
  messageId: string;
  inReplyTo: string | null;
}

export interface EmailNotifyJob {
  tenantId: string;
  ticketId: string;
  userId: string;
  reason: 'assigned' | 'mentioned' | 'escalated';
  excerpt?: string;
}

export interface SurveyDeliverJob {
  tenantId: string;
  surveyId: string;
}

export interface HousekeepingJob {
  orphanHours: number;
  idempotencyHours: number;
}

export const DEFAULT_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  // Failed jobs stay for a week: the evidence of what went wrong.
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;
