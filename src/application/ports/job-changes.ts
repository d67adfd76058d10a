import type { Job } from '../../domain/job.ts';
import type { JobEvent } from '../../domain/job-event.ts';

/**
 * Every committed write of a job, as it happens in this process (local mode): what the event stream
 * shows live (progress included) and what wakes the webhook delivery. Fed only after the seam's write
 * (application/mutate-job.ts) committed, so a watcher never sees a change that was not stored.
 */
export interface JobChanges {
  /** Calls `listener` with each new state of the job. Returns the function that stops watching. */
  watch(jobId: string, listener: (job: Job) => void): () => void;
  /** Calls `listener` after every write that recorded a job event (any job). */
  onEvent(listener: (event: JobEvent) => void): () => void;
}

/** The job events recorded with their changes, not yet handed on (to webhook deliveries). */
export interface JobEventOutbox {
  /** Oldest first, at most `limit`. */
  undispatched(limit: number): Promise<JobEvent[]>;
  /** Handed on: never returned again. Marking one already marked is a no-op. */
  markDispatched(eventIds: readonly string[]): Promise<void>;
}
