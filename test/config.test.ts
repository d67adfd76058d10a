import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ConfigError, loadConfig, withPort } from '../src/config.ts';

const AWS = {
  APP_MODE: 'aws', AWS_REGION: 'eu-west-1', JOB_TABLE: 'jobs', USAGE_TABLE: 'usage', ASSETS_BUCKET: 'assets',
  STEP_FUNCTIONS_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:video', COGNITO_USER_POOL_ID: 'eu-west-1_abc',
  COGNITO_CLIENT_ID: 'client', JWT_ISSUER: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc',
  COGNITO_DOMAIN: 'https://omnigen.auth.eu-west-1.amazoncognito.com', AUTH_REDIRECT_URI: 'https://app.omnigen.test/callback',
  WEBHOOK_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/webhooks',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

t.test('local mode by default, with the contract defaults', async (t) => {
  const config = loadConfig({});
  t.match(config, {
    mode: 'local', port: 8080, host: '127.0.0.1', logLevel: 'info', rateLimitPerMin: 100, quotaPerMonth: 10,
    corsOrigins: '*', videoUrlTtlSeconds: 3600, maxEventStreams: 1000, publicUrl: 'http://127.0.0.1:8080', local: { workflowDurationMs: 8000, store: 'sqlite' },
  });
  t.notOk(config.aws);
});

t.test('HOST: loopback in local mode, every address in aws mode; the dev sign-in is off on a network address unless allowed', async (t) => {
  t.match(loadConfig({}), { host: '127.0.0.1', local: { devSignIn: true } });
  for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) t.equal(loadConfig({ HOST: host }).local?.devSignIn, true, `${host} is loopback`);
  for (const host of ['0.0.0.0', '::', '192.168.1.20', '10.0.0.5']) t.equal(loadConfig({ HOST: host }).local?.devSignIn, false, `${host} is reachable from the network`);
  t.equal(loadConfig({ HOST: '0.0.0.0', LOCAL_DEV_SIGN_IN_ON_NETWORK: 'true' }).local?.devSignIn, true, 'unless explicitly allowed');
  t.equal(loadConfig({ HOST: '0.0.0.0', LOCAL_DEV_SIGN_IN_ON_NETWORK: 'false' }).local?.devSignIn, false);
  const aws = loadConfig({ APP_MODE: 'aws', AWS_REGION: 'eu-west-1', JOB_TABLE: 'j', USAGE_TABLE: 'u', ASSETS_BUCKET: 'b', STEP_FUNCTIONS_ARN: 'arn:aws:states:eu-west-1:1:stateMachine:s',
    COGNITO_USER_POOL_ID: 'p', COGNITO_CLIENT_ID: 'c', JWT_ISSUER: 'https://i', COGNITO_DOMAIN: 'https://d', AUTH_REDIRECT_URI: 'https://a/cb', WEBHOOK_QUEUE_URL: 'https://q/1/w' });
  t.equal(aws.host, '0.0.0.0', 'aws mode listens on every address (behind the load balancer)');
});

t.test('local data: kept in ./.omnigen-data, outside the OS temp dir, unless LOCAL_DATA_DIR says otherwise', async (t) => {
  const dataDir = loadConfig({}).local?.dataDir ?? '';
  t.equal(dataDir, join(process.cwd(), '.omnigen-data'), 'absolute, in the working directory');
  // Not the OS temp dir, which the OS cleans: the default follows the working directory, whatever TMPDIR
  // says (a checkout that itself lives under /tmp, as a CI clone may, is the user's choice, not ours).
  const osTemp = process.env.TMPDIR;
  process.env.TMPDIR = join(process.cwd(), 'elsewhere-tmp');
  try {
    t.equal(tmpdir(), join(process.cwd(), 'elsewhere-tmp'), 'the OS temp dir moved');
    t.equal(loadConfig({}).local?.dataDir, dataDir, 'not derived from the OS temp dir');
  } finally {
    if (osTemp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = osTemp;
  }
  t.not(dataDir, join(tmpdir(), 'omnigen-local'), 'no longer the old default under the OS temp dir');
  t.equal(loadConfig({ LOCAL_DATA_DIR: 'data/here' }).local?.dataDir, join(process.cwd(), 'data/here'), 'a relative folder is resolved once, at start');
  t.equal(loadConfig({ LOCAL_STORE: 'memory' }).local?.store, 'memory');
  t.same(problemsOf({ LOCAL_STORE: 'postgres' }), ['LOCAL_STORE: must be one of sqlite, memory, got "postgres"']);
  t.notOk(loadConfig({ ...AWS, LOCAL_STORE: 'postgres' }).local, 'aws mode ignores the local settings');
});

t.test('aws mode: every required variable, all problems listed at once', async (t) => {
  const problems = problemsOf({ APP_MODE: 'aws', PORT: 'eighty' });
  t.equal(problems.length, 12);
  t.match(problems[0], /^PORT: /);
  for (const name of ['AWS_REGION', 'JOB_TABLE', 'USAGE_TABLE', 'ASSETS_BUCKET', 'STEP_FUNCTIONS_ARN', 'COGNITO_USER_POOL_ID', 'COGNITO_CLIENT_ID', 'JWT_ISSUER', 'COGNITO_DOMAIN', 'AUTH_REDIRECT_URI', 'WEBHOOK_QUEUE_URL']) {
    t.ok(problems.some((p) => p.startsWith(`${name}: required`)), name);
  }
  const config = loadConfig(AWS);
  t.equal(config.aws?.jobTable, 'jobs');
  t.same(config.corsOrigins, [], 'no CORS origin allowed unless named in aws mode');
  t.equal(config.aws?.forcePathStyle, false);
  t.equal(config.aws?.syncIntervalMs, 5000);
  t.notOk(config.aws?.providerSecretArn, 'optional: without it a cancel leaves the prediction to the workflow');
  const withProvider = loadConfig({ ...AWS, PROVIDER_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:p', REPLICATE_BASE_URL: 'http://127.0.0.1:9/v1' });
  t.match(withProvider.aws, { providerSecretArn: 'arn:aws:secretsmanager:eu-west-1:1:secret:p', replicateBaseUrl: 'http://127.0.0.1:9/v1' });
});

t.test('bad values name the variable and what is wrong', async (t) => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ APP_MODE: 'cloud' }, /^APP_MODE: must be one of local, aws/],
    [{ PORT: '70000' }, /^PORT: must be an integer from 0 to 65535/],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL: /],
    [{ RATE_LIMIT_PER_MIN: '0' }, /^RATE_LIMIT_PER_MIN: /],
    [{ QUOTA_PER_MONTH: '1.5' }, /^QUOTA_PER_MONTH: /],
    [{ VIDEO_URL_TTL_SECONDS: '59' }, /^VIDEO_URL_TTL_SECONDS: must be an integer from 60 to 604800/],
    [{ VIDEO_URL_TTL_SECONDS: '604801' }, /^VIDEO_URL_TTL_SECONDS: /],
    [{ CORS_ORIGINS: 'not a url' }, /^CORS_ORIGINS: /],
    [{ LOCAL_WORKFLOW_DURATION_MS: '-1' }, /^LOCAL_WORKFLOW_DURATION_MS: /],
    [{ ...AWS, STEP_FUNCTIONS_ARN: 'video' }, /^STEP_FUNCTIONS_ARN: /],
    [{ ...AWS, S3_FORCE_PATH_STYLE: 'yes' }, /^S3_FORCE_PATH_STYLE: /],
    [{ ...AWS, JWT_ISSUER: 'ftp://x' }, /^JWT_ISSUER: /],
    [{ ...AWS, REPLICATE_BASE_URL: 'replicate' }, /^REPLICATE_BASE_URL: /],
  ];
  for (const [env, expected] of cases) {
    const problems = problemsOf(env);
    t.equal(problems.length, 1, JSON.stringify(env).slice(0, 60));
    t.match(problems[0], expected);
  }
});

t.test('CORS origins, PUBLIC_URL and PORT=0', async (t) => {
  t.same(loadConfig({ CORS_ORIGINS: 'https://a.test, https://b.test' }).corsOrigins, ['https://a.test', 'https://b.test']);
  t.equal(loadConfig({ PUBLIC_URL: 'https://api.omnigen.test/' }).publicUrl, 'https://api.omnigen.test');
  const zero = loadConfig({ PORT: '0' });
  t.equal(withPort(zero, 41234, {}).publicUrl, 'http://127.0.0.1:41234');
  t.equal(withPort(loadConfig({ PORT: '0', PUBLIC_URL: 'https://x.test' }), 41234, { PUBLIC_URL: 'https://x.test' }).publicUrl, 'https://x.test');
  t.equal(loadConfig({ HOST: '::1' }).publicUrl, 'http://[::1]:8080');
});

t.test('rate-limit store: memory by default, redis with a redis:// or rediss:// REDIS_URL', async (t) => {
  t.equal(loadConfig({}).rateLimitStore, 'memory');
  t.equal(loadConfig({ REDIS_URL: 'not even a url' }).redisUrl, undefined, 'REDIS_URL is not read for the memory store');
  t.match(loadConfig({ RATE_LIMIT_STORE: 'redis', REDIS_URL: 'redis://127.0.0.1:6379' }), { rateLimitStore: 'redis', redisUrl: 'redis://127.0.0.1:6379' });
  t.equal(loadConfig({ ...AWS, RATE_LIMIT_STORE: 'redis', REDIS_URL: 'rediss://:pw@cache.abc.euw1.cache.amazonaws.com:6379' }).rateLimitStore, 'redis');
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ RATE_LIMIT_STORE: 'memcached' }, /^RATE_LIMIT_STORE: must be one of memory, redis/],
    [{ RATE_LIMIT_STORE: 'redis' }, /^REDIS_URL: required when RATE_LIMIT_STORE=redis/],
    [{ RATE_LIMIT_STORE: 'redis', REDIS_URL: 'http://cache:6379' }, /^REDIS_URL: must be a redis:\/\/ or rediss:\/\/ URL/],
    [{ RATE_LIMIT_STORE: 'redis', REDIS_URL: 'cache:6379' }, /^REDIS_URL: must be/],
    [{ RATE_LIMIT_STORE: 'redis', REDIS_URL: 'redis://:secret@' }, /^REDIS_URL: must be/],
  ];
  for (const [env, expected] of cases) {
    const problems = problemsOf(env);
    t.equal(problems.length, 1, JSON.stringify(env));
    t.match(problems[0], expected);
    t.notMatch(problems[0], /secret/, 'a password in the URL is never echoed');
  }
});
