import { JobFinished } from '../domain/errors.ts';
import { cancelJob, isTerminal, type Job } from '../domain/job.ts';
import type { GetJob } from './get-job.ts';
import { mutateJob } from './mutate-job.ts';
import { settleSpend } from './settle-spend.ts';
import type { Clock } from './ports/clock.ts';
import type { JobRepository } from './ports/job-repository.ts';
import type { Logger } from './ports/logger.ts';
import type { UsageLedger } from './ports/usage-ledger.ts';
import type { VideoModel } from './ports/video-model.ts';
import type { VideoWorkflow } from './ports/video-workflow.ts';

export interface CancelJobDeps {
  getJob: GetJob;
  jobs: JobRepository;
  workflow: VideoWorkflow;
  clock: Clock;
  logger: Logger;
  /** The video model, to stop a running generation's billing (absent: the workflow's stop must do it). */
  model?: VideoModel;
  /** The month's spend: a canceled job's reservation is given back. */
  usage: UsageLedger;
}

/**
 * The record is canceled first, with a conditional write: if completion wins the race, the cancel
 * fails with JOB_FINISHED and the job stays completed; if the cancel wins, the workflow is stopped and
 * its late writes are refused by the same rule (terminal states never change).
 */
export class CancelJob {
  private readonly deps: CancelJobDeps;
  constructor(deps: CancelJobDeps) {
    this.deps = deps;
  }

  async execute(input: { userId: string; jobId: string }): Promise<Job> {
    const { jobs, workflow, clock, logger } = this.deps;
    const job = await this.deps.getJob.execute(input);
    if (isTerminal(job.status)) throw new JobFinished(job.jobId, job.status);
    const canceled = await mutateJob(jobs, job.jobId, (current) => cancelJob(current, clock.now()));
    // Stopping the workflow stops its next poll; only canceling the generation stops the model's billing.
    // A generation that starts after this write is canceled by its own step (StartGeneration).
    const { generationId } = canceled;
    await Promise.all([
      workflow.stop(canceled).catch((err: unknown) => {
        logger.warn({ err, jobId: job.jobId }, 'job canceled but its workflow could not be stopped');
      }),
      generationId && this.deps.model?.cancel(generationId).catch((err: unknown) => {
        logger.warn({ err, jobId: job.jobId, generationId }, 'job canceled but its generation could not be canceled');
      }),
    ]);
    // After the stop: the execution and the billing end first, the month's books after.
    await settleSpend(this.deps.usage, canceled, logger);
    return canceled;
  }
}
