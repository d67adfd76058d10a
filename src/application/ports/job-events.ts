import type { Job } from '../../domain/job.js';

/** Pushes job changes to whoever watches a job (live progress). */
export interface JobEvents {
  /** Calls `listener` with each new state of the job. Returns the function that stops watching. */
  watch(jobId: string, listener: (job: Job) => void): () => void;
}
