// What the contract suite cannot see: the job table as a Step Functions workflow shares it. These are the
// very UpdateItem expressions docs/aws-mode.md gives workflow authors.
import t from 'tap';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbJobRepository } from '../../src/adapters/aws/dynamodb-job-repository.ts';
import { DynamoDbUsageLedger } from '../../src/adapters/aws/dynamodb-usage-ledger.ts';
import { ConcurrentUpdate } from '../../src/domain/errors.ts';
import { advanceJob, newJob } from '../../src/domain/job.ts';
import { startDynalite } from '../helpers/dynalite.ts';

const PROGRESS = {
  UpdateExpression: 'SET progress = :progress, stage = :stage, #status = :processing, updatedAt = :now ADD version :one',
  ConditionExpression: '#status IN (:pending, :processing) AND progress <= :progress',
};
const FAIL = {
  UpdateExpression: 'SET #status = :failed, stage = :failedStage, failure = :failure, updatedAt = :now ADD version :one',
  ConditionExpression: '#status IN (:pending, :processing)',
};
const COMPLETE = {
  UpdateExpression: 'SET #status = :completed, progress = :hundred, stage = :done, videoKey = :videoKey, updatedAt = :now ADD version :one',
  ConditionExpression: '#status IN (:pending, :processing)',
};

/** A job saved through the repository, and `write`, which updates its item the way a state machine would. */
async function workflowTable(t: Parameters<typeof startDynalite>[0], jobId: string, category: 'music-video' | 'ad-creative') {
  const dynamo = await startDynalite(t);
  const table = await dynamo.jobTable();
  const repo = new DynamoDbJobRepository(dynamo.clients.dynamo, table);
  const job = newJob({ jobId, userId: 'alice', prompt: 'A neon city at night, synthwave', category, now: new Date('2026-11-27T10:00:00.000Z') });
  await repo.create(job);
  const write = (expression: typeof PROGRESS, values: Record<string, unknown>) =>
    dynamo.clients.dynamo.send(new UpdateCommand({
      TableName: table,
      Key: { jobId: job.jobId },
      ...expression,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':one': 1, ':now': '2026-11-27T10:01:00.000Z', ':pending': 'pending', ':processing': 'processing', ...values },
    }));
  return { repo, job, write };
}

t.test('a workflow writing the job item directly', async (t) => {
  const { repo, job, write } = await workflowTable(t, '6f1c6f1c-0000-4000-8000-000000000001', 'music-video');

  await write(PROGRESS, { ':progress': 40, ':stage': 'rendering' });
  const seen = await repo.get(job.jobId);
  t.match(seen, { status: 'processing', progress: 40, stage: 'rendering', version: 2 }, 'the API reads the workflow\'s progress');

  await t.rejects(repo.update(advanceJob(job, { progress: 10 }, new Date())), ConcurrentUpdate, 'a write based on the version before the workflow\'s loses');
  await write(COMPLETE, { ':completed': 'completed', ':hundred': 100, ':done': 'done', ':videoKey': 'videos/a.mp4' });
  t.match(await repo.get(job.jobId), { status: 'completed', progress: 100, videoKey: 'videos/a.mp4', version: 3 });
  await t.rejects(
    write(PROGRESS, { ':progress': 99, ':stage': 'late' }),
    { name: 'ConditionalCheckFailedException' },
    'a late progress write cannot reopen a finished job',
  );
  await t.rejects(
    write(FAIL, { ':failed': 'failed', ':failedStage': 'failed', ':failure': { code: 'X', message: 'm' } }),
    { name: 'ConditionalCheckFailedException' },
    'nor can a late failure',
  );
});

t.test('a workflow failing a job directly', async (t) => {
  const { repo, job, write } = await workflowTable(t, '6f1c6f1c-0000-4000-8000-000000000002', 'ad-creative');
  await write(FAIL, { ':failed': 'failed', ':failedStage': 'failed', ':failure': { code: 'ContentPolicyViolation', message: 'The prompt was refused' } });
  t.match(await repo.get(job.jobId), { status: 'failed', stage: 'failed', failure: { code: 'ContentPolicyViolation', message: 'The prompt was refused' }, version: 2 });
});

t.test('check passes for the tables and fails for a missing one', async (t) => {
  const dynamo = await startDynalite(t);
  await new DynamoDbUsageLedger(dynamo.clients.dynamo, await dynamo.usageTable()).check();
  await new DynamoDbJobRepository(dynamo.clients.dynamo, await dynamo.jobTable()).check();
  await t.rejects(new DynamoDbJobRepository(dynamo.clients.dynamo, 'missing').check(), { name: 'ResourceNotFoundException' });
});
