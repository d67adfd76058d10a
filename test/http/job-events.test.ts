import t, { type Test } from 'tap';
import { Writable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import { createLogger } from '../../src/adapters/observability/logger.ts';
import type { AddressInfo } from 'node:net';
import { buildApp } from '../../src/adapters/http/app.ts';
import { jobEventsRoutes, type JobEventsRoutesOptions } from '../../src/adapters/http/routes/job-events.routes.ts';
import { InMemoryIdempotencyStore } from '../../src/adapters/local/in-memory-idempotency-store.ts';
import { InMemoryJobRepository } from '../../src/adapters/local/in-memory-job-repository.ts';
import { InMemoryUsageLedger } from '../../src/adapters/local/in-memory-usage-ledger.ts';
import { uuidGenerator } from '../../src/adapters/system-clock.ts';
import { CancelJob } from '../../src/application/cancel-job.ts';
import { CreateJob } from '../../src/application/create-job.ts';
import { GetJob } from '../../src/application/get-job.ts';
import { GetUsage } from '../../src/application/get-usage.ts';
import { GetVideoUrl } from '../../src/application/get-video-url.ts';
import { JobCursor } from '../../src/application/job-cursor.ts';
import { ListJobs } from '../../src/application/list-jobs.ts';
import { silentLogger } from '../../src/application/ports/logger.ts';
import { advanceJob, attachExecution, completeJob, newJob, type Job } from '../../src/domain/job.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { FakeWorkflow } from '../helpers/fake-workflow.ts';
import { fakeStorage, namedUserVerifier } from '../helpers/test-app.ts';
import { ListModels } from '../../src/application/list-models.ts';
import { bundledCatalogue } from '../../src/catalogue/catalogue-config.ts';

type Options = Omit<JobEventsRoutesOptions, 'getJob' | 'events'> & { push?: boolean; slowRead?: () => Promise<void>; appLogger?: FastifyBaseLogger };

/** A listening app whose job events route reads the in-memory repository (push) or polls it (aws style). */
async function eventsApp(t: Test, options: Options = {}) {
  const { push = true, slowRead, appLogger, ...routeOptions } = options;
  const clock = new FakeClock();
  const jobs = new InMemoryJobRepository();
  const workflow = new FakeWorkflow();
  const logger = silentLogger;
  const usage = new InMemoryUsageLedger();
  const getJob = new GetJob({ jobs, workflow, clock, logger, syncIntervalMs: 5000, usage });
  const app = await buildApp({
    useCases: {
      createJob: new CreateJob({ jobs, usage, idempotency: new InMemoryIdempotencyStore(), workflow, clock, ids: uuidGenerator, logger, quotaPerMonth: 10, catalogue: bundledCatalogue() }),
      listJobs: new ListJobs({ jobs, cursor: new JobCursor('test-secret') }),
      getJob,
      getVideoUrl: new GetVideoUrl({ getJob, storage: fakeStorage, clock, ttlSeconds: 3600 }),
      cancelJob: new CancelJob({ getJob, jobs, workflow, clock, logger, usage }),
      getUsage: new GetUsage({ usage, clock, quotaPerMonth: 10 }),
      listModels: new ListModels(bundledCatalogue()),
    },
    verifier: namedUserVerifier,
    rateLimitPerMin: 100,
    corsOrigins: '*',
    readiness: {},
    now: clock.nowMs,
    ...(appLogger ? { logger: appLogger } : {}),
    protectedRoutes: [(scope) => scope.register(jobEventsRoutes, {
      // slowRead holds the stream's first read back, as a slow DynamoDB would.
      getJob: slowRead ? ({ execute: async (input) => (await slowRead(), getJob.execute(input)) } as GetJob) : getJob,
      ...(push ? { events: jobs } : {}),
      ...routeOptions,
    })],
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(() => app.close());
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/api/v1`;

  let n = 0;
  const addJob = async (userId = 'alice'): Promise<Job> => {
    const job = newJob({ jobId: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`, userId, prompt: 'A neon city at night', category: 'music-video', now: clock.now() });
    await jobs.create(job);
    return job;
  };
  const change = async (jobId: string, step: (job: Job, now: Date) => Job) => {
    await jobs.update(step((await jobs.get(jobId)) as Job, clock.now()));
  };
  const open = (jobId: string, user?: string, signal?: AbortSignal) =>
    fetch(`${base}/jobs/${jobId}/events`, { headers: { origin: 'https://app.test', ...(user ? { authorization: `Bearer user.${user}` } : {}) }, signal });
  return { app, jobs, clock, workflow, addJob, change, open };
}

interface Message {
  event?: string;
  data?: string;
  comment?: string;
}

/** Reads a text/event-stream body one message at a time; `undefined` once the server ends the stream. */
function sseReader(response: Response) {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  return async function next(): Promise<Message | undefined> {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const message: Message = {};
        for (const line of block.split('\n')) {
          if (line.startsWith(': ')) message.comment = line.slice(2);
          else if (line.startsWith('event: ')) message.event = line.slice(7);
          else if (line.startsWith('data: ')) message.data = line.slice(6);
        }
        return message;
      }
      const { done, value } = await reader.read();
      if (done) return undefined;
      buffer += decoder.decode(value, { stream: true });
    }
  };
}

async function nextJob(next: () => Promise<Message | undefined>): Promise<Record<string, unknown>> {
  let message = await next();
  while (message?.comment !== undefined) message = await next();
  if (!message) throw new Error('stream ended before the next job event');
  if (message.event !== 'job') throw new Error(`unexpected event ${message.event}`);
  return JSON.parse(message.data as string) as Record<string, unknown>;
}


/** The server learns of a disconnect asynchronously: retry opening for a short while until a slot is free. */
async function openOnceFree(openStream: () => Promise<Response>): Promise<Response> {
  let response = await openStream();
  for (let i = 1; i < 50 && response.status !== 200; i++) {
    await response.body?.cancel();
    await new Promise((resolve) => setTimeout(resolve, 20));
    response = await openStream();
  }
  return response;
}

t.test('streams the job at once, on each progress change, and ends after it completes', async (t) => {
  const { addJob, change, open } = await eventsApp(t);
  const job = await addJob();
  const response = await open(job.jobId, 'alice');
  t.equal(response.status, 200);
  t.match(response.headers.get('content-type'), /^text\/event-stream/);
  t.equal(response.headers.get('cache-control'), 'no-cache');
  t.equal(response.headers.get('x-accel-buffering'), 'no');
  t.ok(response.headers.get('x-request-id'), 'headers set before hijacking are kept');
  t.equal(response.headers.get('x-ratelimit-limit'), '100');
  t.equal(response.headers.get('access-control-allow-origin'), '*');
  const next = sseReader(response);

  const first = await nextJob(next);
  t.match(first, { jobId: job.jobId, status: 'pending', progress: 0, stage: 'queued' });
  t.notOk('userId' in first || 'version' in first, 'same public shape as GET /jobs/{id}');

  await change(job.jobId, (j, now) => advanceJob(j, { progress: 40, stage: 'rendering' }, now));
  t.match(await nextJob(next), { status: 'processing', progress: 40, stage: 'rendering' });

  // A write that changes neither status nor progress is not an event.
  await change(job.jobId, (j, now) => attachExecution(j, 'arn:test', now));
  await change(job.jobId, (j, now) => completeJob(j, 'videos/x.mp4', now));
  t.match(await nextJob(next), { status: 'completed', progress: 100 });
  t.equal(await next(), undefined, 'the stream ends after a terminal state');
});

t.test('a job that already ended gives one event and the end of the stream', async (t) => {
  const { addJob, change, open } = await eventsApp(t);
  const job = await addJob();
  await change(job.jobId, (j, now) => completeJob(j, 'videos/x.mp4', now));
  const next = sseReader(await open(job.jobId, 'alice'));
  t.match(await nextJob(next), { status: 'completed' });
  t.equal(await next(), undefined);
});

t.test('sends keep-alive comments while nothing changes', async (t) => {
  const { addJob, open } = await eventsApp(t, { pingMs: 20 });
  const job = await addJob();
  const controller = new AbortController();
  t.teardown(() => controller.abort());
  const next = sseReader(await open(job.jobId, 'alice', controller.signal));
  await nextJob(next);
  t.same(await next(), { comment: 'ping' });
});

t.test("another user's job is not found, and a missing token is unauthorized", async (t) => {
  const { addJob, open } = await eventsApp(t);
  const job = await addJob('alice');
  const other = await open(job.jobId, 'bob');
  t.equal(other.status, 404);
  t.match(await other.json(), { code: 'NOT_FOUND' });
  const anonymous = await open(job.jobId);
  t.equal(anonymous.status, 401);
  t.match(await anonymous.json(), { code: 'UNAUTHORIZED' });
  const badId = await open('not-a-uuid', 'alice');
  t.equal(badId.status, 400);
  t.match(await badId.json(), { code: 'VALIDATION_ERROR', details: { field: 'id' } });
});

t.test('bounds open streams per user and per process, and frees a slot when a client leaves', async (t) => {
  const { addJob, open } = await eventsApp(t, { maxStreamsPerUser: 2, maxStreams: 3 });
  const job = await addJob('alice');
  const controllers = [new AbortController(), new AbortController(), new AbortController()];
  t.teardown(() => controllers.forEach((c) => c.abort()));
  const first = await open(job.jobId, 'alice', controllers[0]?.signal);
  await open(job.jobId, 'alice', controllers[1]?.signal);
  const third = await open(job.jobId, 'alice');
  t.equal(third.status, 429);
  t.equal(third.headers.get('retry-after'), '5');
  t.match(await third.json(), { code: 'RATE_LIMITED', error: /event streams/, details: { scope: 'user' } });

  const bobsJob = await addJob('bob');
  t.equal((await open(bobsJob.jobId, 'bob', controllers[2]?.signal)).status, 200);
  const carol = await open((await addJob('carol')).jobId, 'carol');
  t.equal(carol.status, 429, 'the process-wide bound holds for every user');
  t.match(await carol.json(), { code: 'RATE_LIMITED', details: { scope: 'server' } });

  controllers[0]?.abort();
  await first.body?.cancel().catch(() => undefined);
  const again = await openOnceFree(() => open(job.jobId, 'alice'));
  t.equal(again.status, 200, 'a closed stream frees its slot');
  await again.body?.cancel();
});

t.test('a stream has its one request line with the job, whether the server ended it or the client left first', async (t) => {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({ write(chunk: Buffer, _enc, done) { for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l)); done(); } });
  const { addJob, open, change } = await eventsApp(t, { appLogger: createLogger({ service: 'omnigen-api', level: 'info', destination: sink }) as unknown as FastifyBaseLogger });
  const streamLines = () => lines.filter((l) => l.endpoint === '/api/v1/jobs/:id/events');
  const left = await addJob('alice');
  const abort = new AbortController();
  const leaving = await open(left.jobId, 'alice', abort.signal);
  await nextJob(sseReader(leaving));
  abort.abort();
  while (streamLines().length < 1) await new Promise((resolve) => setTimeout(resolve, 10));
  const ended = await addJob('alice');
  const next = sseReader(await open(ended.jobId, 'alice'));
  await nextJob(next);
  await change(ended.jobId, (job, now) => completeJob(job, 'videos/x.mp4', now));
  while ((await next()) !== undefined);
  while (streamLines().length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
  t.same(streamLines().map((l) => [l.msg, l.statusCode, l.jobId]), [['request completed', 200, left.jobId], ['request completed', 200, ended.jobId]], 'one line each, none twice');
});

t.test('a client that leaves before the stream opens does not keep its slot', async (t) => {
  let readStarted = () => {};
  const started = new Promise<void>((resolve) => (readStarted = resolve));
  let letReadFinish = () => {};
  const gate = new Promise<void>((resolve) => (letReadFinish = resolve));
  const slowRead = () => (readStarted(), gate);
  const { addJob, open } = await eventsApp(t, { maxStreamsPerUser: 1, slowRead });
  const job = await addJob();
  const controller = new AbortController();
  const leaving = open(job.jobId, 'alice', controller.signal).catch(() => undefined);
  await started;
  controller.abort();
  await leaving;
  // The server sees the socket close on its next turns of the event loop; give it those, then finish the read.
  await new Promise((resolve) => setTimeout(resolve, 50));
  letReadFinish();
  const again = await openOnceFree(() => open(job.jobId, 'alice'));
  t.equal(again.status, 200);
  await again.body?.cancel();
});

t.test('without pushed events (aws mode) the stream follows the job by re-reading it', async (t) => {
  const { addJob, change, open, clock, workflow } = await eventsApp(t, { push: false, pollIntervalMs: 10 });
  const job = await addJob();
  workflow.state = { status: 'processing' };
  const next = sseReader(await open(job.jobId, 'alice'));
  t.match(await nextJob(next), { status: 'pending' });

  // The repository has no watchers here: only the stream's own re-reads can see this write.
  await change(job.jobId, (j, now) => advanceJob(j, { progress: 30, stage: 'scripting' }, now));
  t.match(await nextJob(next), { status: 'processing', progress: 30 });

  // Step Functions reports the end; GetJob reconciles once the sync interval has passed.
  workflow.state = { status: 'completed', videoKey: 'videos/x.mp4' };
  clock.advance(6000);
  t.match(await nextJob(next), { status: 'completed', progress: 100 });
  t.equal(await next(), undefined);
});

t.test('closing the app ends open streams instead of waiting for them', async (t) => {
  const { app, addJob, open } = await eventsApp(t);
  const job = await addJob();
  const next = sseReader(await open(job.jobId, 'alice'));
  await nextJob(next);
  await app.close();
  t.equal(await next(), undefined, 'the client sees the stream end');
});
