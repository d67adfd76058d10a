import { JobFinished } from '../domain/errors.ts';
import { failJob, type Job, type JobFailure } from '../domain/job.ts';
import { failureOf, GENERATION_FAILURE_CODES, type FailureCode } from '../domain/failure-codes.ts';
import { mutateJob } from './mutate-job.ts';
import type { UsageLedger } from './ports/usage-ledger.ts';
import { settleSpend } from './settle-spend.ts';
import type { WorkflowStepDeps } from './workflow-steps.ts';

const MODEL_CODES: ReadonlySet<string> = new Set(GENERATION_FAILURE_CODES);

/**
 * The end of every failure path: the job becomes `failed` with a stable code, its reserved cost is given
 * back to the month's spend, and its generation is canceled (after a timeout the model may still be
 * running, and billing). A job that already ended (canceled, completed) is left as it is.
 */
export class FailJob {
  private readonly deps: WorkflowStepDeps & {
      /** The code for errors that are not the model's (a bug, storage down after retries). */
      fallbackCode: FailureCode;
      /** The month's spend: a failed job's reservation is given back. */
      usage: UsageLedger;
    };
  constructor(
    deps: WorkflowStepDeps & {
      /** The code for errors that are not the model's (a bug, storage down after retries). */
      fallbackCode: FailureCode;
      /** The month's spend: a failed job's reservation is given back. */
      usage: UsageLedger;
    },
  ) {
    this.deps = deps;
  }

  async execute(input: { jobId: string; error: string }): Promise<JobFailure> {
    const { jobs, model, clock, logger, fallbackCode } = this.deps;
    // Only the model's own codes pass through by name; anything else (a bug, States.TaskFailed) is the fallback.
    const failure = failureOf(MODEL_CODES.has(input.error) ? (input.error as FailureCode) : fallbackCode);
    try {
      const failed = await mutateJob(jobs, input.jobId, (job) => failJob(job, failure, clock.now()));
      await settleSpend(this.deps.usage, failed, logger);
      if (failed.generationId) {
        await model.cancel(failed.generationId).catch((err: unknown) => logger.warn({ err, jobId: input.jobId }, 'could not cancel the generation of a failed job'));
      }
    } catch (err) {
      if (!(err instanceof JobFinished)) throw err;
      // Ended already. Whatever ended it may have stopped before settling (a step that crashed after its
      // write, then retried into here): settling again is a no-op when it did not.
      // JobFinished means it was read, ended; jobs are never deleted.
      await settleSpend(this.deps.usage, (await jobs.get(input.jobId)) as Job, logger);
    }
    return failure;
  }
}
