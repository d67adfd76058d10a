import { JobNotReady } from '../domain/errors.js';
import type { GetJob } from './get-job.js';
import type { Clock } from './ports/clock.js';
import type { SignedUrl, VideoStorage } from './ports/video-storage.js';

export class GetVideoUrl {
  constructor(
    private readonly deps: { getJob: GetJob; storage: VideoStorage; clock: Clock; ttlSeconds: number },
  ) {}

  async execute(input: { userId: string; jobId: string }): Promise<SignedUrl> {
    const job = await this.deps.getJob.execute(input);
    if (job.status !== 'completed' || !job.videoKey) throw new JobNotReady(job.jobId, job.status);
    return this.deps.storage.signedUrl(job.videoKey, this.deps.ttlSeconds, this.deps.clock.now());
  }
}
