import t from 'tap';
import type { WorkflowSteps } from '../../src/application/workflow-steps.js';
import { createHandler as failJob } from '../../src/adapters/lambda/fail-job.js';
import { createLambdaSteps, lambdaSteps } from '../../src/composition/lambda-steps.js';
import { createHandler as pollGeneration } from '../../src/adapters/lambda/poll-generation.js';
import { createHandler as startGeneration } from '../../src/adapters/lambda/start-generation.js';
import { createHandler as storeVideo } from '../../src/adapters/lambda/store-video.js';

// Each handler only parses its event and calls one step; these steps record what they were given.
const calls: [string, unknown][] = [];
const step = (name: string) => ({ execute: async (input: unknown) => (calls.push([name, input]), { ok: name }) });
const steps = { startGeneration: step('start'), pollGeneration: step('poll'), storeVideo: step('store'), failJob: step('fail') } as unknown as WorkflowSteps;

t.test('events become step inputs', async (t) => {
  await startGeneration(() => steps)({ jobId: 'j1', userId: 'u', prompt: 'p', category: 'music-video' });
  await pollGeneration(() => steps)({ jobId: 'j1', generationId: 'g1' });
  await storeVideo(() => steps)({ jobId: 'j1', generationId: 'g1' });
  t.same(await failJob(() => steps)({ jobId: 'j1', error: { Error: 'PROVIDER_REJECTED', Cause: '{"errorMessage":"secret stack"}' } }), { ok: 'fail' });
  await failJob(() => steps)({ jobId: 'j2' });
  t.same(calls, [
    ['start', { jobId: 'j1' }],
    ['poll', { jobId: 'j1', generationId: 'g1' }],
    ['store', { jobId: 'j1', generationId: 'g1' }],
    ['fail', { jobId: 'j1', error: 'PROVIDER_REJECTED' }],
    ['fail', { jobId: 'j2', error: '' }],
  ], 'the Cause (messages, stack traces) is never passed on');
});

t.test('an event without what the step needs is InvalidEvent', async (t) => {
  await t.rejects(startGeneration(() => steps)({}), { name: 'InvalidEvent', message: 'event has no "jobId"' });
  await t.rejects(pollGeneration(() => steps)({ jobId: 'j' }), { name: 'InvalidEvent', message: 'event has no "generationId"' });
  await t.rejects(storeVideo(() => steps)(null), { name: 'InvalidEvent' });
});

t.test('the Lambda environment: a missing variable names itself', async (t) => {
  t.throws(() => createLambdaSteps({ AWS_REGION: 'us-east-1', PROVIDER_SECRET_ARN: 'arn:s', ASSETS_BUCKET: 'b' }), /JOB_TABLE is not set/);
  t.throws(() => createLambdaSteps({}), /AWS_REGION is not set/);
  const saved = { ...process.env };
  t.teardown(() => void (process.env = saved));
  process.env = { AWS_REGION: 'us-east-1', JOB_TABLE: 't', ASSETS_BUCKET: 'b', PROVIDER_SECRET_ARN: 'arn:s', LOG_LEVEL: 'silent' };
  const first = lambdaSteps();
  t.equal(lambdaSteps(), first, 'built once per cold start');
});
