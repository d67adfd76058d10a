// The Lambdas' composition root: builds the workflow's steps on AWS adapters from the function's own
// environment, once per cold start. Only src/composition/ picks adapters.
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { createWorkflowSteps, type WorkflowSteps } from '../application/workflow-steps.js';
import { createAwsClients, type AwsClients } from '../adapters/aws/aws-clients.js';
import { DynamoDbJobRepository } from '../adapters/aws/dynamodb-job-repository.js';
import { FfmpegFrameGrabber } from '../adapters/ffmpeg/ffmpeg-frame-grabber.js';
import { ffmpegPath } from '../adapters/ffmpeg/ffmpeg-path.js';
import { Mp4BoxVideoProbe } from '../adapters/mp4/mp4box-video-probe.js';
import { S3VideoStorage } from '../adapters/aws/s3-video-storage.js';
import { providerModel } from '../adapters/replicate/provider-model.js';
import { catalogueFrom } from '../catalogue/catalogue-config.js';
import { systemClock } from '../adapters/system-clock.js';

/** The code a job fails with when the cause is not the model's (storage down after retries, a bug). */
export const WORKFLOW_FAILED = 'WORKFLOW_FAILED' as const;

export type Env = Record<string, string | undefined>;

function required(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/** Given clients (tests); otherwise built from the SDK's own chain (the function's role, AWS_REGION). */
export interface LambdaStepsOverrides {
  clients?: AwsClients;
  secrets?: SecretsManagerClient;
}

/**
 * JOB_TABLE, ASSETS_BUCKET, PROVIDER_SECRET_ARN, VIDEO_MODELS_JSON / VIDEO_MODELS_FILE, VIDEO_MODEL_MUSIC_VIDEO / VIDEO_MODEL_AD_CREATIVE,
 * REPLICATE_BASE_URL (tests), S3_FORCE_PATH_STYLE (stand-ins) and FFMPEG_PATH (optional). The token is read on first use.
 */
export function createLambdaSteps(env: Env, overrides: LambdaStepsOverrides = {}): WorkflowSteps {
  const clients = overrides.clients ?? createAwsClients({
    region: required(env, 'AWS_REGION'), forcePathStyle: env.S3_FORCE_PATH_STYLE === 'true',
    // A step may wait on S3 longer than an API request would (a PutObject of a whole clip).
    requestTimeoutMs: 60_000,
  });
  const secrets = overrides.secrets ?? new SecretsManagerClient({ region: env.AWS_REGION });
  const model = providerModel({
    secrets, secretArn: required(env, 'PROVIDER_SECRET_ARN'), baseUrl: env.REPLICATE_BASE_URL?.trim() || undefined,
  });
  return createWorkflowSteps({
    jobs: new DynamoDbJobRepository(clients.dynamo, required(env, 'JOB_TABLE')),
    // The bundled models.json, or the operator's (VIDEO_MODELS_JSON, which the stack sets from its context).
    catalogue: catalogueFrom(env),
    store: new S3VideoStorage(clients.s3, required(env, 'ASSETS_BUCKET')),
    model,
    probe: new Mp4BoxVideoProbe(),
    // scripts/build-lambda.mjs puts the ffmpeg binary beside the StoreVideo bundle; FFMPEG_PATH overrides.
    frames: new FfmpegFrameGrabber({ ffmpegPath: ffmpegPath(env, fileURLToPath(new URL('./ffmpeg', import.meta.url))) ?? 'ffmpeg' }),
    clock: systemClock,
    logger: pino({ level: env.LOG_LEVEL ?? 'info' }),
    fallbackCode: WORKFLOW_FAILED,
  });
}

let steps: WorkflowSteps | undefined;

/** This cold start's steps, built on the first invocation (a bad environment fails that invocation, visibly). */
export function lambdaSteps(): WorkflowSteps {
  return (steps ??= createLambdaSteps(process.env));
}
