import type { Job, JobStatus } from '../../domain/job.ts';
import type { JobEvent } from '../../domain/job-event.ts';

/** Where a page of a user's jobs ended: the last job's sort key. Encoded into an opaque cursor elsewhere. */
export interface JobPosition {
  createdAt: string;
  jobId: string;
}

export interface JobPage {
  jobs: Job[];
  /** Present when more jobs may follow. */
  next?: JobPosition;
}

export interface ListQuery {
  limit: number;
  after?: JobPosition;
  status?: JobStatus;
}

export interface JobRepository {
  /**
   * Stores a new job; fails if the id exists. `event` (its `job.created`) is recorded in the same atomic
   * write, in the outbox that job events are read from (JobEventOutbox). Only application/mutate-job.ts calls this.
   */
  create(job: Job, event?: JobEvent): Promise<void>;
  get(jobId: string): Promise<Job | undefined>;
  /**
   * Replaces a job with `next`, only if the stored version is `next.version - 1`.
   * Throws ConcurrentUpdate otherwise, and JobNotFound if it does not exist. `event`, when the write
   * changes the status, is recorded atomically with it (both or neither). Only mutate-job.ts calls this.
   */
  update(next: Job, event?: JobEvent): Promise<void>;
  /** The user's jobs, newest first (createdAt, then jobId, descending). */
  listByUser(userId: string, query: ListQuery): Promise<JobPage>;
}
