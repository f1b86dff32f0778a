/** Queue and job names live here only: renaming one strands the jobs already in Redis. */
export enum QueueName {
  Maintenance = 'maintenance',
}

export enum JobName {
  /** Deletes uploads no message took within a day, and idempotency keys older than a day. */
  Housekeeping = 'maintenance.housekeeping',
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
