import t from 'tap';
import { flipBase64urlChar } from '../helpers/tamper.ts';
import { completeJob } from '../../src/domain/job.ts';
import { mutateJob } from '../../src/application/mutate-job.ts';
import { buildTestApp } from '../helpers/test-app.ts';

const body = { prompt: 'A neon city at night, synthwave', category: 'music-video' };

t.test('create, read, list, video, cancel: the happy path of the contract', async (t) => {
  const { app, auth, jobs, clock, workflow } = await buildTestApp();
  t.teardown(() => app.close());
  const created = await app.inject({ method: 'POST', url: '/api/v1/jobs', headers: auth('alice'), payload: body });
  t.equal(created.statusCode, 202);
  const job = created.json();
  t.match(job, { status: 'pending', progress: 0, prompt: body.prompt, category: 'music-video', message: 'Video generation started' });
  t.match(job.jobId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  t.equal(created.headers.location, `/api/v1/jobs/${job.jobId}`);
  t.notOk('userId' in job || 'version' in job, 'internal fields stay inside');
  t.same(workflow.started, [job.jobId]);

  const read = await app.inject({ method: 'GET', url: `/api/v1/jobs/${job.jobId}`, headers: auth('alice') });
  t.equal(read.statusCode, 200);
  t.equal(read.json().jobId, job.jobId);
  t.notOk('message' in read.json());

  const early = await app.inject({ method: 'GET', url: `/api/v1/jobs/${job.jobId}/video`, headers: auth('alice') });
  t.equal(early.statusCode, 409);
  t.equal(early.json().code, 'JOB_NOT_READY');

  await mutateJob(jobs, job.jobId, (j) => completeJob(j, `videos/${j.jobId}.mp4`, clock.now()));
  const video = await app.inject({ method: 'GET', url: `/api/v1/jobs/${job.jobId}/video`, headers: auth('alice') });
  t.equal(video.statusCode, 200);
  t.match(video.json(), { url: /videos\//, expiresAt: '2026-11-27T11:00:00.000Z' });

  const cancel = await app.inject({ method: 'POST', url: `/api/v1/jobs/${job.jobId}/cancel`, headers: auth('alice') });
  t.equal(cancel.statusCode, 409);
  t.equal(cancel.json().code, 'JOB_FINISHED');
});

t.test('cancel a running job: 202 canceled, workflow stopped, then JOB_FINISHED', async (t) => {
  const { app, auth, workflow } = await buildTestApp();
  t.teardown(() => app.close());
  const { jobId } = (await app.inject({ method: 'POST', url: '/api/v1/jobs', headers: auth('bob'), payload: body })).json();
  const res = await app.inject({
    method: 'POST', url: `/api/v1/jobs/${jobId}/cancel`, headers: { ...auth('bob'), 'content-type': 'application/json' }, payload: '',
  });
  t.equal(res.statusCode, 202);
  t.equal(res.json().status, 'canceled');
  t.same(workflow.stopped, [jobId]);
  const again = await app.inject({ method: 'POST', url: `/api/v1/jobs/${jobId}/cancel`, headers: auth('bob') });
  t.equal(again.json().code, 'JOB_FINISHED');
});

t.test("another user's job is 404 on every job endpoint, never 403", async (t) => {
  const { app, auth } = await buildTestApp();
  t.teardown(() => app.close());
  const { jobId } = (await app.inject({ method: 'POST', url: '/api/v1/jobs', headers: auth('alice'), payload: body })).json();
  for (const [method, url] of [['GET', `/api/v1/jobs/${jobId}`], ['GET', `/api/v1/jobs/${jobId}/video`], ['POST', `/api/v1/jobs/${jobId}/cancel`]] as const) {
    const res = await app.inject({ method, url, headers: auth('mallory') });
    t.equal(res.statusCode, 404, `${method} ${url}`);
    t.equal(res.json().code, 'NOT_FOUND');
  }
  const list = await app.inject({ method: 'GET', url: '/api/v1/jobs', headers: auth('mallory') });
  t.same(list.json(), { jobs: [], nextCursor: null });
  const unknown = await app.inject({ method: 'GET', url: '/api/v1/jobs/00000000-0000-4000-8000-000000000000', headers: auth('alice') });
  t.equal(unknown.statusCode, 404);
});

t.test('listing: newest first, limit, opaque cursor, status filter', async (t) => {
  const { app, auth, clock } = await buildTestApp({ quotaPerMonth: 100 });
  t.teardown(() => app.close());
  const ids: string[] = [];
  for (let i = 0; i < 25; i++) {
    clock.advance(1000);
    ids.push((await app.inject({ method: 'POST', url: '/api/v1/jobs', headers: auth('alice'), payload: body })).json().jobId);
  }
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const url: string = `/api/v1/jobs?limit=10${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page = (await app.inject({ method: 'GET', url, headers: auth('alice') })).json();
    t.ok(page.jobs.length <= 10);
    seen.push(...page.jobs.map((j: { jobId: string }) => j.jobId));
    cursor = page.nextCursor;
  } while (cursor);
  t.same(seen, [...ids].reverse(), 'every job once, newest first');
  const defaults = (await app.inject({ method: 'GET', url: '/api/v1/jobs', headers: auth('alice') })).json();
  t.equal(defaults.jobs.length, 20, 'default limit 20');

  await app.inject({ method: 'POST', url: `/api/v1/jobs/${ids[3]}/cancel`, headers: auth('alice') });
  const canceled = (await app.inject({ method: 'GET', url: '/api/v1/jobs?status=canceled', headers: auth('alice') })).json();
  t.same(canceled.jobs.map((j: { jobId: string }) => j.jobId), [ids[3]]);

  const first = (await app.inject({ method: 'GET', url: '/api/v1/jobs?limit=5', headers: auth('alice') })).json();
  const stolen = await app.inject({ method: 'GET', url: `/api/v1/jobs?cursor=${encodeURIComponent(first.nextCursor)}`, headers: auth('eve') });
  t.equal(stolen.statusCode, 400, "another user's cursor is refused");
  t.same(stolen.json().details, { field: 'cursor', constraint: 'format' });
  const edited = flipBase64urlChar(first.nextCursor, first.nextCursor.indexOf('.') + 1);
  const tampered = await app.inject({ method: 'GET', url: `/api/v1/jobs?cursor=${encodeURIComponent(edited)}`, headers: auth('alice') });
  t.equal(tampered.statusCode, 400, 'an edited cursor is refused');
});

t.test('Idempotency-Key: replay returns the same job and uses no quota; another body is 422', async (t) => {
  const { app, auth } = await buildTestApp();
  t.teardown(() => app.close());
  const headers = { ...auth('alice'), 'idempotency-key': 'order-42' };
  const first = await app.inject({ method: 'POST', url: '/api/v1/jobs', headers, payload: body });
  const again = await app.inject({ method: 'POST', url: '/api/v1/jobs', headers, payload: body });
  t.equal(again.statusCode, 202);
  t.equal(again.json().jobId, first.json().jobId);
  t.equal(again.headers.location, first.headers.location);
  const usage = (await app.inject({ method: 'GET', url: '/api/v1/usage', headers: auth('alice') })).json();
  t.equal(usage.used, 1);
  const other = await app.inject({ method: 'POST', url: '/api/v1/jobs', headers, payload: { ...body, category: 'ad-creative' } });
  t.equal(other.statusCode, 422);
  t.equal(other.json().code, 'IDEMPOTENCY_KEY_REUSED');
  const sameKeyOtherUser = await app.inject({ method: 'POST', url: '/api/v1/jobs', headers: { ...auth('bob'), 'idempotency-key': 'order-42' }, payload: body });
  t.not(sameKeyOtherUser.json().jobId, first.json().jobId, 'keys are per user');

  const concurrent = await Promise.all(
    Array.from({ length: 10 }, () => app.inject({ method: 'POST', url: '/api/v1/jobs', headers: { ...auth('carol'), 'idempotency-key': 'burst' }, payload: body })),
  );
  t.equal(new Set(concurrent.map((r) => r.json().jobId)).size, 1, 'a concurrent duplicate never creates a second job');
});

t.test('quota: QUOTA_EXCEEDED after the monthly limit, usage reports it, next month resets', async (t) => {
  const { app, auth, clock } = await buildTestApp({ quotaPerMonth: 3 });
  t.teardown(() => app.close());
  const results = await Promise.all(Array.from({ length: 8 }, () => app.inject({ method: 'POST', url: '/api/v1/jobs', headers: auth('alice'), payload: body })));
  t.equal(results.filter((r) => r.statusCode === 202).length, 3, 'concurrent creates never pass the quota');
  const refused = results.find((r) => r.statusCode === 429);
  t.equal(refused?.json().code, 'QUOTA_EXCEEDED');
  const usage = await app.inject({ method: 'GET', url: '/api/v1/usage', headers: auth('alice') });
  t.same(usage.json(), { used: 3, limit: 3, remaining: 0, period: '2026-11', resetsAt: '2026-12-01T00:00:00.000Z', spentUsd: 2.1 });
  clock.set('2026-12-01T00:00:00.000Z');
  const december = await app.inject({ method: 'GET', url: '/api/v1/usage', headers: auth('alice') });
  t.match(december.json(), { used: 0, remaining: 3, period: '2026-12', resetsAt: '2027-01-01T00:00:00.000Z' });
});

t.test('a workflow that cannot start: 503 with Retry-After, job failed, quota unit back', async (t) => {
  const { app, auth, workflow, jobs } = await buildTestApp();
  t.teardown(() => app.close());
  workflow.refuse = true;
  const res = await app.inject({ method: 'POST', url: '/api/v1/jobs', headers: auth('alice'), payload: body });
  t.equal(res.statusCode, 503);
  t.equal(res.json().code, 'SERVICE_UNAVAILABLE');
  t.ok(Number(res.headers['retry-after']) > 0);
  const page = await jobs.listByUser('alice', { limit: 10 });
  t.equal(page.jobs[0]?.status, 'failed');
  t.equal(page.jobs[0]?.failure?.code, 'WORKFLOW_START_FAILED');
  const usage = (await app.inject({ method: 'GET', url: '/api/v1/usage', headers: auth('alice') })).json();
  t.equal(usage.used, 0);
});
