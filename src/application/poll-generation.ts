import { GenerationFailed, JobFinished } from '../domain/errors.ts';
import { advanceJob, type Job } from '../domain/job.ts';
import { mutateJob } from './mutate-job.ts';
import type { WorkflowStepDeps } from './workflow-steps.ts';

/** Stage shown while the model runs, when the model names none. */
const RENDERING = 'rendering';

/**
 * Step 2, repeated: asks the model how far it is and writes progress and stage to the job. A job that
 * ended meanwhile (canceled) refuses the write with JobFinished; the generation is canceled then too, so
 * nothing more is billed even if the workflow's own stop did not reach the model.
 */
export class PollGeneration {
  private readonly deps: WorkflowStepDeps;
  constructor(deps: WorkflowStepDeps) {
    this.deps = deps;
  }

  async execute(input: { jobId: string; generationId: string }): Promise<{ done: boolean }> {
    const { jobs, model, clock, logger } = this.deps;
    const status = await model.status(input.generationId);
    if (status.state === 'canceled') throw new GenerationFailed('PROVIDER_FAILED', 'The generation was canceled at the provider');
    // Finished: the next step writes "uploading" and checks the job is still running.
    if (status.state === 'succeeded') return { done: true };
    const progress = status.progress ?? 0;
    const stage = status.stage ?? RENDERING;
    try {
      await mutateJob(jobs, input.jobId, (job) => (changes(job, progress, stage) ? advanceJob(job, { progress, stage }, clock.now()) : job));
    } catch (err) {
      if (err instanceof JobFinished) {
        await model.cancel(input.generationId).catch((e: unknown) => logger.warn({ err: e, jobId: input.jobId }, 'could not cancel the generation of an ended job'));
      }
      throw err;
    }
    return { done: false };
  }
}

/**
 * Writes only what a watcher would notice, and never sends the stage back: a generation picked up again
 * after a restart reports from its start, behind what the job already shows. A finished job is always
 * "changed" so its end is detected.
 */
function changes(job: Job, progress: number, stage: string): boolean {
  if (job.status !== 'processing') return true;
  const reported = Math.min(99, Math.trunc(progress));
  return reported > job.progress || (reported === job.progress && stage !== job.stage);
}
