// The workflow Lambdas' section of the configuration: each function's environment → typed, validated
// settings, read with config.ts's Reader (the API's parser), so a bad value reads the same everywhere.
// LAMBDA_ENV is what infra/ must give each function: infra/test asserts the template against it.
import type { JobCategory } from './domain/job.ts';
import { ConfigError, LOG_LEVELS, Reader, videoUrlTtlSeconds, webhookSettings, type Env, type WebhookSettings } from './config.ts';

/** The workflow's functions, by their entry in workflow/lambdas.json. */
export const LAMBDA_FUNCTIONS = ['start-generation', 'poll-generation', 'store-video', 'fail-job'] as const;
export type LambdaFunction = (typeof LAMBDA_FUNCTIONS)[number];

export interface LambdaEnvSpec {
  /** Set by the stack; the function does not start a step without them. */
  readonly required: readonly string[];
  /** Read when set: the stack may set them, nothing else. */
  readonly optional: readonly string[];
}

/** Set by the Lambda runtime itself (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime). */
export const LAMBDA_RUNTIME_ENV = ['AWS_REGION'] as const;

/** The category → model variables (src/catalogue/catalogue-config.ts reads them with the catalogue). */
export const VIDEO_MODEL_ENV: Readonly<Record<JobCategory, string>> = {
  'music-video': 'VIDEO_MODEL_MUSIC_VIDEO',
  'ad-creative': 'VIDEO_MODEL_AD_CREATIVE',
};

// Every function reads and writes the job and talks to the provider (FailJob and PollGeneration cancel).
const COMMON = { required: ['JOB_TABLE', 'PROVIDER_SECRET_ARN'], optional: ['LOG_LEVEL', 'REPLICATE_BASE_URL'] } as const;
// The model catalogue: StartGeneration maps a job's settings through it, StoreVideo prices the job.
const CATALOGUE = ['VIDEO_MODELS_JSON', 'VIDEO_MODELS_FILE', ...Object.values(VIDEO_MODEL_ENV)];

/** Each function's variables besides LAMBDA_RUNTIME_ENV: exactly what its composition reads. */
export const LAMBDA_ENV: Readonly<Record<LambdaFunction, LambdaEnvSpec>> = {
  // ASSETS_BUCKET: it signs the provider's GET URL of a job's start image (inputs/ only).
  'start-generation': { required: [...COMMON.required, 'ASSETS_BUCKET'], optional: [...COMMON.optional, ...CATALOGUE, 'S3_FORCE_PATH_STYLE'] },
  'poll-generation': COMMON,
  // The only function that writes to the bucket; S3_FORCE_PATH_STYLE is for S3 stand-ins, FFMPEG_PATH
  // overrides the ffmpeg shipped beside the bundle.
  // USAGE_TABLE: the steps that end a job settle its cost in the month's spend (StoreVideo, FailJob).
  'store-video': { required: [...COMMON.required, 'ASSETS_BUCKET', 'USAGE_TABLE'], optional: [...COMMON.optional, ...CATALOGUE, 'S3_FORCE_PATH_STYLE', 'FFMPEG_PATH'] },
  'fail-job': { required: [...COMMON.required, 'USAGE_TABLE'], optional: COMMON.optional },
};

/** The webhook delivery Lambda (not a workflow step): it reads ticket messages from the delivery queue. */
export const DELIVERY_FUNCTION = 'deliver-webhooks' as const;
/** Every function the stack deploys: a bundle per name (scripts/build-lambda.mjs). */
export type AnyLambdaFunction = LambdaFunction | typeof DELIVERY_FUNCTION;

/**
 * The delivery Lambda's variables: the delivery log and endpoints (the usage table), the bucket whose
 * videos a job.completed message links to (a presigned GET), and the same webhook rules as the API's,
 * checked again at send time.
 */
export const DELIVERY_ENV: LambdaEnvSpec = {
  required: ['USAGE_TABLE', 'ASSETS_BUCKET'],
  optional: ['LOG_LEVEL', 'S3_FORCE_PATH_STYLE', 'VIDEO_URL_TTL_SECONDS', 'WEBHOOK_ALLOW_LOOPBACK', 'WEBHOOK_PORTS'],
};

export interface DeliveryLambdaConfig {
  region: string;
  logLevel: string;
  usageTable: string;
  assetsBucket: string;
  forcePathStyle: boolean;
  videoUrlTtlSeconds: number;
  webhooks: WebhookSettings;
}

/** The delivery Lambda's settings from its own variables only; every problem in one ConfigError. */
export function loadDeliveryConfig(env: Env): DeliveryLambdaConfig {
  const r = new Reader(namedIn(DELIVERY_ENV, env), `by the ${DELIVERY_FUNCTION} function`);
  const config: DeliveryLambdaConfig = {
    region: r.string('AWS_REGION'),
    logLevel: r.oneOf('LOG_LEVEL', 'info', LOG_LEVELS),
    usageTable: r.string('USAGE_TABLE'),
    assetsBucket: r.string('ASSETS_BUCKET'),
    forcePathStyle: r.bool('S3_FORCE_PATH_STYLE', false),
    videoUrlTtlSeconds: videoUrlTtlSeconds(r),
    webhooks: webhookSettings(r),
  };
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return config;
}

/**
 * `owner/name` or `owner/name:version`: what VIDEO_MODEL_* may hold, for infra/ to check its context values
 * at synth (catalogue-config.ts checks the same at run time, against the catalogue too).
 */
export const MODEL_REF = /^[a-z0-9][a-z0-9._-]*\/[a-z0-9][a-z0-9._-]*(?::[0-9a-f]{64})?$/i;

export interface LambdaConfig {
  function: LambdaFunction;
  region: string;
  logLevel: string;
  jobTable: string;
  providerSecretArn: string;
  /** The provider API's base URL, ending in /v1; only tests and stand-ins change it. */
  replicateBaseUrl?: string;
  /** start-generation (reads inputs/) and store-video (writes videos/) only. */
  assetsBucket?: string;
  /** store-video and fail-job only: the month's spend they settle. */
  usageTable?: string;
  forcePathStyle: boolean;
}

/**
 * LOG_LEVEL for the function's invocation lines, read before (and whether or not) the rest of its
 * settings load: a bad environment must still be logged. loadLambdaConfig refuses a bad value.
 */
export function lambdaLogLevel(env: Env): string {
  const level = env.LOG_LEVEL;
  return level !== undefined && LOG_LEVELS.includes(level) ? level : 'info';
}

/** Only the variables LAMBDA_ENV names for `fn` (and the runtime's): a function never reads another's. */
export function ownEnv(fn: LambdaFunction, env: Env): Env {
  return namedIn(LAMBDA_ENV[fn], env);
}

/** The variables `spec` names (and the runtime's), nothing else. */
function namedIn(spec: LambdaEnvSpec, env: Env): Env {
  const own = new Set<string>([...LAMBDA_RUNTIME_ENV, ...spec.required, ...spec.optional]);
  return Object.fromEntries(Object.entries(env).filter(([name]) => own.has(name)));
}

/**
 * `fn`'s settings from `env`, reading only the variables LAMBDA_ENV names for it (a variable another
 * function needs can never become this one's requirement). Every problem is listed in one ConfigError.
 */
export function loadLambdaConfig(fn: LambdaFunction, env: Env): LambdaConfig {
  const spec = LAMBDA_ENV[fn];
  const r = new Reader(ownEnv(fn, env), `by the ${fn} function`);
  const config: LambdaConfig = {
    function: fn,
    region: r.string('AWS_REGION'),
    logLevel: r.oneOf('LOG_LEVEL', 'info', LOG_LEVELS),
    jobTable: r.string('JOB_TABLE'),
    providerSecretArn: r.string('PROVIDER_SECRET_ARN'),
    forcePathStyle: r.bool('S3_FORCE_PATH_STYLE', false),
  };
  if (spec.required.includes('ASSETS_BUCKET')) config.assetsBucket = r.string('ASSETS_BUCKET');
  if (spec.required.includes('USAGE_TABLE')) config.usageTable = r.string('USAGE_TABLE');
  const baseUrl = r.optional('REPLICATE_BASE_URL');
  r.url('REPLICATE_BASE_URL', baseUrl);
  if (baseUrl) config.replicateBaseUrl = baseUrl;
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return config;
}
