import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { IdempotencyKeyReused, QuotaExceeded, ServiceUnavailable, SpendLimitExceeded, ValidationError } from '../domain/errors.ts';
import { attachExecution, failJob, isTerminal, newJob, parseCategory, parsePrompt, type Job } from '../domain/job.ts';
import { failureOf } from '../domain/failure-codes.ts';
import { givenOptions, microToUsd, resolveOptions, usdToMicro, type JobOptions } from '../domain/job-options.ts';
import type { ModelCatalogue, StartImageLimits } from '../domain/model-catalogue.ts';
import { periodEnd, periodOf } from '../domain/quota.ts';
import type { CheckStartImage } from './check-start-image.ts';
import { mutateJob, saveNewJob } from './mutate-job.ts';
import type { Clock } from './ports/clock.ts';
import type { IdGenerator } from './ports/id-generator.ts';
import type { IdempotencyStore } from './ports/idempotency-store.ts';
import type { JobRepository } from './ports/job-repository.ts';
import type { Logger } from './ports/logger.ts';
import type { UsageLedger } from './ports/usage-ledger.ts';
import type { VideoWorkflow } from './ports/video-workflow.ts';

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

export interface CreateJobInput {
  userId: string;
  prompt: unknown;
  category: unknown;
  /** The video options (model, durationSeconds, …), each checked against the chosen model. */
  options?: JobOptions;
  idempotencyKey?: string;
  /** A one-off `webhook: { url, events? }` for this job's events (docs/webhooks.md). */
  webhook?: unknown;
}

/** Checks a job's one-off webhook before the job exists; the function it returns stores it under the job's id. */
export interface JobWebhookRegistrar {
  prepareJobWebhook(userId: string, raw: unknown): Promise<(jobId: string) => Promise<void>>;
}

export interface CreateJobResult {
  job: Job;
  /** True when an earlier request with the same Idempotency-Key and body created this job. */
  replayed: boolean;
}

export interface CreateJobDeps {
  jobs: JobRepository;
  usage: UsageLedger;
  idempotency: IdempotencyStore;
  workflow: VideoWorkflow;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  quotaPerMonth: number;
  catalogue: ModelCatalogue;
  /** Checks a job's start image (an upload) and makes the job its own copy; absent where uploads are not offered. */
  checkStartImage?: CheckStartImage;
  /** Absent where webhooks are not available (aws mode for now): a job asking for one is refused. */
  jobWebhooks?: JobWebhookRegistrar;
  /** SPEND_LIMIT_USD_PER_MONTH: the month's cap on a user's estimated costs; none when absent. */
  spendLimitUsdPerMonth?: number;
}

/** Idempotency key → quota (atomic) → save job → start workflow, compensating each step that came before. */
export class CreateJob {
  private readonly deps: CreateJobDeps;
  constructor(deps: CreateJobDeps) {
    this.deps = deps;
  }

  async execute(input: CreateJobInput): Promise<CreateJobResult> {
    const prompt = parsePrompt(input.prompt);
    const category = parseCategory(input.category);
    const options = givenOptions(input.options ?? {});
    const resolved = resolveOptions(this.deps.catalogue, category, options);
    const { jobs, usage, clock, ids } = this.deps;
    const now = clock.now();
    const generation = {
      options, model: resolved.model.id, provider: resolved.model.provider, settings: resolved.settings,
      estimatedCostUsd: microToUsd(resolved.estimatedCostMicroUsd),
    };
    const job = newJob({ jobId: ids.newId(), userId: input.userId, prompt, category, now, generation });
    const key = input.idempotencyKey;
    const saveWebhook = await this.prepareWebhook(input.userId, input.webhook);

    if (key !== undefined) {
      // Every option is covered; a body without options hashes as it did before options existed, so keys
      // stored then still match.
      const body = Object.keys(options).length === 0 ? [input.prompt, input.category] : [input.prompt, input.category, options];
      if (input.webhook !== undefined) body.push({ webhook: input.webhook });
      const fingerprint = createHash('sha256').update(JSON.stringify(body)).digest('hex');
      const earlier = await this.claimKey(input.userId, key, fingerprint, job.jobId);
      if (earlier) return { job: earlier, replayed: true };
    }
    if (options.startImage !== undefined) await this.startImage(input.userId, options.startImage, job.jobId, key, resolved.model.startImageLimits);
    const period = periodOf(now);
    const limit = this.deps.quotaPerMonth;
    const spendLimit = this.deps.spendLimitUsdPerMonth;
    // The estimated cost is reserved in the same conditional write as the quota unit: exact under concurrency.
    const spend = { costMicroUsd: resolved.estimatedCostMicroUsd, ...(spendLimit === undefined ? {} : { limitMicroUsd: usdToMicro(spendLimit) }) };
    const counted = await usage.consume(input.userId, period, limit, spend, job.jobId).catch(async (err: unknown) => {
      await this.releaseKey(input.userId, key, job.jobId);
      throw err;
    });
    if (counted !== true) {
      await this.releaseKey(input.userId, key, job.jobId);
      const resetsAt = periodEnd(period).toISOString();
      if (counted === 'spend') throw new SpendLimitExceeded(spendLimit ?? 0, microToUsd(resolved.estimatedCostMicroUsd), period, resetsAt);
      throw new QuotaExceeded(limit, period, resetsAt);
    }
    try {
      // The webhook first: the job's first event (job.created, recorded with the job) must find it.
      await saveWebhook?.(job.jobId);
      await saveNewJob(jobs, job);
    } catch (err) {
      await this.giveBack(input.userId, period, key, job.jobId, job.estimatedCostUsd);
      throw err;
    }
    return { job: await this.start(job, period, key), replayed: false };
  }

  /**
   * The upload a job names is checked before any quota is spent, and copied to the job's own key
   * (check-start-image.ts): a file that is not what was declared never reaches a provider.
   */
  private async startImage(userId: string, uploadId: string, jobId: string, key: string | undefined, limits: StartImageLimits | undefined): Promise<void> {
    try {
      if (!this.deps.checkStartImage) throw new ValidationError('startImage', 'unsupported', 'start images cannot be uploaded in this deployment yet');
      await this.deps.checkStartImage.execute({ userId, uploadId, jobId, limits });
    } catch (err) {
      await this.releaseKey(userId, key, jobId);
      throw err;
    }
  }

  private async start(job: Job, period: string, key: string | undefined): Promise<Job> {
    const { jobs, workflow, clock, logger } = this.deps;
    let executionArn: string | undefined;
    try {
      ({ executionArn } = await workflow.start(job));
    } catch (err) {
      logger.error({ err, jobId: job.jobId }, 'workflow could not be started; job marked failed, quota unit refunded');
      const failure = failureOf('WORKFLOW_START_FAILED');
      await mutateJob(jobs, job.jobId, (j) => failJob(j, failure, clock.now())).catch((e: unknown) =>
        logger.error({ err: e, jobId: job.jobId }, 'could not mark job failed'),
      );
      await this.giveBack(job.userId, period, key, job.jobId, job.estimatedCostUsd);
      throw new ServiceUnavailable('The video workflow could not be started; no quota was used. Please retry.', 5, {
        cause: err,
      });
    }
    if (!executionArn) return job;
    const arn = executionArn;
    // The job id is out (a concurrent duplicate replays it) before start() returns, so the job may already
    // be canceled: attaching would throw JOB_FINISHED at the caller of POST /jobs. Keep the job as it is,
    // and stop the execution, which a cancel that came before it existed could not.
    const current = await mutateJob(jobs, job.jobId, (j) =>
      j.executionArn || isTerminal(j.status) ? j : attachExecution(j, arn, clock.now()),
    );
    if (current.status === 'canceled') {
      await workflow.stop(current).catch((err: unknown) => {
        logger.warn({ err, jobId: job.jobId }, 'job canceled while starting; its workflow could not be stopped');
      });
    }
    return current;
  }

  private async prepareWebhook(userId: string, raw: unknown): Promise<((jobId: string) => Promise<void>) | undefined> {
    if (raw === undefined) return undefined;
    if (!this.deps.jobWebhooks) throw new ValidationError('webhook', 'unsupported', 'webhook is not available in this deployment yet');
    return this.deps.jobWebhooks.prepareJobWebhook(userId, raw);
  }

  /** Returns the job an earlier request made with this key, or undefined once this request holds the key. */
  private async claimKey(userId: string, key: string, fingerprint: string, jobId: string): Promise<Job | undefined> {
    const { idempotency, jobs, clock } = this.deps;
    for (let attempt = 1; attempt <= 100; attempt++) {
      const now = clock.now();
      const expiresAt = new Date(now.getTime() + IDEMPOTENCY_TTL_MS).toISOString();
      const held = await idempotency.reserve({ userId, key, fingerprint, jobId, expiresAt }, now);
      if (!held) return undefined;
      if (held.fingerprint !== fingerprint) throw new IdempotencyKeyReused();
      const job = await jobs.get(held.jobId);
      if (job) return job;
      // A concurrent request with the same key is between claiming it and saving its job: wait for it.
      await sleep(Math.min(5 * attempt, 50));
    }
    throw new ServiceUnavailable('A request with this Idempotency-Key is still in progress', 1);
  }

  private async giveBack(userId: string, period: string, key: string | undefined, jobId: string, costUsd: number | undefined): Promise<void> {
    await this.deps.usage
      .refund(userId, period, usdToMicro(costUsd ?? 0), jobId)
      .catch((err: unknown) => this.deps.logger.error({ err, userId, period }, 'quota refund failed'));
    await this.releaseKey(userId, key, jobId);
  }

  private async releaseKey(userId: string, key: string | undefined, jobId: string): Promise<void> {
    if (key === undefined) return;
    await this.deps.idempotency
      .release(userId, key, jobId)
      .catch((err: unknown) => this.deps.logger.error({ err, userId }, 'idempotency key release failed'));
  }
}
