import t from 'tap';
import { ConfigError } from '../src/config.ts';
import { DELIVERY_ENV, LAMBDA_ENV, LAMBDA_FUNCTIONS, loadDeliveryConfig, loadLambdaConfig, ownEnv } from '../src/lambda-config.ts';

const base = { AWS_REGION: 'eu-west-1', JOB_TABLE: 'jobs', PROVIDER_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:p' };

function problems(fn: (typeof LAMBDA_FUNCTIONS)[number], env: Record<string, string>): string[] {
  try {
    loadLambdaConfig(fn, env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

t.test('typed settings from a function\'s own variables', async (t) => {
  t.same(loadLambdaConfig('store-video', { ...base, ASSETS_BUCKET: 'assets', USAGE_TABLE: 'usage', S3_FORCE_PATH_STYLE: 'true', LOG_LEVEL: 'debug', REPLICATE_BASE_URL: 'http://127.0.0.1:9/v1' }), {
    function: 'store-video', region: 'eu-west-1', logLevel: 'debug', jobTable: 'jobs', providerSecretArn: base.PROVIDER_SECRET_ARN,
    forcePathStyle: true, assetsBucket: 'assets', usageTable: 'usage', replicateBaseUrl: 'http://127.0.0.1:9/v1',
  });
});

t.test('a variable the function does not own is not read, even when set', async (t) => {
  const env = { ...base, ASSETS_BUCKET: 'assets', S3_FORCE_PATH_STYLE: 'true', VIDEO_MODEL_MUSIC_VIDEO: 'o/n' };
  const poll = loadLambdaConfig('poll-generation', env);
  t.equal(poll.assetsBucket, undefined);
  t.equal(poll.forcePathStyle, false);
  t.same(problems('poll-generation', { ...base, S3_FORCE_PATH_STYLE: 'maybe' }), [], 'nor checked');
});

t.test('the catalogue variables belong to the functions that read the catalogue', async (t) => {
  const env = { ...base, VIDEO_MODEL_MUSIC_VIDEO: 'o/n', VIDEO_MODELS_FILE: '/x.json' };
  t.same(Object.keys(ownEnv('start-generation', env)).sort(), ['AWS_REGION', 'JOB_TABLE', 'PROVIDER_SECRET_ARN', 'VIDEO_MODELS_FILE', 'VIDEO_MODEL_MUSIC_VIDEO']);
  t.same(Object.keys(ownEnv('poll-generation', env)).sort(), ['AWS_REGION', 'JOB_TABLE', 'PROVIDER_SECRET_ARN']);
});

t.test('every problem at once, one line each, naming the variable and the function', async (t) => {
  t.same(problems('store-video', { LOG_LEVEL: 'loud', REPLICATE_BASE_URL: 'ftp://x', S3_FORCE_PATH_STYLE: 'yes' }), [
    'AWS_REGION: required by the store-video function, but not set',
    'LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
    'JOB_TABLE: required by the store-video function, but not set',
    'PROVIDER_SECRET_ARN: required by the store-video function, but not set',
    'S3_FORCE_PATH_STYLE: must be one of true, false, got "yes"',
    'ASSETS_BUCKET: required by the store-video function, but not set',
    'USAGE_TABLE: required by the store-video function, but not set',
    'REPLICATE_BASE_URL: must be an http(s) URL, got "ftp://x"',
  ]);
});

t.test('LAMBDA_ENV lists what each function requires: removing any one is named', async (t) => {
  for (const fn of LAMBDA_FUNCTIONS) {
    const full = Object.fromEntries(['AWS_REGION', ...LAMBDA_ENV[fn].required].map((name) => [name, name === 'AWS_REGION' ? 'eu-west-1' : 'x']));
    t.same(problems(fn, full), [], `${fn} starts with its required variables`);
    for (const name of Object.keys(full)) {
      const { [name]: _, ...without } = full;
      t.same(problems(fn, without), [`${name}: required by the ${fn} function, but not set`], `${fn} without ${name}`);
    }
  }
});

t.test('the delivery function: its own variables only, the webhook rules read as the API reads them, every problem at once', async (t) => {
  const env = { AWS_REGION: 'eu-west-1', USAGE_TABLE: 'usage', ASSETS_BUCKET: 'assets', JOB_TABLE: 'jobs', WEBHOOK_PORTS: '443,9443', WEBHOOK_ALLOW_LOOPBACK: 'true' };
  t.same(loadDeliveryConfig(env), {
    region: 'eu-west-1', logLevel: 'info', usageTable: 'usage', assetsBucket: 'assets', forcePathStyle: false, videoUrlTtlSeconds: 3600,
    webhooks: { allowLoopback: true, ports: [443, 9443] },
  });
  t.same(DELIVERY_ENV.required, ['USAGE_TABLE', 'ASSETS_BUCKET'], 'no jobs table, no provider: a delivery carries its job');
  try {
    loadDeliveryConfig({ JOB_TABLE: 'jobs', WEBHOOK_PORTS: 'x', VIDEO_URL_TTL_SECONDS: '1' });
    t.fail('must not load');
  } catch (err) {
    t.same((err as ConfigError).problems, [
      'AWS_REGION: required by the deliver-webhooks function, but not set',
      'USAGE_TABLE: required by the deliver-webhooks function, but not set',
      'ASSETS_BUCKET: required by the deliver-webhooks function, but not set',
      'VIDEO_URL_TTL_SECONDS: must be an integer from 60 to 604800, got "1"',
      'WEBHOOK_PORTS: must be a comma-separated list of ports (1..65535), got "x"',
    ]);
  }
});
