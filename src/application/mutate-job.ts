import { ConcurrentUpdate, JobNotFound } from '../domain/errors.ts';
import type { Job } from '../domain/job.ts';
import { jobEventFor } from '../domain/job-event.ts';
import type { JobRepository } from './ports/job-repository.ts';

// The one seam through which a job changes: every write of a job goes through here, and the event a
// change of status makes (domain/job-event.ts) is handed to the repository, which records it in the same
// atomic write as the job (an outbox: never a change without its event, never an event without its change).

const MAX_ATTEMPTS = 10;

/** Saves a new job together with its `job.created` event. */
export async function saveNewJob(jobs: JobRepository, job: Job): Promise<void> {
  await jobs.create(job, jobEventFor(undefined, job));
}

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
      await jobs.update(next, jobEventFor(current, next));
      return next;
    } catch (err) {
      if (!(err instanceof ConcurrentUpdate) || attempt >= MAX_ATTEMPTS) throw err;
    }
  }
}
