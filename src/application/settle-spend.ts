import { isTerminal, type Job } from '../domain/job.ts';
import { usdToMicro } from '../domain/job-options.ts';
import { periodOf } from '../domain/quota.ts';
import type { Logger } from './ports/logger.ts';
import type { UsageLedger } from './ports/usage-ledger.ts';

/**
 * A job ended: the month it was accepted in (where its estimate was reserved) now counts its actual cost
 * instead — 0 for a failed or canceled job. Called after every write that ends a job; the ledger applies it
 * once per job, so a retried step or a second caller changes nothing. A ledger that cannot be reached is
 * logged and leaves the estimate in place (the month then counts too much, never too little).
 */
export async function settleSpend(usage: UsageLedger, job: Job, logger: Logger): Promise<void> {
  if (!isTerminal(job.status) || job.estimatedCostUsd === undefined || job.costUsd === undefined) return;
  const period = periodOf(new Date(job.createdAt));
  await usage.settle(job.userId, period, job.jobId, usdToMicro(job.estimatedCostUsd), usdToMicro(job.costUsd)).catch((err: unknown) => {
    logger.error({ err, jobId: job.jobId, userId: job.userId, period }, 'could not settle the job\'s cost in the month\'s spend; its estimate stays counted');
  });
}
