import { CancelJob } from './cancel-job.ts';
import { CheckStartImage } from './check-start-image.ts';
import { CreateJob, type JobWebhookRegistrar } from './create-job.ts';
import { CreateUpload } from './create-upload.ts';
import { GetJob } from './get-job.ts';
import { GetUsage } from './get-usage.ts';
import { GetVideoUrl } from './get-video-url.ts';
import { JobCursor } from './job-cursor.ts';
import { ListJobs } from './list-jobs.ts';
import { ListModels } from './list-models.ts';
import type { ModelCatalogue } from '../domain/model-catalogue.ts';
import type { Clock } from './ports/clock.ts';
import type { IdGenerator } from './ports/id-generator.ts';
import type { IdempotencyStore } from './ports/idempotency-store.ts';
import type { JobRepository } from './ports/job-repository.ts';
import type { Logger } from './ports/logger.ts';
import type { UploadRepository } from './ports/upload-repository.ts';
import type { UploadStorage } from './ports/upload-storage.ts';
import type { UsageLedger } from './ports/usage-ledger.ts';
import type { VideoModel } from './ports/video-model.ts';
import type { VideoStorage } from './ports/video-storage.ts';
import type { VideoWorkflow } from './ports/video-workflow.ts';

export interface UseCases {
  createJob: CreateJob;
  listJobs: ListJobs;
  getJob: GetJob;
  getVideoUrl: GetVideoUrl;
  cancelJob: CancelJob;
  getUsage: GetUsage;
  listModels: ListModels;
  /** Start-image uploads, where the mode has an upload storage. */
  createUpload?: CreateUpload;
  checkStartImage?: CheckStartImage;
}

export interface UseCaseDeps {
  jobs: JobRepository;
  usage: UsageLedger;
  idempotency: IdempotencyStore;
  workflow: VideoWorkflow;
  storage: VideoStorage;
  uploads?: { repository: UploadRepository; storage: UploadStorage };
  /** Lets a cancel stop the model's generation directly (see CancelJob). */
  model?: VideoModel;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  quotaPerMonth: number;
  /** The models a job may ask for (GET /models, POST /jobs options). */
  catalogue: ModelCatalogue;
  spendLimitUsdPerMonth?: number;
  /** Signs list cursors; every task of one deployment must share it. */
  cursorSecret: string;
  /** A running job is compared with the workflow engine at most this often. */
  syncIntervalMs: number;
  videoUrlTtlSeconds: number;
  /** Jobs' one-off webhooks, where webhooks are available. */
  jobWebhooks?: JobWebhookRegistrar;
}

/** Every use case, wired to one set of ports: the composition root and the tests build them the same way. */
export function createUseCases(deps: UseCaseDeps): UseCases {
  const { jobs, usage, idempotency, workflow, storage, clock, ids, logger, quotaPerMonth } = deps;
  const getJob = new GetJob({ jobs, workflow, clock, logger, syncIntervalMs: deps.syncIntervalMs, usage });
  const checkStartImage = deps.uploads ? new CheckStartImage({ uploads: deps.uploads.repository, storage: deps.uploads.storage, clock }) : undefined;
  return {
    createJob: new CreateJob({ jobs, usage, idempotency, workflow, clock, ids, logger, quotaPerMonth, catalogue: deps.catalogue, spendLimitUsdPerMonth: deps.spendLimitUsdPerMonth, checkStartImage, jobWebhooks: deps.jobWebhooks }),
    listJobs: new ListJobs({ jobs, cursor: new JobCursor(deps.cursorSecret) }),
    getJob,
    getVideoUrl: new GetVideoUrl({ getJob, storage, clock, ttlSeconds: deps.videoUrlTtlSeconds }),
    cancelJob: new CancelJob({ getJob, jobs, workflow, clock, logger, model: deps.model, usage }),
    getUsage: new GetUsage({ usage, clock, quotaPerMonth, spendLimitUsdPerMonth: deps.spendLimitUsdPerMonth }),
    listModels: new ListModels(deps.catalogue),
    ...(deps.uploads && checkStartImage ? {
      createUpload: new CreateUpload({ uploads: deps.uploads.repository, storage: deps.uploads.storage, clock, ids }),
      checkStartImage,
    } : {}),
  };
}
