// AWS_REQUIRED_ENV is what infra/ checks its task definition against: it must be exactly what
// loadConfig refuses to start without in aws mode, in both directions.
import t from 'tap';
import { AWS_REQUIRED_ENV, type ConfigError, loadConfig } from '../src/config.ts';

const VALUES: Record<string, string> = {
  APP_MODE: 'aws',
  AWS_REGION: 'eu-west-1',
  STEP_FUNCTIONS_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:omnigen',
  JWT_ISSUER: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc',
  COGNITO_DOMAIN: 'https://omnigen.auth.eu-west-1.amazoncognito.com',
  AUTH_REDIRECT_URI: 'https://api.example.com/api/v1/auth/callback',
  WEBHOOK_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/omnigen-webhooks',
};
const complete = Object.fromEntries(AWS_REQUIRED_ENV.map((name) => [name, VALUES[name] ?? `value-of-${name}`]));

t.test('the listed variables are enough for aws mode', async (t) => {
  t.equal(loadConfig(complete).mode, 'aws');
});

t.test('each listed variable is required: without it, aws mode does not start', async (t) => {
  for (const name of AWS_REQUIRED_ENV) {
    const env: Record<string, string> = { ...complete };
    delete env[name];
    if (name === 'APP_MODE') {
      t.equal(loadConfig(env).mode, 'local', 'without APP_MODE the service runs in local mode');
      continue;
    }
    try {
      loadConfig(env);
      t.fail(`${name} is required`);
    } catch (err) {
      t.same((err as ConfigError).problems, [`${name}: required in aws mode, but not set`], `${name} is required`);
    }
  }
});

t.test('nothing else is required: every problem of a bare aws config names a listed variable', async (t) => {
  try {
    loadConfig({ APP_MODE: 'aws' });
    t.fail('a bare aws config must not load');
  } catch (err) {
    const named = (err as ConfigError).problems.map((p) => p.split(':')[0]);
    t.same([...named].sort(), AWS_REQUIRED_ENV.filter((n) => n !== 'APP_MODE').sort());
  }
});
