import { JobFinished } from '../domain/errors.ts';
import { advanceJob, completeJob, type Job } from '../domain/job.ts';
import { finalCostMicroUsd, generationOf, microToUsd } from '../domain/job-options.ts';
import { mutateJob } from './mutate-job.ts';
import { settleSpend } from './settle-spend.ts';
import type { GeneratedFile } from './ports/video-model.ts';
import type { StoreVideoDeps } from './workflow-steps.ts';

/** Progress shown while the finished files are copied into storage. */
export const UPLOADING_PROGRESS = 92;

const IMAGE_EXTENSIONS: Record<string, string> = { 'image/png': 'png', 'image/webp': 'webp' };

/** `videos/{jobId}.jpg` (or .png/.webp, after what the model returned): beside the video. */
export function thumbnailKeyOf(jobId: string, thumbnail: GeneratedFile): string {
  return `videos/${jobId}.${IMAGE_EXTENSIONS[thumbnail.contentType] ?? 'jpg'}`;
}

/** Where in the video a thumbnail is taken when the model made none: past a fade-in, inside a short clip. */
export function thumbnailTime(durationSeconds: number): number {
  return Math.min(1, durationSeconds / 2);
}

/**
 * Step 3: checks the finished video is a playable MP4 and reads its facts (NotPlayableVideo, which ends the
 * job PROVIDER_FAILED, otherwise), takes a frame for its thumbnail when the model made none, copies both into
 * storage at the job's keys, then completes the job and settles its cost in the month's spend. A job that ended meanwhile stays as it is and keeps no
 * files: JobFinished is rethrown.
 */
export class StoreVideo {
  private readonly deps: StoreVideoDeps;
  constructor(deps: StoreVideoDeps) {
    this.deps = deps;
  }

  async execute(input: { jobId: string; generationId: string }): Promise<{ videoKey: string; thumbnailKey?: string }> {
    const { jobs, model, store, clock, probe, frames } = this.deps;
    const { jobId } = input;
    await mutateJob(jobs, jobId, (job) => advanceJob(job, { progress: UPLOADING_PROGRESS, stage: 'uploading' }, clock.now()));
    const result = await model.result(input.generationId);
    const { video } = result;
    // Before anything is stored: a file that is not a playable video never gets a key, let alone a URL.
    const facts = await probe.probe(video.body);
    const thumbnail = result.thumbnail ?? (await frames.frame(video.body, thumbnailTime(facts.durationSeconds)));
    const videoKey = `videos/${jobId}.mp4`;
    const thumbnailKey = thumbnailKeyOf(jobId, thumbnail);
    await store.put(videoKey, video.body, facts.contentType);
    await store.put(thumbnailKey, thumbnail.body, thumbnail.contentType);
    try {
      const completed = await mutateJob(jobs, jobId, (job) => completeJob(job, videoKey, clock.now(), thumbnailKey, facts, this.costOf(job, result.runSeconds)));
      await settleSpend(this.deps.usage, completed, this.deps.logger);
    } catch (err) {
      // Canceled while the files were copied: a job without a video keeps no video.
      if (err instanceof JobFinished) await Promise.all([videoKey, thumbnailKey].map((key) => store.remove(key).catch(() => undefined)));
      throw err;
    }
    return { videoKey, thumbnailKey };
  }

  /** What the delivered video cost: the provider's run time where the model is priced by it, else the catalogue price. */
  private costOf(job: Job, runSeconds: number | undefined): number | undefined {
    if (job.estimatedCostUsd === undefined) return undefined;
    const generation = generationOf(this.deps.catalogue, job);
    if (!generation) return undefined;
    return microToUsd(finalCostMicroUsd(generation.model, generation.settings, { delivered: true, ...(runSeconds === undefined ? {} : { runSeconds }) }));
  }
}
