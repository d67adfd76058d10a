import t from 'tap';
import type { Test } from 'tap';
import { createAwsClients } from '../../src/adapters/aws/aws-clients.ts';
import { StepFunctionsWorkflow } from '../../src/adapters/aws/step-functions-workflow.ts';
import { ServiceUnavailable } from '../../src/domain/errors.ts';
import { newJob, type Job } from '../../src/domain/job.ts';
import { FakeStepFunctions } from '../fakes/fake-step-functions.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { TEST_CREDENTIALS } from '../helpers/dynalite.ts';

let counter = 0;
function job(clock: FakeClock): Job {
  const jobId = `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`;
  return newJob({ jobId, userId: 'alice', prompt: 'A neon city at night, synthwave', category: 'ad-creative', now: clock.now() });
}

async function setup(t: Test, requestId?: () => string | undefined) {
  const fake = await FakeStepFunctions.start(t);
  const clients = createAwsClients({ region: 'us-east-1', endpoints: { sfn: fake.endpoint }, credentials: TEST_CREDENTIALS, maxAttempts: 1, requestTimeoutMs: 300 });
  t.teardown(() => clients.destroy());
  const clock = new FakeClock();
  const workflow = new StepFunctionsWorkflow(clients.sfn, { stateMachineArn: fake.stateMachineArn, clock, startGraceMs: 60_000, requestId });
  return { fake, workflow, clock };
}

t.test('start runs an execution named by the job id, with the job and the starting request\'s id as input', async (t) => {
  const { fake, workflow, clock } = await setup(t, () => 'req-create-1');
  const j = job(clock);
  const { executionArn } = await workflow.start(j);
  t.equal(executionArn, `arn:aws:states:us-east-1:123456789012:execution:omnigen-video:${j.jobId}`);
  const execution = fake.execution(j.jobId);
  t.equal(execution.status, 'RUNNING');
  t.same(JSON.parse(execution.input), { jobId: j.jobId, userId: 'alice', prompt: j.prompt, category: 'ad-creative', requestId: 'req-create-1' });
});

t.test('a start outside a request (no request id at hand) still gives the execution one: the definition reads it', async (t) => {
  for (const requestId of [undefined, () => undefined]) {
    const { fake, workflow, clock } = await setup(t, requestId);
    const j = job(clock);
    await workflow.start(j);
    t.match(JSON.parse(fake.execution(j.jobId).input), { jobId: j.jobId, requestId: /^[0-9a-f-]{36}$/ });
  }
});

t.test('starting the same job again is not an error, running or ended', async (t) => {
  const { fake, workflow, clock } = await setup(t);
  const j = job(clock);
  const first = await workflow.start(j);
  t.same(await workflow.start(j), first, 'a retried start finds the running execution');
  fake.succeed(j.jobId, { videoKey: 'videos/x.mp4' });
  t.same(await workflow.start(j), first, 'ExecutionAlreadyExists counts as started');
  t.equal(fake.executions.size, 1);
});

t.test('describe maps the execution status onto the job', async (t) => {
  const { fake, workflow, clock } = await setup(t);
  const cases: [string, (name: string) => void, unknown][] = [
    ['running', () => {}, { status: 'processing' }],
    ['succeeded', (n) => fake.succeed(n, { videoKey: `videos/${n}.mp4`, seconds: 12 }), (n: string) => ({ status: 'completed', videoKey: `videos/${n}.mp4` })],
    ['succeeded without a video', (n) => fake.succeed(n, { ok: true }), { status: 'failed', failure: { code: 'WORKFLOW_OUTPUT_INVALID', message: 'The video workflow finished without a video' } }],
    ['failed with a job failure code', (n) => fake.finish(n, 'FAILED', { error: 'PROVIDER_REJECTED', cause: 'x' }), { status: 'failed', failure: { code: 'PROVIDER_REJECTED', message: 'The video model refused this prompt (for example its content policy); try another prompt' } }],
    ['failed with a raw error name (FailJob could not run)', (n) => fake.finish(n, 'FAILED', { error: 'Error', cause: '{"stackTrace":["at secret.js:1"]}' }), { status: 'failed', failure: { code: 'WORKFLOW_FAILED', message: 'The video could not be generated' } }],
    ['failed with a task error', (n) => fake.finish(n, 'FAILED', { error: 'States.TaskFailed' }), { status: 'failed', failure: { code: 'WORKFLOW_FAILED', message: 'The video could not be generated' } }],
    ['timed out', (n) => fake.finish(n, 'TIMED_OUT', { error: 'States.Timeout' }), { status: 'failed', failure: { code: 'WORKFLOW_TIMED_OUT', message: 'Video generation took too long and was stopped' } }],
    ['aborted', (n) => fake.finish(n, 'ABORTED'), { status: 'failed', failure: { code: 'WORKFLOW_ABORTED', message: 'Video generation was stopped' } }],
    ['pending redrive', (n) => fake.finish(n, 'PENDING_REDRIVE'), { status: 'processing' }],
  ];
  for (const [name, settle, expected] of cases) {
    const j = job(clock);
    const { executionArn } = await workflow.start(j);
    settle(j.jobId);
    const state = await workflow.describe({ ...j, executionArn });
    t.same(state, typeof expected === 'function' ? expected(j.jobId) : expected, name);
  }
});

t.test('describe finds the execution by job id when the job has no ARN recorded', async (t) => {
  const { fake, workflow, clock } = await setup(t);
  const j = job(clock);
  await workflow.start(j);
  fake.succeed(j.jobId, { videoKey: 'v.mp4' });
  t.same(await workflow.describe(j), { status: 'completed', videoKey: 'v.mp4' });
});

t.test('a job without an execution: no view at first, failed once it cannot be starting any more', async (t) => {
  const { workflow, clock } = await setup(t);
  const j = job(clock);
  clock.advance(59_000);
  t.equal(await workflow.describe(j), undefined);
  clock.advance(2_000);
  t.same(await workflow.describe(j), { status: 'failed', failure: { code: 'WORKFLOW_NOT_FOUND', message: 'The video workflow for this job was never started' } });
});

t.test('stop aborts a running execution; ended or missing executions are not an error', async (t) => {
  const { fake, workflow, clock } = await setup(t);
  const j = job(clock);
  const { executionArn } = await workflow.start(j);
  await workflow.stop({ ...j, executionArn });
  t.equal(fake.execution(j.jobId).status, 'ABORTED');
  await workflow.stop({ ...j, executionArn });
  const done = job(clock);
  await workflow.start(done);
  fake.succeed(done.jobId, { videoKey: 'v.mp4' });
  await workflow.stop(done);
  t.equal(fake.execution(done.jobId).status, 'SUCCEEDED', 'a finished execution stays finished');
  await workflow.stop(job(clock));
  const stopCall = fake.calls.find((c) => c.operation === 'StopExecution');
  t.same(stopCall?.body, { executionArn }, 'no error/cause, so no KMS permission is needed');
});

t.test('throttling, 5xx, timeouts and refused connections become ServiceUnavailable', async (t) => {
  const { fake, workflow, clock } = await setup(t);
  const j = job(clock);
  fake.failNext({ status: 400, type: 'ThrottlingException' });
  const throttled = await workflow.start(j).catch((e: unknown) => e);
  t.type(throttled, ServiceUnavailable);
  t.equal((throttled as ServiceUnavailable).retryAfterSeconds, 2);
  t.equal(fake.executions.size, 0);
  fake.failNext({ status: 500, type: 'InternalFailure' }, { operation: 'DescribeExecution' });
  await t.rejects(workflow.describe(j), ServiceUnavailable);
  fake.failNext('hang', { operation: 'StopExecution' });
  await t.rejects(workflow.stop(j), ServiceUnavailable, 'a request past requestTimeout');
  fake.failNext({ status: 400, type: 'AccessDeniedException', message: 'not allowed' });
  const denied = await workflow.start(j).catch((e: unknown) => e);
  t.notOk(denied instanceof ServiceUnavailable, 'a permission problem is not "retry later"');
  t.equal((denied as Error).name, 'AccessDeniedException');
  await workflow.start(j);
  t.equal(fake.execution(j.jobId).status, 'RUNNING', 'works again once the faults are gone');

  const closed = createAwsClients({ region: 'us-east-1', endpoints: { sfn: 'http://127.0.0.1:1' }, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
  t.teardown(() => closed.destroy());
  const unreachable = new StepFunctionsWorkflow(closed.sfn, { stateMachineArn: fake.stateMachineArn, clock });
  await t.rejects(unreachable.start(job(clock)), ServiceUnavailable, 'connection refused');
});

t.test('check reports whether the state machine is usable', async (t) => {
  const { fake, workflow, clock } = await setup(t);
  await workflow.check();
  const clients = createAwsClients({ region: 'us-east-1', endpoints: { sfn: fake.endpoint }, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
  t.teardown(() => clients.destroy());
  const wrong = new StepFunctionsWorkflow(clients.sfn, { stateMachineArn: `${fake.stateMachineArn}-nope`, clock });
  await t.rejects(wrong.check(), { name: 'StateMachineDoesNotExist' });
});
