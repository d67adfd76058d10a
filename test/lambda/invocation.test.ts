import { Writable } from 'node:stream';
import t from 'tap';
import type { Logger } from '../../src/application/ports/logger.ts';
import { loggedInvocations } from '../../src/adapters/lambda/invocation.ts';
import { createLogger } from '../../src/adapters/observability/logger.ts';
import { functionLogger, lambdaHandler } from '../../src/composition/lambda-steps.ts';
import { lambdaLogLevel } from '../../src/lambda-config.ts';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({ write(chunk: Buffer, _enc, done) { for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l)); done(); } });
  const logger: Logger = createLogger({ service: 'omnigen-workflow', level: 'info', base: { function: 'poll-generation' }, destination: sink });
  return { lines, logger };
}
const tick = () => new Promise((resolve) => setImmediate(resolve));

t.test('one line per invocation, and every line of the step, with the job, the request that made it and the invocation', async (t) => {
  const { lines, logger } = capture();
  const handler = loggedInvocations(() => logger, async (event) => {
    logger.warn({ generationId: 'g1' }, 'a line the step writes');
    return { done: (event as { jobId: string }).jobId === 'j1' };
  });
  t.same(await handler({ jobId: 'j1', requestId: 'req-1', generationId: 'g1' }, { awsRequestId: 'aws-1' }), { done: true });
  await tick();
  t.match(lines, [
    { level: 40, msg: 'a line the step writes', jobId: 'j1', requestId: 'req-1', awsRequestId: 'aws-1', service: 'omnigen-workflow', function: 'poll-generation' },
    { level: 30, msg: 'invocation completed', jobId: 'j1', requestId: 'req-1', awsRequestId: 'aws-1', duration: Number },
  ]);
});

t.test('a failed invocation is logged with its error\'s name (what Retry and Catch match) and fails as it would have', async (t) => {
  const { lines, logger } = capture();
  const failing = loggedInvocations(() => logger, async () => { throw Object.assign(new Error('the job ended'), { name: 'JobFinished' }); });
  await t.rejects(failing({ jobId: 'j2', requestId: 'req-2' }, { awsRequestId: 'aws-2' }), { name: 'JobFinished' });
  const odd = loggedInvocations(() => logger, async () => { throw 'a string'; });
  await t.rejects(odd({ jobId: 'j3' }), 'a string');
  await tick();
  t.match(lines, [
    { level: 40, msg: 'invocation failed', errorType: 'JobFinished', errorMessage: 'the job ended', jobId: 'j2', requestId: 'req-2', awsRequestId: 'aws-2', duration: Number },
    { level: 40, msg: 'invocation failed', errorType: 'Error', errorMessage: 'a string', jobId: 'j3' },
  ]);
  t.notOk('requestId' in (lines[1] as object) || 'awsRequestId' in (lines[1] as object), 'no ids the event and context did not give (an execution started before requestId was in its input)');
});

t.test('an event that is not an object still gets its line (the step refuses it)', async (t) => {
  const { lines, logger } = capture();
  const handler = loggedInvocations(() => logger, async () => { throw Object.assign(new Error('event has no "jobId"'), { name: 'InvalidEvent' }); });
  await t.rejects(handler(null, {}), { name: 'InvalidEvent' });
  await t.rejects(handler({ jobId: '' }), { name: 'InvalidEvent' });
  await tick();
  t.same(lines.map((l) => [l.errorType, l.jobId]), [['InvalidEvent', undefined], ['InvalidEvent', undefined]]);
});

t.test('a bundle\'s handler logs through its function\'s logger, at LOG_LEVEL (or info when it is not a level)', async (t) => {
  t.equal(lambdaLogLevel({ LOG_LEVEL: 'warn' }), 'warn');
  t.equal(lambdaLogLevel({ LOG_LEVEL: 'loud' }), 'info', 'a bad value: the build refuses it (ConfigError), the invocation line is still written');
  t.equal(lambdaLogLevel({}), 'info');
  t.equal(functionLogger('fail-job', 'silent'), functionLogger('fail-job', 'silent'), 'one logger per function and level');
  t.not(functionLogger('fail-job', 'silent'), functionLogger('store-video', 'silent'));
  const saved = process.env.LOG_LEVEL;
  t.teardown(() => void (saved === undefined ? delete process.env.LOG_LEVEL : (process.env.LOG_LEVEL = saved)));
  process.env.LOG_LEVEL = 'silent';
  t.same(await lambdaHandler('fail-job', async () => ({ code: 'PROVIDER_FAILED' }))({ jobId: 'j' }, { awsRequestId: 'a' }), { code: 'PROVIDER_FAILED' });
});
