import type { Job, JobStatus } from '../../domain/job.js';

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
  /** Stores a new job; fails if the id exists. */
  create(job: Job): Promise<void>;
  get(jobId: string): Promise<Job | undefined>;
  /**
   * Replaces a job with `next`, only if the stored version is `next.version - 1`.
   * Throws ConcurrentUpdate otherwise, and JobNotFound if it does not exist.
   */
  update(next: Job): Promise<void>;
  /** The user's jobs, newest first (createdAt, then jobId, descending). */
  listByUser(userId: string, query: ListQuery): Promise<JobPage>;
}
