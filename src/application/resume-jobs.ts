import { failureOf } from '../domain/failure-codes.ts';
import { failJob, isTerminal } from '../domain/job.ts';
import { mutateJob } from './mutate-job.ts';
import type { Clock } from './ports/clock.ts';
import type { JobRepository } from './ports/job-repository.ts';
import type { Logger } from './ports/logger.ts';
import type { UnfinishedJobs } from './ports/unfinished-jobs.ts';
import type { VideoWorkflow } from './ports/video-workflow.ts';

export const WORKFLOW_INTERRUPTED = 'LOCAL_WORKFLOW_INTERRUPTED' as const;

export interface ResumeJobsDeps {
  jobs: JobRepository;
  unfinished: UnfinishedJobs;
  workflow: VideoWorkflow;
  clock: Clock;
  logger: Logger;
}

export interface ResumeReport {
  resumed: number;
  failed: number;
}

/**
 * After a restart, hands every job that was pending or processing back to the workflow (whose start is
 * idempotent per job). A job the workflow will not take is failed with a code that says why, so no job
 * is left pending forever.
 */
export class ResumeJobs {
  private readonly deps: ResumeJobsDeps;
  constructor(deps: ResumeJobsDeps) {
    this.deps = deps;
  }

  async execute(): Promise<ResumeReport> {
    const { jobs, unfinished, workflow, clock, logger } = this.deps;
    const report: ResumeReport = { resumed: 0, failed: 0 };
    for (const job of await unfinished.listUnfinished()) {
      try {
        await workflow.start(job);
        report.resumed++;
      } catch (err) {
        logger.error({ err, jobId: job.jobId }, 'interrupted job could not be resumed; marking it failed');
        const failure = failureOf(WORKFLOW_INTERRUPTED);
        // A job that ended meanwhile (canceled by another process on the same store) stays as it is.
        await mutateJob(jobs, job.jobId, (current) => (isTerminal(current.status) ? current : failJob(current, failure, clock.now())));
        report.failed++;
      }
    }
    if (report.resumed + report.failed > 0) logger.info({ ...report }, 'jobs interrupted by the last stop were picked up again');
    return report;
  }
}
