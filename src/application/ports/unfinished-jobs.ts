import type { Job } from '../../domain/job.ts';

/** Jobs that have not reached a terminal state: what a restarted local workflow picks up again. */
export interface UnfinishedJobs {
  /** Every pending or processing job, oldest first. */
  listUnfinished(): Promise<Job[]>;
}
