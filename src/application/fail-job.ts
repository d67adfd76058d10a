import { JobFinished } from '../domain/errors.js';
import { failJob, type JobFailure } from '../domain/job.js';
import { mutateJob } from './mutate-job.js';
import type { WorkflowStepDeps } from './workflow-steps.js';

/** What a user reads for each failure code; the engine's own error text (stack traces) never shows. */
export const FAILURE_MESSAGES: Readonly<Record<string, string>> = {
  PROVIDER_REJECTED: 'The video model refused this prompt (for example its content policy); try another prompt',
  PROVIDER_FAILED: 'The video model could not generate this video',
  PROVIDER_TIMEOUT: 'The video model took too long; the generation was stopped',
};

/**
 * The end of every failure path: the job becomes `failed` with a stable code, and its generation is
 * canceled (after a timeout the model may still be running, and billing). A job that already ended
 * (canceled, completed) is left as it is.
 */
export class FailJob {
  constructor(
    private readonly deps: WorkflowStepDeps & {
      /** The code for errors that are not the model's (a bug, storage down after retries). */
      fallbackCode: string;
    },
  ) {}

  async execute(input: { jobId: string; error: string }): Promise<JobFailure> {
    const { jobs, model, clock, logger, fallbackCode } = this.deps;
    const code = input.error in FAILURE_MESSAGES ? input.error : fallbackCode;
    const failure = { code, message: FAILURE_MESSAGES[code] ?? 'The video could not be generated' };
    try {
      const failed = await mutateJob(jobs, input.jobId, (job) => failJob(job, failure, clock.now()));
      if (failed.generationId) {
        await model.cancel(failed.generationId).catch((err: unknown) => logger.warn({ err, jobId: input.jobId }, 'could not cancel the generation of a failed job'));
      }
    } catch (err) {
      if (!(err instanceof JobFinished)) throw err;
    }
    return failure;
  }
}
