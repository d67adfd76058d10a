import { CancelJob } from './cancel-job.js';
import { CheckStartImage } from './check-start-image.js';
import { CreateJob, type JobWebhookRegistrar } from './create-job.js';
import { CreateUpload } from './create-upload.js';
import { GetJob } from './get-job.js';
import { GetUsage } from './get-usage.js';
import { GetVideoUrl } from './get-video-url.js';
import { JobCursor } from './job-cursor.js';
import { ListJobs } from './list-jobs.js';
import { ListModels } from './list-models.js';
import type { ModelCatalogue } from '../domain/model-catalogue.js';
import type { Clock } from './ports/clock.js';
import type { IdGenerator } from './ports/id-generator.js';
import type { IdempotencyStore } from './ports/idempotency-store.js';
import type { JobRepository } from './ports/job-repository.js';
import type { Logger } from './ports/logger.js';
import type { UploadRepository } from './ports/upload-repository.js';
import type { UploadStorage } from './ports/upload-storage.js';
import type { UsageLedger } from './ports/usage-ledger.js';
import type { VideoModel } from './ports/video-model.js';
import type { VideoStorage } from './ports/video-storage.js';
import type { VideoWorkflow } from './ports/video-workflow.js';

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
