// One set of stand-ins for the workflow tests: dynalite (jobs), s3rver (videos), the fake Replicate and
// a fake Secrets Manager holding its token; the Lambda steps are built from an environment, as in AWS.
import { randomUUID } from 'node:crypto';
import type { Test } from 'tap';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createAwsClients } from '../../src/adapters/aws/aws-clients.js';
import { DynamoDbJobRepository } from '../../src/adapters/aws/dynamodb-job-repository.js';
import { createLambdaSteps } from '../../src/adapters/lambda/lambda-steps.js';
import { newJob, type Job, type JobCategory } from '../../src/domain/job.js';
import { FakeReplicate } from '../fakes/fake-replicate.js';
import { FakeSecretsManager } from '../fakes/fake-secrets-manager.js';
import { startDynalite } from '../helpers/dynalite.js';
import { S3RVER_CREDENTIALS, startS3rver } from '../helpers/s3rver.js';

export const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:omnigen/provider-AbCdEf';
export const BUCKET = 'omnigen-assets';

export async function workflowFixture(t: Test) {
  const [dynamo, s3stand, replicate, secrets] = await Promise.all([startDynalite(t), startS3rver(t, [BUCKET]), FakeReplicate.start(t), FakeSecretsManager.start(t)]);
  secrets.secrets.set(SECRET_ARN, JSON.stringify({ token: 'r8_test_token' }));
  const jobTable = await dynamo.jobTable();
  const clients = createAwsClients({
    region: 'us-east-1', forcePathStyle: true, credentials: S3RVER_CREDENTIALS, endpoints: { dynamodb: dynamo.endpoint, s3: s3stand.endpoint },
    requestTimeoutMs: 30_000, connectionTimeoutMs: 10_000,
  });
  const secretsClient = new SecretsManagerClient({ region: 'us-east-1', endpoint: secrets.endpoint, credentials: S3RVER_CREDENTIALS });
  t.teardown(() => (clients.destroy(), secretsClient.destroy()));
  const env = { AWS_REGION: 'us-east-1', JOB_TABLE: jobTable, ASSETS_BUCKET: BUCKET, PROVIDER_SECRET_ARN: SECRET_ARN, REPLICATE_BASE_URL: replicate.baseUrl, LOG_LEVEL: 'silent' };
  const steps = createLambdaSteps(env, { clients, secrets: secretsClient });
  const jobs = new DynamoDbJobRepository(clients.dynamo, jobTable);
  const create = async (prompt = 'A neon city at night, synthwave', category: JobCategory = 'music-video'): Promise<Job> => {
    const job = newJob({ jobId: randomUUID(), userId: 'alice', prompt, category, now: new Date() });
    await jobs.create(job);
    return job;
  };
  const input = (job: Job) => ({ jobId: job.jobId, userId: job.userId, prompt: job.prompt, category: job.category });
  return { steps, jobs, replicate, secrets, s3: s3stand.s3, clients, env, create, input };
}
