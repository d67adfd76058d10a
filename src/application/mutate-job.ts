import { ConcurrentUpdate, JobNotFound } from '../domain/errors.js';
import type { Job } from '../domain/job.js';
import type { JobRepository } from './ports/job-repository.js';

const MAX_ATTEMPTS = 10;

/**
 * Read → change → conditional write, retried when another writer got there first. `change` sees the
 * latest stored job each time, so domain rules (terminal states never change) hold under races.
 */
export async function mutateJob(jobs: JobRepository, jobId: string, change: (job: Job) => Job): Promise<Job> {
  for (let attempt = 1; ; attempt++) {
    const current = await jobs.get(jobId);
    if (!current) throw new JobNotFound(jobId);
    const next = change(current);
    if (next === current) return current;
    try {
      await jobs.update(next);
      return next;
    } catch (err) {
      if (!(err instanceof ConcurrentUpdate) || attempt >= MAX_ATTEMPTS) throw err;
    }
  }
}
