// The composition root: the one place that picks adapters by mode and wires them into the use cases.
// Local mode never loads the AWS SDK (the aws adapters are imported only in composeAws).
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Clock } from '../application/ports/clock.ts';
import type { IdempotencyStore } from '../application/ports/idempotency-store.ts';
import type { JobChanges } from '../application/ports/job-changes.ts';
import type { JobRepository } from '../application/ports/job-repository.ts';
import type { UsageLedger } from '../application/ports/usage-ledger.ts';
import type { VideoModel } from '../application/ports/video-model.ts';
import type { VideoStorage } from '../application/ports/video-storage.ts';
import type { VideoWorkflow } from '../application/ports/video-workflow.ts';
import { ResumeJobs } from '../application/resume-jobs.ts';
import { createUseCases, type UseCaseDeps } from '../application/use-cases.ts';
import { UPLOAD_TTL_MS } from '../domain/upload.ts';
import { buildApp, type RouteRegistrar } from '../adapters/http/app.ts';
import { JwksTokenVerifier } from '../adapters/http/auth/jwks-token-verifier.ts';
import { OAuthClient } from '../adapters/http/auth/oauth-client.ts';
import { authRoutes } from '../adapters/http/routes/auth.routes.ts';
import type { RateLimitStore } from '../adapters/http/rate-limit/rate-limit-store.ts';
import type { ReadinessCheck } from '../adapters/http/routes/health.routes.ts';
import { jobEventsRoutes } from '../adapters/http/routes/job-events.routes.ts';
import { EmfMetrics } from '../adapters/observability/emf-metrics.ts';
import { currentLogContext } from '../adapters/observability/log-context.ts';
import { systemClock, uuidGenerator } from '../adapters/system-clock.ts';
import type { AppConfig } from '../config.ts';
import { openLocalStore } from './local-store.ts';
import { composeWebhooks, type Webhooks, type WebhooksDeps } from './webhooks.ts';
import { isSuccess, type AttemptResult } from '../domain/webhook-delivery.ts';
import type { DevIdentityProvider } from '../adapters/local/dev-identity-provider.ts';

interface Adapters {
  jobs: JobRepository;
  usage: UsageLedger;
  idempotency: IdempotencyStore;
  workflow: VideoWorkflow;
  storage: VideoStorage;
  /** Start-image uploads (local mode so far). */
  uploads?: UseCaseDeps['uploads'];
  /** The video model a cancel stops directly (aws mode: only when PROVIDER_SECRET_ARN is set). */
  model?: VideoModel;
  events?: JobChanges;
  verifier: JwksTokenVerifier;
  oauth: OAuthClient;
  devIdp?: DevIdentityProvider;
  readiness: Record<string, ReadinessCheck>;
  /** Jobs running now, where this process can know it (the local workflow); aws mode leaves it to Step Functions' metrics. */
  activeJobs?: () => number;
  publicRoutes: RouteRegistrar[];
  onShutdown: () => Promise<void>;
  /** Signs cursors, cookies and URLs when APP_SECRET is not set: local mode's persisted one. */
  secret?: string;
  /** Webhooks: the routes, a job's one-off webhook, and this process's delivery loop (docs/webhooks.md). */
  webhooks?: Webhooks;
}

export interface Composition {
  app: FastifyInstance;
  /** Runs after the app closed: stops timers, flushes metrics. */
  onShutdown: () => Promise<void>;
}

export interface ComposeOptions {
  /** Where EMF metric lines go; stdout by default (the container's log stream). */
  metricsWrite?: (line: string) => void;
}

export async function composeApp(config: AppConfig, logger: FastifyBaseLogger, options: ComposeOptions = {}): Promise<Composition> {
  const clock = systemClock;
  // Metrics go to stdout as CloudWatch EMF, aggregated per minute; the log driver ships them.
  const metrics = new EmfMetrics({ serviceName: 'omnigen-api', write: options.metricsWrite });
  const onAttempt = (result: AttemptResult) => metrics.recordWebhookAttempt(isSuccess(result.statusCode), result.latencyMs);
  const adapters = config.mode === 'local' ? await composeLocal(config, clock, logger, onAttempt) : await composeAws(config, clock, logger, onAttempt);
  const secret = adapters.secret ?? config.secret ?? randomBytes(32).toString('base64url');
  if (!config.secret && config.mode === 'aws') {
    logger.warn('APP_SECRET is not set: list cursors and login cookies are only valid on this task');
  }
  const { jobs, usage, idempotency, workflow, storage } = adapters;
  // Local jobs are kept current by their workflow; aws jobs are compared with Step Functions now and then.
  const syncIntervalMs = config.aws?.syncIntervalMs ?? 5_000;
  const useCases = createUseCases({
    jobs, usage, idempotency, workflow, storage, uploads: adapters.uploads, model: adapters.model, clock, ids: uuidGenerator, logger,
    quotaPerMonth: config.quotaPerMonth, catalogue: config.catalogue, spendLimitUsdPerMonth: config.spendLimitUsdPerMonth, cursorSecret: secret, syncIntervalMs, videoUrlTtlSeconds: config.videoUrlTtlSeconds,
    jobWebhooks: adapters.webhooks?.manage,
  });
  const { getJob } = useCases;

  const secureCookies = config.publicUrl.startsWith('https:');
  metrics.start();
  const rateLimit = await composeRateLimitStore(config, logger, metrics);
  const activeJobs = adapters.activeJobs;
  const gauge = activeJobs ? setInterval(() => metrics.setActiveJobs(activeJobs()), 10_000).unref() : undefined;
  const app = await buildApp({
    metrics,
    hsts: config.mode === 'aws',
    useCases,
    verifier: adapters.verifier,
    rateLimitPerMin: config.rateLimitPerMin,
    rateLimitStore: rateLimit.store,
    corsOrigins: config.corsOrigins,
    readiness: { ...adapters.readiness, jwks: () => adapters.verifier.check(), ...rateLimit.readiness },
    logger,
    trustProxy: config.mode === 'aws' ? 1 : false,
    publicRoutes: [
      ...adapters.publicRoutes,
      (scope) => scope.register(authRoutes, { prefix: '/api/v1', oauth: adapters.oauth, cookieSecret: secret, secureCookies, ...(config.local?.devSignIn ? { devIdp: adapters.devIdp } : {}) }),
    ],
    protectedRoutes: [
      (scope) => scope.register(jobEventsRoutes, { getJob, events: adapters.events, maxStreams: config.maxEventStreams }),
      ...(adapters.webhooks ? [adapters.webhooks.routes] : []),
    ],
  });
  return {
    app,
    onShutdown: async () => {
      await adapters.onShutdown();
      await rateLimit.store?.close();
      clearInterval(gauge);
      metrics.stop();
    },
  };
}

/**
 * RATE_LIMIT_STORE=redis: one sliding window per caller in Redis, shared by every task; it fails open
 * (docs/rate-limits.md), so a Redis outage shows in readiness and the metrics, never as a 500. The memory
 * store (the default) is built by buildApp itself.
 */
async function composeRateLimitStore(config: AppConfig, logger: FastifyBaseLogger, metrics: EmfMetrics): Promise<{ store?: RateLimitStore; readiness: Record<string, ReadinessCheck> }> {
  if (config.rateLimitStore !== 'redis') return { readiness: {} };
  const { createRedisClient, RedisRateLimitStore } = await import('../adapters/http/rate-limit/redis-rate-limit-store.ts');
  const store = new RedisRateLimitStore({
    redis: createRedisClient(config.redisUrl as string),
    logger,
    onFailOpen: () => metrics.recordError('RateLimitStoreUnavailable'),
  });
  await store.connect();
  return { store, readiness: { rateLimitStore: () => store.check() } };
}

async function composeLocal(config: AppConfig, clock: Clock, logger: FastifyBaseLogger, onAttempt: WebhooksDeps['onAttempt']): Promise<Adapters> {
  const local = config.local as NonNullable<AppConfig['local']>;
  const [{ LocalVideoStorage }, { LocalVideoWorkflow }, { DevIdentityProvider }, { devIdpRoutes }, { localVideoRoutes }, { tryItRoutes }, { SampleVideoModel, SAMPLE_POLLS }, media] =
    await Promise.all([
      import('../adapters/local/local-video-storage.ts'),
      import('../adapters/local/local-video-workflow.ts'),
      import('../adapters/local/dev-identity-provider.ts'),
      import('../adapters/http/routes/dev-idp.routes.ts'),
      import('../adapters/http/routes/local-video.routes.ts'),
      import('../adapters/http/routes/try-it.routes.ts'),
      import('../adapters/local/sample-video-model.ts'),
      composeMedia(),
    ]);
  const [{ InMemoryUploadRepository }, { LocalUploadStorage }, { localUploadRoutes }] = await Promise.all([
    import('../adapters/local/in-memory-upload-repository.ts'),
    import('../adapters/local/local-upload-storage.ts'),
    import('../adapters/http/routes/local-upload.routes.ts'),
  ]);
  const store = await openLocalStore(config, logger);
  const { jobs, secret } = store;
  const storage = new LocalVideoStorage({ dir: local.dataDir, publicUrl: config.publicUrl, secret });
  // The sample model "generates" the shipped clip (and its thumbnail) over LOCAL_WORKFLOW_DURATION_MS.
  const model = new SampleVideoModel({
    videoPath: fileURLToPath(new URL('../../assets/sample.mp4', import.meta.url)),
    thumbnailPath: fileURLToPath(new URL('../../assets/sample.jpg', import.meta.url)),
    // The requested aspect ratio is honoured: a clip for each ratio the default model takes.
    byAspectRatio: Object.fromEntries(['9x16', '1x1'].map((r) => [r.replace('x', ':'), {
      videoPath: fileURLToPath(new URL(`../../assets/sample-${r}.mp4`, import.meta.url)),
      thumbnailPath: fileURLToPath(new URL(`../../assets/sample-${r}.jpg`, import.meta.url)),
    }])),
  });
  const uploadStorage = new LocalUploadStorage(storage, { dir: local.dataDir, publicUrl: config.publicUrl, secret });
  const uploads = { repository: new InMemoryUploadRepository(), storage: uploadStorage };
  // Uploads no job used are deleted after 24 h (a job's start image is its own copy under inputs/):
  // at start (the last process's leftovers) and every 10 minutes.
  const sweep = () => void uploadStorage.sweep(new Date(clock.now().getTime() - UPLOAD_TTL_MS)).catch((err: unknown) => logger.warn({ err }, 'could not sweep expired uploads'));
  sweep();
  const sweeper = setInterval(sweep, 10 * 60_000).unref();
  const workflow = new LocalVideoWorkflow({
    jobs, catalogue: config.catalogue, usage: store.usage, store: storage, model, startImages: uploadStorage, ...media, clock, logger, pollIntervalMs: local.workflowDurationMs / SAMPLE_POLLS,
  });
  // Jobs the last process left pending or processing run on (progress never goes down on a resume).
  if (store.unfinished) await new ResumeJobs({ jobs, unfinished: store.unfinished, workflow, clock, logger }).execute();
  const webhooks = composeWebhooks({
    config, clock, logger, onAttempt, outbox: jobs, changes: jobs, endpoints: store.webhookEndpoints, deliveries: store.webhookDeliveries, storage,
  });
  webhooks.start();
  const clientId = 'omnigen-local';
  const idp = new DevIdentityProvider({ issuer: config.publicUrl, clientId, ...(store.signingKey ? { signingKey: store.signingKey } : {}) });
  return {
    jobs,
    usage: store.usage,
    idempotency: store.idempotency,
    workflow,
    storage,
    uploads,
    model,
    events: jobs,
    devIdp: idp,
    secret,
    verifier: new JwksTokenVerifier({ issuer: config.publicUrl, clientId }),
    oauth: new OAuthClient({ domain: config.publicUrl, clientId, redirectUri: `${config.publicUrl}/api/v1/auth/callback`, logoutUri: `${config.publicUrl}/` }),
    readiness: { storage: () => storage.check() },
    activeJobs: () => workflow.activeJobs,
    webhooks,
    publicRoutes: [
      (scope) => scope.register(devIdpRoutes, { idp, signIn: config.local?.devSignIn ?? false }),
      (scope) => scope.register(localVideoRoutes, { prefix: '/api/v1', storage }),
      (scope) => scope.register(localUploadRoutes, { prefix: '/api/v1', storage: uploadStorage }),
      // The page plays videos from PUBLIC_URL even when it was opened at another host name (localhost).
      (scope) => scope.register(tryItRoutes, { mediaOrigins: [config.publicUrl] }),
    ],
    onShutdown: async () => {
      clearInterval(sweeper);
      await workflow.close();
      await webhooks.stop();
      store.close();
    },
  };
}

/** The video probe (mp4box) and frame grabber (ffmpeg from @ffmpeg-installer/linux-x64, or FFMPEG_PATH; else `ffmpeg` on PATH). */
async function composeMedia() {
  const [{ Mp4BoxVideoProbe }, { FfmpegFrameGrabber }, { ffmpegPath }] = await Promise.all([
    import('../adapters/mp4/mp4box-video-probe.ts'),
    import('../adapters/ffmpeg/ffmpeg-frame-grabber.ts'),
    import('../adapters/ffmpeg/ffmpeg-path.ts'),
  ]);
  return { probe: new Mp4BoxVideoProbe(), frames: new FfmpegFrameGrabber({ ffmpegPath: ffmpegPath(process.env) ?? 'ffmpeg' }) };
}

async function composeAws(config: AppConfig, clock: Clock, logger: FastifyBaseLogger, onAttempt: WebhooksDeps['onAttempt']): Promise<Adapters> {
  const aws = config.aws as NonNullable<AppConfig['aws']>;
  const [clientsModule, jobsModule, usageModule, idempotencyModule, s3Module, sfnModule, uploadsModule, s3UploadModule, webhookModules] = await Promise.all([
    import('../adapters/aws/aws-clients.ts'),
    import('../adapters/aws/dynamodb-job-repository.ts'),
    import('../adapters/aws/dynamodb-usage-ledger.ts'),
    import('../adapters/aws/dynamodb-idempotency-store.ts'),
    import('../adapters/aws/s3-video-storage.ts'),
    import('../adapters/aws/step-functions-workflow.ts'),
    import('../adapters/aws/dynamodb-upload-repository.ts'),
    import('../adapters/aws/s3-upload-storage.ts'),
    Promise.all([
      import('../adapters/aws/dynamodb-job-event-outbox.ts'),
      import('../adapters/aws/dynamodb-webhook-endpoints.ts'),
      import('../adapters/aws/dynamodb-webhook-deliveries.ts'),
      import('../adapters/aws/sqs-delivery-queue.ts'),
    ]),
  ]);
  const [{ DynamoDbJobEventOutbox }, { DynamoDbWebhookEndpoints }, { DynamoDbWebhookDeliveries }, { SqsDeliveryQueue }] = webhookModules;
  // Endpoints and credentials come from the SDK's own chain (AWS_ENDPOINT_URL_*, the task role).
  const clients = clientsModule.createAwsClients({ region: aws.region, forcePathStyle: aws.forcePathStyle });
  const jobs = new jobsModule.DynamoDbJobRepository(clients.dynamo, aws.jobTable);
  const usage = new usageModule.DynamoDbUsageLedger(clients.dynamo, aws.usageTable);
  const storage = new s3Module.S3VideoStorage(clients.s3, aws.assetsBucket);
  // The request that starts a job names its execution's log lines too (docs/deploying.md, "Following one job").
  const workflow = new sfnModule.StepFunctionsWorkflow(clients.sfn, { stateMachineArn: aws.stateMachineArn, clock, requestId: () => currentLogContext()?.requestId });
  const provider = aws.providerSecretArn ? await cancelingModel(aws.region, aws.providerSecretArn, aws.replicateBaseUrl) : undefined;
  // Webhooks: job events from the jobs table's outbox (written by the API and the workflow's Lambdas
  // alike), endpoints and the delivery log in the usage table. Every task runs the dispatcher (the
  // conditional claims keep two tasks from handing out one delivery); the delivery Lambda sends what
  // it queues (docs/webhooks.md, "aws mode").
  const sqs = clientsModule.createSqsClient({ region: aws.region });
  const webhooks = composeWebhooks({
    config, clock, logger, storage, onAttempt,
    outbox: new DynamoDbJobEventOutbox(clients.dynamo, aws.jobTable),
    endpoints: new DynamoDbWebhookEndpoints(clients.dynamo, aws.usageTable),
    deliveries: new DynamoDbWebhookDeliveries(clients.dynamo, aws.usageTable),
    queue: new SqsDeliveryQueue(sqs, aws.webhookQueueUrl),
  });
  webhooks.start();
  return {
    jobs,
    usage,
    // Idempotency claims share the usage table under their own key prefix: the contract's two tables suffice.
    idempotency: new idempotencyModule.DynamoDbIdempotencyStore(clients.dynamo, aws.usageTable),
    workflow,
    storage,
    // Start images: a presigned POST straight to the bucket (uploads/), records beside the usage counters.
    uploads: { repository: new uploadsModule.DynamoDbUploadRepository(clients.dynamo, aws.usageTable), storage: new s3UploadModule.S3UploadStorage(clients.s3, aws.assetsBucket) },
    verifier: new JwksTokenVerifier({ issuer: aws.issuer, clientId: aws.clientId }),
    oauth: new OAuthClient({
      domain: aws.cognitoDomain, clientId: aws.clientId, clientSecret: aws.clientSecret,
      redirectUri: aws.redirectUri, logoutUri: aws.logoutUri,
    }),
    readiness: {
      jobTable: () => jobs.check(),
      usageTable: () => usage.check(),
      bucket: () => storage.check(),
      stateMachine: () => workflow.check(),
    },
    publicRoutes: [],
    model: provider?.model,
    webhooks,
    onShutdown: async () => {
      await webhooks.stop();
      clients.destroy();
      sqs.destroy();
      provider?.destroy();
    },
  };
}

/**
 * The video provider, for cancels only (the workflow's Lambdas generate): a canceled job's prediction is
 * canceled at once, so it stops billing. Its token is read from Secrets Manager on the first cancel.
 */
async function cancelingModel(region: string, secretArn: string, baseUrl: string | undefined) {
  const [{ SecretsManagerClient }, { providerModel }] = await Promise.all([
    import('@aws-sdk/client-secrets-manager'),
    import('../adapters/replicate/provider-model.ts'),
  ]);
  const secrets = new SecretsManagerClient({ region });
  return { model: providerModel({ secrets, secretArn, baseUrl }), destroy: () => secrets.destroy() };
}
