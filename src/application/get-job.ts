import { JobNotFound } from '../domain/errors.js';
import type { Job } from '../domain/job.js';
import { reconcileJob, type ReconcileDeps } from './reconcile-job.js';

/** A job, only for its owner: another user's job is "not found", never "forbidden". */
export class GetJob {
  constructor(private readonly deps: ReconcileDeps) {}

  async execute(input: { userId: string; jobId: string }): Promise<Job> {
    const job = await this.deps.jobs.get(input.jobId);
    if (!job || job.userId !== input.userId) throw new JobNotFound(input.jobId);
    return reconcileJob(job, this.deps);
  }
}
