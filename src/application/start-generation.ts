import { GenerationFailed, JobFinished, JobNotFound } from '../domain/errors.ts';
import { generationOf } from '../domain/job-options.ts';
import { isTerminal, startGeneration } from '../domain/job.ts';
import { jobInputKey, START_IMAGE_URL_TTL_SECONDS } from '../domain/upload.ts';
import { mutateJob } from './mutate-job.ts';
import type { StartGenerationDeps } from './workflow-steps.ts';

/**
 * Step 1: the job starts running and the model starts generating, given a signed URL of the job's start
 * image when it has one. The model's id is stored on the job (a cancel needs it to stop the billing).
 * Running it again for a job that already has one — a retried step, a restarted local server — returns
 * that id and starts nothing.
 */
export class StartGeneration {
  private readonly deps: StartGenerationDeps;
  constructor(deps: StartGenerationDeps) {
    this.deps = deps;
  }

  async execute(input: { jobId: string }): Promise<{ generationId: string }> {
    const { jobs, model, clock, logger } = this.deps;
    const job = await jobs.get(input.jobId);
    if (!job) throw new JobNotFound(input.jobId);
    if (isTerminal(job.status)) throw new JobFinished(job.jobId, job.status);
    if (job.generationId) return { generationId: job.generationId };
    const generation = generationOf(this.deps.catalogue, job);
    if (!generation) throw new GenerationFailed('PROVIDER_FAILED', `The model ${job.model ?? ''} is no longer in the catalogue`);
    const startImageUrl = generation.settings.startImage === undefined ? undefined : await this.startImageUrl(job.jobId);
    const { generationId } = await model.start({ jobId: job.jobId, prompt: job.prompt, ...generation, startImageUrl });
    let kept = generationId;
    try {
      await mutateJob(jobs, job.jobId, (current) => {
        // A concurrent run of this step got there first: keep its generation, drop ours below.
        if (current.generationId) return ((kept = current.generationId), current);
        return startGeneration(current, generationId, clock.now());
      });
    } catch (err) {
      // Canceled while the model was starting: the cancel could not know this id, so stop it here.
      kept = '';
      throw err;
    } finally {
      if (kept !== generationId) {
        await model.cancel(generationId).catch((e: unknown) => logger.warn({ err: e, jobId: job.jobId, generationId }, 'could not cancel an unused generation'));
      }
    }
    return { generationId: kept };
  }

  /** A short-lived signed GET URL of the job's own copy of its start image (made when the job was accepted). */
  private async startImageUrl(jobId: string): Promise<string> {
    const { startImages, clock } = this.deps;
    // A deployment wired without it is a bug, not the model's fault: the workflow's fallback code.
    if (!startImages) throw new Error('this workflow cannot hand a start image to the provider: no start-image storage was given');
    return (await startImages.signedUrl(jobInputKey(jobId), START_IMAGE_URL_TTL_SECONDS, clock.now())).url;
  }
}
