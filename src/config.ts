// Environment → typed, validated configuration. Every problem is collected, so one failed start lists
// all of them (README "Configuration").
import { resolve } from 'node:path';
import { catalogueFrom } from './catalogue/catalogue-config.ts';
import type { ModelCatalogue } from './domain/model-catalogue.ts';

export type AppMode = 'local' | 'aws';

export interface AwsSettings {
  region: string;
  jobTable: string;
  usageTable: string;
  assetsBucket: string;
  stateMachineArn: string;
  userPoolId: string;
  clientId: string;
  clientSecret?: string;
  issuer: string;
  cognitoDomain: string;
  redirectUri: string;
  logoutUri?: string;
  forcePathStyle: boolean;
  /** A running job is compared with Step Functions at most this often. */
  syncIntervalMs: number;
  /** The video provider's token (Secrets Manager): lets a cancel stop the generation's billing at once. */
  providerSecretArn?: string;
  /** The provider API's base URL; only tests and stand-ins change it. */
  replicateBaseUrl?: string;
  /** The SQS queue the delivery loop hands due webhook deliveries to; the delivery Lambda sends them. */
  webhookQueueUrl: string;
}

export type LocalStore = 'sqlite' | 'memory';

export interface LocalSettings {
  workflowDurationMs: number;
  /** Absolute. Holds the database, the videos, the dev signing key and the generated secret. */
  dataDir: string;
  /** sqlite: jobs, usage and idempotency keys survive restarts; memory: forgotten at exit. */
  store: LocalStore;
  /**
   * The password-less dev sign-in (POST /auth/dev-token, the dev provider's ?username=): on when HOST is a
   * loopback address, else only with LOCAL_DEV_SIGN_IN_ON_NETWORK=true — anyone who can reach the port
   * could otherwise sign in as any user.
   */
  devSignIn: boolean;
}

/** In the working directory (gitignored), not the OS temp dir, which the OS cleans: `npm start` from a clone keeps its data beside it. */
export const DEFAULT_LOCAL_DATA_DIR = '.omnigen-data';

export interface AppConfig {
  mode: AppMode;
  port: number;
  host: string;
  logLevel: string;
  rateLimitPerMin: number;
  quotaPerMonth: number;
  /** SPEND_LIMIT_USD_PER_MONTH: a user's month is capped at this sum of the jobs' estimated costs (none when unset). */
  spendLimitUsdPerMonth?: number;
  /** The video models (src/catalogue/models.json, or VIDEO_MODELS_JSON / VIDEO_MODELS_FILE). */
  catalogue: ModelCatalogue;
  /** '*' or the exact origins allowed; an empty list allows none. */
  corsOrigins: '*' | string[];
  videoUrlTtlSeconds: number;
  /** Open job event streams this process holds at most (each is a socket and a keep-alive timer). */
  maxEventStreams: number;
  /** The base URL clients reach this service at (signed video URLs, the local issuer, OAuth redirects). */
  publicUrl: string;
  /** Signs list cursors and the login cookie. Random per process unless APP_SECRET is set. */
  secret?: string;
  /** Where rate-limit windows live: this process's memory, or Redis shared by every task. */
  rateLimitStore: 'memory' | 'redis';
  /** redis:// or rediss:// (ElastiCache in transit encryption); set when rateLimitStore is redis. */
  redisUrl?: string;
  /** Where webhooks may go (docs/webhooks.md). */
  webhooks: WebhookSettings;
  local?: LocalSettings;
  aws?: AwsSettings;
}

export interface WebhookSettings {
  /** WEBHOOK_ALLOW_LOOPBACK: plain http to loopback addresses, for local development and tests. */
  allowLoopback: boolean;
  /** WEBHOOK_PORTS: the ports a webhook URL may name (443 and 8443 unless set). */
  ports: number[];
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.problems = problems;
    this.name = 'ConfigError';
  }
}

/**
 * What APP_MODE=aws cannot start without (AWS_REGION may also come from AWS_DEFAULT_REGION). infra/
 * asserts its task definition sets each; test/config-aws-required.test.ts holds loadConfig to this list.
 */
export const AWS_REQUIRED_ENV = [
  'APP_MODE', 'AWS_REGION', 'JOB_TABLE', 'USAGE_TABLE', 'ASSETS_BUCKET', 'STEP_FUNCTIONS_ARN',
  'COGNITO_USER_POOL_ID', 'COGNITO_CLIENT_ID', 'JWT_ISSUER', 'COGNITO_DOMAIN', 'AUTH_REDIRECT_URI', 'WEBHOOK_QUEUE_URL',
] as const;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export type Env = Record<string, string | undefined>;

export class Reader {
  readonly problems: string[] = [];
  private readonly env: Env;
  private readonly where: string;
  /** `where` ends the missing-variable line: "required in aws mode, but not set". */
  constructor(env: Env, where = 'in aws mode') {
    this.env = env;
    this.where = where;
  }

  string(name: string, fallback?: string): string {
    const value = this.env[name]?.trim();
    if (value) return value;
    if (fallback === undefined) this.problems.push(`${name}: required ${this.where}, but not set`);
    return fallback ?? '';
  }

  optional(name: string): string | undefined {
    return this.env[name]?.trim() || undefined;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const raw = this.env[name]?.trim();
    if (!raw) return fallback;
    const value = Number(raw);
    if (!/^-?\d+$/.test(raw) || value < min || value > max) {
      this.problems.push(`${name}: must be an integer from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  }

  oneOf(name: string, fallback: string, allowed: string[]): string {
    const raw = this.env[name]?.trim();
    if (!raw) return fallback;
    if (allowed.includes(raw)) return raw;
    this.problems.push(`${name}: must be one of ${allowed.join(', ')}, got "${raw}"`);
    return fallback;
  }

  bool(name: string, fallback: boolean): boolean {
    return this.oneOf(name, String(fallback), ['true', 'false']) === 'true';
  }

  url(name: string, value: string | undefined): void {
    if (!value) return;
    try {
      const parsed = new URL(value);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('scheme');
    } catch {
      this.problems.push(`${name}: must be an http(s) URL, got "${value}"`);
    }
  }
}

export function loadConfig(env: Env = process.env): AppConfig {
  const r = new Reader(env);
  const mode = r.oneOf('APP_MODE', 'local', ['local', 'aws']) as AppMode;
  const port = r.int('PORT', 8080, 0, 65535);
  // Local mode is for one machine: reachable from the network only when HOST says so. aws mode sits behind a load balancer.
  const host = r.optional('HOST') ?? (mode === 'local' ? '127.0.0.1' : '0.0.0.0');
  const corsRaw = r.optional('CORS_ORIGINS');
  const corsOrigins = corsRaw === undefined ? (mode === 'local' ? '*' : []) : corsRaw === '*' ? '*' : corsRaw.split(',').map((o) => o.trim()).filter(Boolean);
  if (Array.isArray(corsOrigins)) for (const origin of corsOrigins) r.url('CORS_ORIGINS', origin);
  const publicUrl = r.optional('PUBLIC_URL')?.replace(/\/+$/, '');
  r.url('PUBLIC_URL', publicUrl);
  const config: AppConfig = {
    mode,
    port,
    host,
    logLevel: r.oneOf('LOG_LEVEL', 'info', LOG_LEVELS),
    rateLimitPerMin: r.int('RATE_LIMIT_PER_MIN', 100, 1, 1_000_000),
    quotaPerMonth: r.int('QUOTA_PER_MONTH', 10, 0, 1_000_000_000),
    corsOrigins,
    videoUrlTtlSeconds: videoUrlTtlSeconds(r),
    maxEventStreams: r.int('MAX_EVENT_STREAMS', 1000, 1, 100_000),
    publicUrl: publicUrl ?? defaultPublicUrl(host, port),
    secret: r.optional('APP_SECRET'),
    rateLimitStore: r.oneOf('RATE_LIMIT_STORE', 'memory', ['memory', 'redis']) as AppConfig['rateLimitStore'],
    catalogue: catalogue(r, env),
    webhooks: webhookSettings(r),
  };
  const spendLimit = r.optional('SPEND_LIMIT_USD_PER_MONTH');
  if (spendLimit !== undefined) {
    const value = Number(spendLimit);
    if (!/^\d+(\.\d{1,6})?$/.test(spendLimit) || !Number.isFinite(value)) r.problems.push(`SPEND_LIMIT_USD_PER_MONTH: must be a number of US dollars ≥ 0 (up to 6 decimals), got "${spendLimit}"`);
    else config.spendLimitUsdPerMonth = value;
  }
  if (config.rateLimitStore === 'redis') config.redisUrl = redisUrl(r, r.optional('REDIS_URL'));
  if (mode === 'local') {
    config.local = {
      workflowDurationMs: r.int('LOCAL_WORKFLOW_DURATION_MS', 8000, 0, 3_600_000),
      dataDir: resolve(r.optional('LOCAL_DATA_DIR') ?? DEFAULT_LOCAL_DATA_DIR),
      store: r.oneOf('LOCAL_STORE', 'sqlite', ['sqlite', 'memory']) as LocalStore,
      devSignIn: isLoopback(host) || r.bool('LOCAL_DEV_SIGN_IN_ON_NETWORK', false),
    };
  } else {
    const region = r.string('AWS_REGION', env.AWS_DEFAULT_REGION?.trim() || undefined);
    const aws: AwsSettings = {
      region,
      jobTable: r.string('JOB_TABLE'),
      usageTable: r.string('USAGE_TABLE'),
      assetsBucket: r.string('ASSETS_BUCKET'),
      stateMachineArn: r.string('STEP_FUNCTIONS_ARN'),
      userPoolId: r.string('COGNITO_USER_POOL_ID'),
      clientId: r.string('COGNITO_CLIENT_ID'),
      clientSecret: r.optional('COGNITO_CLIENT_SECRET'),
      issuer: r.string('JWT_ISSUER').replace(/\/+$/, ''),
      cognitoDomain: r.string('COGNITO_DOMAIN').replace(/\/+$/, ''),
      redirectUri: r.string('AUTH_REDIRECT_URI'),
      logoutUri: r.optional('AUTH_LOGOUT_URI'),
      forcePathStyle: r.bool('S3_FORCE_PATH_STYLE', false),
      syncIntervalMs: r.int('WORKFLOW_SYNC_INTERVAL_MS', 5000, 500, 600_000),
      webhookQueueUrl: r.string('WEBHOOK_QUEUE_URL'),
    };
    const providerSecretArn = r.optional('PROVIDER_SECRET_ARN');
    const replicateBaseUrl = r.optional('REPLICATE_BASE_URL');
    if (providerSecretArn) aws.providerSecretArn = providerSecretArn;
    if (replicateBaseUrl) aws.replicateBaseUrl = replicateBaseUrl;
    r.url('REPLICATE_BASE_URL', replicateBaseUrl);
    if (aws.stateMachineArn && !aws.stateMachineArn.startsWith('arn:')) {
      r.problems.push(`STEP_FUNCTIONS_ARN: must be a state machine ARN (arn:aws:states:…), got "${aws.stateMachineArn}"`);
    }
    r.url('WEBHOOK_QUEUE_URL', aws.webhookQueueUrl);
    r.url('JWT_ISSUER', aws.issuer);
    r.url('COGNITO_DOMAIN', aws.cognitoDomain);
    r.url('AUTH_REDIRECT_URI', aws.redirectUri);
    r.url('AUTH_LOGOUT_URI', aws.logoutUri);
    config.aws = aws;
  }
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return config;
}

/** The model catalogue, or one problem line saying why it cannot be read. */
function catalogue(r: Reader, env: Env): ModelCatalogue {
  try {
    return catalogueFrom(env);
  } catch (err) {
    r.problems.push((err as Error).message);
    return { models: [], defaults: {} as ModelCatalogue['defaults'] };
  }
}

/** VIDEO_URL_TTL_SECONDS: how long a signed video link lives (the API's links and the delivery Lambda's job.completed links). */
export function videoUrlTtlSeconds(r: Reader): number {
  return r.int('VIDEO_URL_TTL_SECONDS', 3600, 60, 604_800);
}

/** WEBHOOK_ALLOW_LOOPBACK and WEBHOOK_PORTS: the API checks URLs with them, the delivery Lambda checks them again at send time. */
export function webhookSettings(r: Reader): WebhookSettings {
  return { allowLoopback: r.bool('WEBHOOK_ALLOW_LOOPBACK', false), ports: webhookPorts(r, r.optional('WEBHOOK_PORTS')) };
}

function webhookPorts(r: Reader, value: string | undefined): number[] {
  if (value === undefined) return [443, 8443];
  const ports = value.split(',').map((p) => p.trim());
  if (ports.every((p) => /^\d+$/.test(p) && Number(p) >= 1 && Number(p) <= 65535)) return ports.map(Number);
  r.problems.push(`WEBHOOK_PORTS: must be a comma-separated list of ports (1..65535), got "${value}"`);
  return [443, 8443];
}

/** REDIS_URL, read only when the Redis store is chosen: one problem line, like every other variable. */
function redisUrl(r: Reader, value: string | undefined): string | undefined {
  if (!value) {
    r.problems.push('REDIS_URL: required when RATE_LIMIT_STORE=redis, but not set');
    return undefined;
  }
  let parsed: URL | undefined;
  try {
    parsed = new URL(value);
  } catch {
    // reported below
  }
  if (!parsed || (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') || !parsed.hostname) {
    // The value may hold a password: name the problem, not the value.
    r.problems.push('REDIS_URL: must be a redis:// or rediss:// URL with a host');
    return undefined;
  }
  return value;
}

/** What `npm run aws:create-resources` creates, named by the same variables the API reads. */
export interface ResourceSettings {
  region: string;
  jobTable: string;
  usageTable: string;
  bucket: string;
  forcePathStyle: boolean;
}

export function loadResourceSettings(env: Env = process.env): ResourceSettings {
  const r = new Reader(env, 'to create the resources');
  const names: ResourceSettings = {
    region: r.string('AWS_REGION', env.AWS_DEFAULT_REGION?.trim() || undefined),
    jobTable: r.string('JOB_TABLE'),
    usageTable: r.string('USAGE_TABLE'),
    bucket: r.string('ASSETS_BUCKET'),
    forcePathStyle: r.bool('S3_FORCE_PATH_STYLE', false),
  };
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return names;
}

/** The config once the port is known (PORT=0 asks for any free port): the default public URL follows it. */
export function withPort(config: AppConfig, port: number, env: Env = process.env): AppConfig {
  const explicit = env.PUBLIC_URL?.trim();
  return { ...config, port, publicUrl: explicit ? config.publicUrl : defaultPublicUrl(config.host, port) };
}

/** 127.0.0.0/8, ::1 and localhost: only this machine can connect. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

function defaultPublicUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}
