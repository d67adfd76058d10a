import { advanceJob, cancelJob, completeJob, failJob, isTerminal, markSynced, type Job } from '../domain/job.ts';
import { mutateJob } from './mutate-job.ts';
import { settleSpend } from './settle-spend.ts';
import type { Clock } from './ports/clock.ts';
import type { JobRepository } from './ports/job-repository.ts';
import type { Logger } from './ports/logger.ts';
import type { UsageLedger } from './ports/usage-ledger.ts';
import type { VideoWorkflow, WorkflowState } from './ports/video-workflow.ts';

export interface ReconcileDeps {
  jobs: JobRepository;
  workflow: VideoWorkflow;
  clock: Clock;
  logger: Logger;
  /** A running job is compared with the workflow engine at most this often. */
  syncIntervalMs: number;
  /** The month's spend: a job this ends is settled (its workflow could not say so itself). */
  usage: UsageLedger;
}

function apply(job: Job, state: WorkflowState, now: Date): Job {
  if (isTerminal(job.status)) return job;
  switch (state.status) {
    case 'completed':
      return completeJob(job, state.videoKey, now);
    case 'failed':
      return failJob(job, state.failure, now);
    case 'canceled':
      return cancelJob(job, now);
    case 'processing':
      // One change, one version bump: the conditional write expects exactly version + 1, so chaining
      // markSynced(advanceJob(…)) (two bumps) was refused every time and the job never left pending.
      if (job.status === 'pending') return { ...advanceJob(job, { progress: job.progress }, now), syncedAt: now.toISOString() };
      return markSynced(job, now);
  }
}

/**
 * Brings a running job's record up to date with the workflow engine, when it was last synced more than
 * `syncIntervalMs` ago. A failing engine leaves the stored job as it is: a slightly stale status beats
 * an error, and readiness reports the dependency.
 */
export async function reconcileJob(job: Job, deps: ReconcileDeps): Promise<Job> {
  if (isTerminal(job.status)) return job;
  const now = deps.clock.now();
  const last = Date.parse(job.syncedAt ?? job.createdAt);
  if (now.getTime() - last < deps.syncIntervalMs) return job;
  try {
    const state = await deps.workflow.describe(job);
    if (!state) return job;
    const synced = await mutateJob(deps.jobs, job.jobId, (current) => apply(current, state, deps.clock.now()));
    await settleSpend(deps.usage, synced, deps.logger);
    return synced;
  } catch (err) {
    deps.logger.warn({ err, jobId: job.jobId }, 'could not reconcile job with the workflow');
    return job;
  }
}
