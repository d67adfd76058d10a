import { JobFinished } from '../domain/errors.js';
import { advanceJob, completeJob } from '../domain/job.js';
import { mutateJob } from './mutate-job.js';
import type { GeneratedFile } from './ports/video-model.js';
import type { WorkflowStepDeps } from './workflow-steps.js';

/** Progress shown while the finished files are copied into storage. */
export const UPLOADING_PROGRESS = 92;

const IMAGE_EXTENSIONS: Record<string, string> = { 'image/png': 'png', 'image/webp': 'webp' };

/** `videos/{jobId}.jpg` (or .png/.webp, after what the model returned): beside the video. */
export function thumbnailKeyOf(jobId: string, thumbnail: GeneratedFile): string {
  return `videos/${jobId}.${IMAGE_EXTENSIONS[thumbnail.contentType] ?? 'jpg'}`;
}

/**
 * Step 3: copies the finished video (and its thumbnail) into storage at the job's keys, then completes
 * the job. A job that ended meanwhile stays as it is and keeps no files: JobFinished is rethrown.
 */
export class StoreVideo {
  constructor(private readonly deps: WorkflowStepDeps) {}

  async execute(input: { jobId: string; generationId: string }): Promise<{ videoKey: string; thumbnailKey?: string }> {
    const { jobs, model, store, clock } = this.deps;
    const { jobId } = input;
    await mutateJob(jobs, jobId, (job) => advanceJob(job, { progress: UPLOADING_PROGRESS, stage: 'uploading' }, clock.now()));
    const { video, thumbnail } = await model.result(input.generationId);
    const videoKey = `videos/${jobId}.mp4`;
    const thumbnailKey = thumbnail ? thumbnailKeyOf(jobId, thumbnail) : undefined;
    await store.put(videoKey, video.body, video.contentType);
    if (thumbnail && thumbnailKey) await store.put(thumbnailKey, thumbnail.body, thumbnail.contentType);
    try {
      await mutateJob(jobs, jobId, (job) => completeJob(job, videoKey, clock.now(), thumbnailKey));
    } catch (err) {
      // Canceled while the files were copied: a job without a video keeps no video.
      if (err instanceof JobFinished) await Promise.all([videoKey, thumbnailKey].map((key) => key && store.remove(key).catch(() => undefined)));
      throw err;
    }
    return thumbnailKey ? { videoKey, thumbnailKey } : { videoKey };
  }
}
