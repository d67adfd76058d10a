// How the provider's answers end a job when the template's state machine and functions run it: a
// refusal, a failure, a generation that never finishes, and throttling or an outage that passes.
import t from 'tap';
import { bar } from '../fakes/fake-replicate.ts';
import { logLinesOf } from '../helpers/log-format.ts';
import { stackMissing, startJourney } from '../helpers/stack-journey.ts';
import { until } from '../helpers/until.ts';

// A process of its own: the root's plan skips the whole file when no stack can run here.
if (stackMissing) t.plan(0, stackMissing);
else {
  const journey = await startJourney(t);
  const replicate = journey.stack.replicate;
  if (!replicate) throw new Error('the journeys run with the provider stand-in');
  const succeeds = [{ status: 'processing' as const, logs: bar(40) }, { status: 'succeeded' as const, logs: bar(100), output: 'VIDEO_AND_THUMBNAIL' }];

  t.test('the provider refuses the prompt (422 on create) → PROVIDER_REJECTED, and its failure path is logged under the job\'s ids', async (t) => {
    replicate.script = succeeds;
    const from = journey.stack.logs.length;
    const created = await journey.api('/jobs', { body: { prompt: 'REFUSE_AT_CREATE: a prompt the model turns down', category: 'music-video' } });
    const jobId = String(created.body.jobId);
    const job = await journey.waitFor(jobId);
    t.equal(job.status, 'failed');
    t.equal(job.failure?.code, 'PROVIDER_REJECTED');
    const lines = () => logLinesOf(journey.stack.logs, from).filter((l) => l.source !== 'api');
    // FailJob's own line lands after the job's record changed; bounded by tap's per-test timeout.
    while (!lines().some((l) => l.function === 'fail-job')) await new Promise((resolve) => setTimeout(resolve, 50));
    t.match(lines().map((l) => [l.function, l.msg, l.errorType]), [['start-generation', 'invocation failed', 'PROVIDER_REJECTED'], ['fail-job', 'invocation completed', undefined]]);
    t.same(lines().filter((l) => l.jobId !== jobId || l.requestId !== created.requestId || !l.awsRequestId), [], 'each line with the job, its create\'s request id and its invocation');
  });

  t.test('the prediction fails → PROVIDER_FAILED', async (t) => {
    replicate.script = [{ status: 'processing', logs: bar(10) }, { status: 'failed', error: 'CUDA out of memory' }];
    const job = await journey.waitFor((await journey.createJob()).jobId);
    t.equal(job.status, 'failed');
    t.equal(job.failure?.code, 'PROVIDER_FAILED');
  });

  t.test('the prediction never finishes → PROVIDER_TIMEOUT after the definition\'s poll limit', async (t) => {
    replicate.script = [{ status: 'processing', logs: bar(50) }];
    const created = await journey.createJob();
    const job = await journey.waitFor(created.jobId);
    t.equal(job.status, 'failed');
    t.equal(job.failure?.code, 'PROVIDER_TIMEOUT');
    // FailJob cancels a generation that may still be running (and billing). It does so after the job's
    // record says failed, which is when the event stream above ended: wait for its cancel, not past it.
    const prediction = () => [...replicate.predictions.values()].filter((p) => p.input.prompt === created.prompt).at(-1);
    await until('the prediction the workflow gave up on is canceled', () => prediction()?.status === 'canceled');
    t.equal(prediction()?.status, 'canceled', 'the prediction the workflow gave up on was canceled');
  });

  t.test('429 on create and 503 on a poll, then success → completed', async (t) => {
    replicate.script = succeeds;
    // The earlier jobs' functions first: a late POST …/predictions/{id}/cancel from FailJob would take the 429.
    await until('no function is still busy with an earlier job', () => journey.stack.pool.busy() === 0);
    replicate.failNext(429, { method: 'POST', pathPart: '/predictions', times: 1 });
    replicate.failNext(503, { method: 'GET', pathPart: '/v1/predictions/', times: 1 });
    const before = replicate.calls.length;
    const job = await journey.waitFor((await journey.createJob()).jobId);
    t.equal(job.status, 'completed', JSON.stringify(job.failure ?? {}));
    t.equal(job.progress, 100);
    const calls = replicate.calls.slice(before);
    t.ok(calls.filter((c) => c.method === 'POST' && c.path.endsWith('/predictions')).length >= 2, 'the create was tried again after the 429');
  });
}
