import type { Job, JobFailure } from '../../domain/job.ts';

/** What the workflow engine says about a job, for reconciling a job record that may lag behind it. */
export type WorkflowState =
  | { status: 'processing' }
  | { status: 'completed'; videoKey: string }
  | { status: 'failed'; failure: JobFailure }
  | { status: 'canceled' };

export interface VideoWorkflow {
  /** Starts generating the job's video. Idempotent per jobId. Returns the execution handle, if any. */
  start(job: Job): Promise<{ executionArn?: string }>;
  /** Stops a running job's workflow. Stopping one that already ended is not an error. */
  stop(job: Job): Promise<void>;
  /**
   * The engine's view of the job, when the job record is not kept current by the workflow itself
   * (aws mode). Local mode keeps records current and returns undefined.
   */
  describe(job: Job): Promise<WorkflowState | undefined>;
}
