import t from 'tap';
import type { WorkflowSteps } from '../../src/application/workflow-steps.ts';
import { createHandler as failJob } from '../../src/adapters/lambda/fail-job.ts';
import { createHandler as pollGeneration } from '../../src/adapters/lambda/poll-generation.ts';
import { createHandler as startGeneration } from '../../src/adapters/lambda/start-generation.ts';
import { createHandler as storeVideo } from '../../src/adapters/lambda/store-video.ts';
import { buildFailJob } from '../../src/composition/lambda/fail-job.ts';
import { buildPollGeneration } from '../../src/composition/lambda/poll-generation.ts';
import { buildStartGeneration } from '../../src/composition/lambda/start-generation.ts';
import { buildStoreVideo } from '../../src/composition/lambda/store-video.ts';
import { coldStart } from '../../src/composition/lambda-steps.ts';

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

t.test('each function is built from its own variables only: PollGeneration starts without the bucket or the usage table', async (t) => {
  const own = { AWS_REGION: 'us-east-1', JOB_TABLE: 't', PROVIDER_SECRET_ARN: 'arn:s', LOG_LEVEL: 'silent' };
  t.throws(() => buildStartGeneration(own), { name: 'ConfigError', problems: ['ASSETS_BUCKET: required by the start-generation function, but not set'] }, 'StartGeneration signs start images in it');
  t.ok(buildStartGeneration({ ...own, ASSETS_BUCKET: 'b' }).startGeneration, 'StartGeneration');
  t.ok(buildPollGeneration(own).pollGeneration, 'PollGeneration');
  t.throws(() => buildFailJob(own), { name: 'ConfigError', problems: ['USAGE_TABLE: required by the fail-job function, but not set'] }, 'FailJob settles the month\'s spend');
  t.ok(buildFailJob({ ...own, USAGE_TABLE: 'u' }).failJob, 'FailJob');
  t.throws(() => buildStoreVideo(own), { name: 'ConfigError', problems: ['ASSETS_BUCKET: required by the store-video function, but not set', 'USAGE_TABLE: required by the store-video function, but not set'] }, 'StoreVideo needs the bucket and the usage table');
  t.ok(buildStoreVideo({ ...own, ASSETS_BUCKET: 'b', USAGE_TABLE: 'u' }).storeVideo);
  t.throws(() => buildFailJob({}), { name: 'ConfigError', problems: ['AWS_REGION: required by the fail-job function, but not set', 'JOB_TABLE: required by the fail-job function, but not set', 'PROVIDER_SECRET_ARN: required by the fail-job function, but not set', 'USAGE_TABLE: required by the fail-job function, but not set'] }, 'every missing variable, named');
});

t.test('a bundle entry builds its step once per cold start, on the first invocation', async (t) => {
  const saved = { ...process.env };
  t.teardown(() => void (process.env = saved));
  process.env = { AWS_REGION: 'us-east-1', LOG_LEVEL: 'silent' };
  const { handler } = await import('../../src/composition/lambda/fail-job.ts');
  await t.rejects(handler({ jobId: 'j' }), { name: 'ConfigError', message: /JOB_TABLE: required by the fail-job function/ }, 'a bad environment fails the invocation, visibly');
  const built: string[] = [];
  const once = coldStart((env) => (built.push(String(env.JOB_TABLE)), {}));
  process.env = { JOB_TABLE: 'jobs' };
  t.equal(once(), once(), 'the same step every time');
  t.same(built, ['jobs'], 'built from process.env, once');
});
