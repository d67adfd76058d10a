// A job made through the API runs the template's state machine and functions and completes; the video
// and its thumbnail come back, byte for byte, through the signed URLs the API hands out. Along the way:
// the API and every function log in one format, with the job's id and the id of the request that made
// it on every line of its path; the load balancer admits the task by the template's health check, and
// readiness and the metrics come out as deployed.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { logLinesOf, stdoutOf, type LogLine } from '../helpers/log-format.ts';
import { projectRoot } from '../helpers/server-process.ts';
import { stackMissing, startJourney } from '../helpers/stack-journey.ts';

// A process of its own: the root's plan skips the whole file when no stack can run here.
if (stackMissing) t.plan(0, stackMissing);
else {
  const journey = await startJourney(t);
  const { stack } = journey;

  /** Bounded by tap's per-test timeout; each look is cheap. */
  async function until(check: () => boolean): Promise<void> {
    while (!check()) await new Promise((resolve) => setTimeout(resolve, 50));
  }

  const logs = (from: number) => stdoutOf(stack.logs, from);
  const parsed = (from: number) => logLinesOf(stack.logs, from);

  t.test('the load balancer admitted the task by the template\'s health check; readiness is ok for every dependency', async (t) => {
    t.same(stack.healthCheck, { path: '/api/v1/health', codes: '200', healthyThreshold: 2 }, 'the target group\'s path, matcher and threshold');
    const requests = () => parsed(0).filter((l) => l.source === 'api' && l.msg === 'request completed');
    // The second check's line may land just after the task was let in.
    await until(() => requests().filter((l) => l.endpoint === '/api/v1/health').length >= 2);
    t.same(requests().slice(0, 2).map((l) => [l.endpoint, l.statusCode]), [['/api/v1/health', 200], ['/api/v1/health', 200]], 'checked twice before the first request reached it');
    // The task starts whether or not Redis has answered yet (it waits 2 s, then fails open: docs/rate-limits.md),
    // so on a busy machine readiness may say "not yet" for a moment after the task was let in.
    // Only that check may wait (readiness caches its answer a few seconds); any other failing one fails here.
    const readiness = async () => {
      const res = await fetch(`${stack.apiUrl}/api/v1/health/ready`);
      return { status: res.status, body: (await res.json()) as { status: string; checks: Record<string, string>; details?: { checks?: Record<string, string> } } };
    };
    const onlyRedisPending = (checks: Record<string, string> = {}) => Object.entries(checks).every(([name, value]) => value === 'ok' || name === 'rateLimitStore');
    let ready = await readiness();
    while (ready.status === 503 && onlyRedisPending(ready.body.details?.checks)) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      ready = await readiness();
    }
    const { body } = ready;
    t.equal(ready.status, 200, JSON.stringify(body));
    t.same(Object.keys(body.checks).sort(), ['bucket', 'jwks', 'rateLimitStore', 'stateMachine', 'jobTable', 'usageTable'].sort(), 'each dependency the task uses, through its role');
    t.same(Object.values(body.checks).filter((v) => v !== 'ok'), []);
  });

  let path: { from: number; jobId: string; requestId: string } | undefined;

  t.test('a job completes, and its video and thumbnail bytes come back through the signed URLs', async (t) => {
    const from = stack.logs.length;
    const created = await journey.api('/jobs', { body: { prompt: 'A neon city at night, synthwave', category: 'music-video' } });
    t.equal(created.status, 202);
    t.equal(created.body.status, 'pending');
    const jobId = String(created.body.jobId);
    // A client following its job sends the create's request id on its later calls about it.
    const { requestId } = created;
    path = { from, jobId, requestId };
    const job = await journey.waitFor(jobId, undefined, requestId);
    t.equal(job.status, 'completed', `the job ended ${job.status} ${JSON.stringify(job.failure ?? {})}`);
    t.equal(job.progress, 100);
    const video = await journey.api(`/jobs/${jobId}/video`, { requestId });
    t.equal(video.status, 200);
    const urls = video.body as { url: string; thumbnailUrl?: string };
    const [clip, thumbnail] = await Promise.all([fetch(urls.url), fetch(urls.thumbnailUrl ?? 'http://127.0.0.1:9/missing')]);
    t.equal(clip.status, 200);
    t.same(Buffer.from(await clip.arrayBuffer()), await readFile(join(projectRoot, 'assets/sample.mp4')), 'the video is the provider\'s clip');
    t.equal(thumbnail.status, 200);
    t.same(Buffer.from(await thumbnail.arrayBuffer()), await readFile(join(projectRoot, 'assets/sample.jpg')), 'the thumbnail is the provider\'s');
  });

  t.test('one log format; the job id and the creating request\'s id on every line of the job\'s path', async (t) => {
    if (!path) throw new Error('the job journey did not run');
    const { from, jobId, requestId } = path;
    t.match(requestId, /^[0-9a-f-]{36}$/, 'the API made the request id');
    // The last lines land after the job's record changed: StoreVideo's own line, the stream's and the video URL's request lines.
    const seen = () => parsed(from);
    // Any line of StoreVideo's (or FailJob's, when the job failed), so a broken stack fails the checks below instead of a wait.
    await until(() => seen().some((l) => l.function === 'store-video' || l.function === 'fail-job') && ['events', 'video'].every((e) => seen().some((l) => l.endpoint === `/api/v1/jobs/:id/${e}`)));
    // An invocation's line and its reply travel on different pipes: wait for the line of each.
    const invocations = () => [...stack.pool.invocations.values()].reduce((a, b) => a + b, 0);
    await until(() => stack.pool.busy() === 0 && seen().filter((l) => l.msg.startsWith('invocation ')).length >= invocations());

    const all = logs(from);
    t.same(all.filter((l) => l.kind === 'other'), [], 'every line the API and the functions wrote is a log line of the one format or an EMF document');
    t.same(stack.logs.slice(from).filter((l) => l.stream === 'stderr'), [], 'nothing on stderr (a failed invocation would put the runtime\'s "Invoke Error" there)');
    const lines = parsed(from);
    const fromFunctions = lines.filter((l) => l.source !== 'api');
    t.same(new Set(fromFunctions.map((l) => l.function)), new Set(['start-generation', 'poll-generation', 'store-video']), 'each step\'s function logged');
    const missing = (l: LogLine) => l.jobId !== jobId || l.requestId !== requestId || typeof l.awsRequestId !== 'string';
    t.same(fromFunctions.filter(missing), [], 'every function line carries the job, the request that made it, and its invocation');
    t.same(new Set(fromFunctions.map((l) => l.service)), new Set(['omnigen-workflow']));
    t.equal(new Set(fromFunctions.map((l) => l.awsRequestId)).size, invocations(), 'one awsRequestId per invocation');
    t.equal(fromFunctions.filter((l) => l.msg === 'invocation completed').length, invocations(), 'one line per invocation, as the API writes one per request');

    const aboutJob = lines.filter((l) => l.source === 'api' && (l.jobId === jobId || l.requestId === requestId));
    t.same(aboutJob.filter((l) => l.jobId !== jobId || l.requestId !== requestId), [], 'the API\'s lines about the job carry both ids');
    t.same(aboutJob.map((l) => [l.method, l.endpoint, l.statusCode]).sort(), [
      ['GET', '/api/v1/jobs/:id/events', 200],
      ['GET', '/api/v1/jobs/:id/video', 200],
      ['POST', '/api/v1/jobs', 202],
    ], 'the create, the event stream and the video URL');
  });

  t.test('the API\'s metrics come out as CloudWatch EMF on its stdout, flushed when the task stops', async (t) => {
    if (!path) throw new Error('the job journey did not run');
    const { from } = path;
    await stack.api.restart();
    const metrics = logs(from).flatMap((l) => (l.kind === 'metrics' && l.source === 'api' ? [l.doc] : []));
    const created = metrics.find((m) => m.Endpoint === '/api/v1/jobs' && m.StatusCode === '202');
    t.match(created, { Service: 'omnigen-api', RequestCount: 1, RequestDuration: { Count: 1 }, _aws: { CloudWatchMetrics: [{ Namespace: 'OmniGen' }] } }, 'the create, counted');
  });
}
