import { JobNotFound } from '../domain/errors.ts';
import type { Job } from '../domain/job.ts';
import { reconcileJob, type ReconcileDeps } from './reconcile-job.ts';

/** A job, only for its owner: another user's job is "not found", never "forbidden". */
export class GetJob {
  private readonly deps: ReconcileDeps;
  constructor(deps: ReconcileDeps) {
    this.deps = deps;
  }

  async execute(input: { userId: string; jobId: string }): Promise<Job> {
    const job = await this.deps.jobs.get(input.jobId);
    if (!job || job.userId !== input.userId) throw new JobNotFound(input.jobId);
    return reconcileJob(job, this.deps);
  }
}
