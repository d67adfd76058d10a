// Everything aws mode talks to, on free loopback ports: dynalite (DynamoDB), s3rver (S3), the fake Step
// Functions, the Cognito stand-in and the SQS stand-in (the webhook delivery queue and its dead-letter
// queue) read by an event source mapping that runs the delivery Lambda's handler in this process, with
// the tables and bucket made by the project's own create-resources code. `env` is what the API needs
// to run against them. Used by the aws-mode tests, so it depends on nothing from tap.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createAwsClients, createSqsClient } from '../../src/adapters/aws/aws-clients.ts';
import { createAwsResources, type Say } from '../../src/adapters/aws/aws-resources.ts';
import { buildDeliverWebhooks } from '../../src/composition/lambda/deliver-webhooks.ts';
import { createHandler } from '../../src/adapters/lambda/deliver-webhooks.ts';
import { createLambdaSteps } from '../../src/composition/lambda-workflow.ts';
import { FakeReplicate } from '../fakes/fake-replicate.ts';
import { FakeSecretsManager } from '../fakes/fake-secrets-manager.ts';
import { FakeSqs } from '../fakes/fake-sqs.ts';
import { FakeStepFunctions } from '../fakes/fake-step-functions.ts';
import { startSqsEventSource, type SqsEventSource } from '../fakes/sqs-event-source.ts';
import { runWorkflow } from './state-machine.ts';
import { CognitoStandIn } from './cognito-stand-in.ts';

// dynalite and s3rver ship no types; these are the calls used here.
const require = createRequire(import.meta.url);
const dynalite = require('dynalite') as (options: { createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => Server;
const S3rver = require('s3rver') as new (options: { port: number; address: string; directory: string; silent: boolean }) => {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
};

export interface AwsStandInsOptions {
  /**
   * Where the API will listen: its callback and logout URLs are derived from it. Left out, the API gets
   * PORT=0 and those URLs name API_PLACEHOLDER: the stand-in redirects to whatever redirect URI it is
   * given, so a test maps the placeholder origin to the port the API reported (see onApi).
   */
  apiPort?: number;
  host?: string;
  names?: Partial<{ jobTable: string; usageTable: string; bucket: string; clientId: string; userPoolId: string }>;
  /** Finish every execution `afterMs` after it started, with `videoFile` put into the bucket (the one-command run). */
  autoComplete?: { afterMs: number; videoFile: string };
  /**
   * Run every execution through the real state machine (workflow/state-machine.asl.json) with the project's
   * Lambda handlers, a fake Replicate and a fake Secrets Manager; `waitMs` is each poll's wait.
   */
  workflow?: { waitMs: number };
  /** CA certificates the delivery Lambda trusts (a test receiver's self-signed one); it may send to loopback. */
  webhookCa?: string;
  say?: Say;
}

export interface AwsStandIns {
  /** Every variable aws mode needs (APP_MODE, PORT and HOST included), pointing at the stand-ins. */
  env: Record<string, string>;
  apiUrl: string;
  idp: CognitoStandIn;
  sfn: FakeStepFunctions;
  /** With `workflow`: the provider the state machine's steps call. */
  replicate?: FakeReplicate;
  /** An S3 client for s3rver that can upload to it (s3rver predates the SDK's default upload checksums). */
  s3: S3Client;
  /** The delivery queue ("webhooks") and its dead-letter queue ("webhooks-dlq"). */
  sqs: FakeSqs;
  /** The event source mapping running the delivery Lambda. */
  deliveryLambda: SqsEventSource;
  stop(): Promise<void>;
}

/** As infra/lib/webhooks.ts deploys them: a message the Lambda failed on 5 times goes to the DLQ. */
export const DELIVERY_QUEUES = { queue: 'webhooks', deadLetterQueue: 'webhooks-dlq', maxReceiveCount: 5 };

const REGION = 'us-east-1';
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }; // s3rver accepts only these; the others any

function listen(server: Server, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve(`http://${host}:${(server.address() as AddressInfo).port}`));
  });
}

/** The API's origin in the stand-ins' URLs when its port is not known in advance. */
export const API_PLACEHOLDER = 'http://omnigen-api.invalid';

/** `url` (a redirect to the API) with the placeholder origin replaced by the API's real one. */
export function onApi(url: string, apiBase: string): string {
  return url.startsWith(API_PLACEHOLDER) ? apiBase + url.slice(API_PLACEHOLDER.length) : url;
}

export async function startAwsStandIns(options: AwsStandInsOptions): Promise<AwsStandIns> {
  const host = options.host ?? '127.0.0.1';
  const names = { jobTable: 'omnigen-jobs', usageTable: 'omnigen-usage', bucket: 'omnigen-assets', clientId: 'omnigen-local-client', userPoolId: 'us-east-1_StandIn', ...options.names };
  const stops: Array<() => unknown> = [];
  const stop = async (): Promise<void> => {
    for (const fn of stops.splice(0).reverse()) await fn();
  };
  try {
    const dynamo = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    const dynamoUrl = await listen(dynamo, host);
    stops.push(() => new Promise<void>((resolve) => dynamo.close(() => resolve())));

    const directory = await mkdtemp(join(tmpdir(), 'omnigen-s3rver-'));
    stops.push(() => rm(directory, { recursive: true, force: true }));
    const s3rver = new S3rver({ port: 0, address: host, directory, silent: true });
    const s3Url = `http://${host}:${(await s3rver.run()).port}`;
    stops.push(() => s3rver.close());

    const sfn = await FakeStepFunctions.start({ teardown: (fn) => stops.push(fn) });
    const idp = await CognitoStandIn.start({ clientId: names.clientId, host });
    stops.push(() => idp.stop());

    const clients = createAwsClients({
      region: REGION, forcePathStyle: true, credentials: CREDENTIALS, endpoints: { dynamodb: dynamoUrl, s3: s3Url, sfn: sfn.endpoint },
    });
    stops.push(() => clients.destroy());
    const s3 = new S3Client({
      region: REGION, endpoint: s3Url, credentials: CREDENTIALS, forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED',
    });
    stops.push(() => s3.destroy());
    await createAwsResources(clients, { region: REGION, jobTable: names.jobTable, usageTable: names.usageTable, bucket: names.bucket }, options.say ?? (() => {}));

    if (options.autoComplete) {
      const timer = autoComplete(sfn, s3, names.bucket, options.autoComplete);
      stops.push(() => clearInterval(timer));
    }

    // The delivery queue, read by the delivery Lambda's handler here (its env as the stack gives it).
    const sqs = await FakeSqs.start({ teardown: (fn) => stops.push(fn) }, [
      { name: DELIVERY_QUEUES.deadLetterQueue },
      { name: DELIVERY_QUEUES.queue, visibilityTimeoutSeconds: 30, redrive: { deadLetterQueue: DELIVERY_QUEUES.deadLetterQueue, maxReceiveCount: DELIVERY_QUEUES.maxReceiveCount } },
    ]);
    const queue = sqs.queue(DELIVERY_QUEUES.queue);
    const sqsClient = createSqsClient({ region: REGION, credentials: CREDENTIALS, endpoints: { sqs: sqs.endpoint } });
    stops.push(() => sqsClient.destroy());
    const delivery = buildDeliverWebhooks(
      { AWS_REGION: REGION, USAGE_TABLE: names.usageTable, ASSETS_BUCKET: names.bucket, S3_FORCE_PATH_STYLE: 'true', WEBHOOK_ALLOW_LOOPBACK: 'true', LOG_LEVEL: 'silent' },
      { clients, metricsWrite: () => undefined, ...(options.webhookCa ? { ca: options.webhookCa } : {}) },
    );
    // The pollers' own client: no 3 s request timeout (the API's), since a receive waits up to 20 s.
    const pollerClient = new SQSClient({ region: REGION, endpoint: sqs.endpoint, credentials: CREDENTIALS, useQueueUrlAsEndpoint: false });
    stops.push(() => pollerClient.destroy());
    const deliveryLambda = startSqsEventSource({
      sqs: pollerClient, queueUrl: queue.url, queueArn: queue.arn, region: REGION, batchSize: 10, reportBatchItemFailures: true, invoke: createHandler(() => delivery),
    });
    stops.push(() => deliveryLambda.stop());

    const apiUrl = options.apiPort === undefined ? API_PLACEHOLDER : `http://${host}:${options.apiPort}`;
    const providerEnv: Record<string, string> = {};
    let replicate: FakeReplicate | undefined;
    if (options.workflow) {
      replicate = await FakeReplicate.start({ teardown: (fn) => stops.push(fn) });
      const secrets = await FakeSecretsManager.start({ teardown: (fn) => stops.push(fn) });
      const secretArn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:omnigen/provider-StandIn';
      secrets.secrets.set(secretArn, 'r8_test_token');
      Object.assign(providerEnv, { PROVIDER_SECRET_ARN: secretArn, AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint, REPLICATE_BASE_URL: replicate.baseUrl });
      const { SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
      const secretsClient = new SecretsManagerClient({ region: REGION, endpoint: secrets.endpoint, credentials: CREDENTIALS });
      stops.push(() => secretsClient.destroy());
      const steps = createLambdaSteps({ ...providerEnv, AWS_REGION: REGION, JOB_TABLE: names.jobTable, USAGE_TABLE: names.usageTable, ASSETS_BUCKET: names.bucket, LOG_LEVEL: 'silent' }, { clients, secrets: secretsClient });
      const { waitMs } = options.workflow;
      sfn.runner = (execution) => {
        const run = runWorkflow(JSON.parse(execution.input) as Record<string, unknown>, steps, { waitMs });
        void run.outcome.then((outcome) => {
          if (execution.status !== 'RUNNING') return;
          if (outcome.status === 'SUCCEEDED') sfn.succeed(execution.name, outcome.output);
          else sfn.finish(execution.name, outcome.status, outcome.status === 'FAILED' ? { error: outcome.error } : {});
        }, (err: unknown) => sfn.finish(execution.name, 'FAILED', { error: 'StandInRunFailed', cause: String(err) }));
        return run;
      };
    }
    const env = {
      ...providerEnv,
      APP_MODE: 'aws',
      HOST: host,
      PORT: String(options.apiPort ?? 0),
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dynamoUrl,
      AWS_ENDPOINT_URL_S3: s3Url,
      AWS_ENDPOINT_URL_SFN: sfn.endpoint,
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      WEBHOOK_QUEUE_URL: queue.url,
      S3_FORCE_PATH_STYLE: 'true',
      JOB_TABLE: names.jobTable,
      USAGE_TABLE: names.usageTable,
      ASSETS_BUCKET: names.bucket,
      STEP_FUNCTIONS_ARN: sfn.stateMachineArn,
      COGNITO_USER_POOL_ID: names.userPoolId,
      COGNITO_CLIENT_ID: names.clientId,
      JWT_ISSUER: idp.url,
      COGNITO_DOMAIN: idp.url,
      AUTH_REDIRECT_URI: `${apiUrl}/api/v1/auth/callback`,
      AUTH_LOGOUT_URI: `${apiUrl}/api/v1/docs`,
    };
    return { env, apiUrl, idp, sfn, replicate, s3, sqs, deliveryLambda, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** A stand-in for the state machine's work: after `afterMs`, the video lands under videos/ and the execution succeeds. */
function autoComplete(sfn: FakeStepFunctions, s3: S3Client, bucket: string, { afterMs, videoFile }: { afterMs: number; videoFile: string }): NodeJS.Timeout {
  const busy = new Set<string>();
  const timer = setInterval(() => {
    for (const execution of sfn.executions.values()) {
      if (execution.status !== 'RUNNING' || busy.has(execution.name) || Date.now() - execution.startDate * 1000 < afterMs) continue;
      busy.add(execution.name);
      const videoKey = `videos/${execution.name}.mp4`;
      readFile(videoFile)
        .then((body) => s3.send(new PutObjectCommand({ Bucket: bucket, Key: videoKey, Body: body, ContentType: 'video/mp4' })))
        .then(() => {
          if (execution.status === 'RUNNING') sfn.succeed(execution.name, { videoKey });
        })
        .catch((err: unknown) => sfn.finish(execution.name, 'FAILED', { error: 'StandInUploadFailed', cause: String(err) }))
        .finally(() => busy.delete(execution.name));
    }
  }, 250);
  return timer.unref();
}

/** A token from the Cognito stand-in's token endpoint, over HTTP (its password grant). */
export async function cognitoToken(stands: AwsStandIns, username: string): Promise<string> {
  const res = await fetch(`${stands.idp.url}/oauth2/token`, {
    method: 'POST', body: new URLSearchParams({ grant_type: 'password', username, client_id: stands.env.COGNITO_CLIENT_ID ?? '' }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}
