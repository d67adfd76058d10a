import { JobNotReady } from '../domain/errors.ts';
import type { GetJob } from './get-job.ts';
import type { Clock } from './ports/clock.ts';
import type { SignedUrl, VideoStorage } from './ports/video-storage.ts';

export class GetVideoUrl {
  private readonly deps: { getJob: GetJob; storage: VideoStorage; clock: Clock; ttlSeconds: number };
  constructor(
    deps: { getJob: GetJob; storage: VideoStorage; clock: Clock; ttlSeconds: number },
  ) {
    this.deps = deps;
  }

  /** The video's URL, and its thumbnail's (valid as long) when the job has one. */
  async execute(input: { userId: string; jobId: string }): Promise<SignedUrl & { thumbnailUrl?: string }> {
    const job = await this.deps.getJob.execute(input);
    if (job.status !== 'completed' || !job.videoKey) throw new JobNotReady(job.jobId, job.status);
    const { storage, ttlSeconds } = this.deps;
    const now = this.deps.clock.now();
    const [video, thumbnail] = await Promise.all([
      storage.signedUrl(job.videoKey, ttlSeconds, now),
      // The thumbnail is an extra: if it cannot be signed (deleted, say), the video is still handed out.
      job.thumbnailKey ? storage.signedUrl(job.thumbnailKey, ttlSeconds, now).catch(() => undefined) : undefined,
    ]);
    return thumbnail ? { ...video, thumbnailUrl: thumbnail.url } : video;
  }
}
