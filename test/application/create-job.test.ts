import t from 'tap';
import { IDEMPOTENCY_TTL_MS } from '../../src/application/create-job.ts';
import { mutateJob } from '../../src/application/mutate-job.ts';
import { IdempotencyKeyReused, QuotaExceeded, ServiceUnavailable } from '../../src/domain/errors.ts';
import { cancelJob, type Job } from '../../src/domain/job.ts';
import { PROMPT, setup, type Setup } from './fixtures/use-cases.ts';

const body = { prompt: PROMPT, category: 'music-video' };
const used = (s: Setup, userId = 'alice') => s.usage.used(userId, '2026-11');
const listAll = async (s: Setup, userId = 'alice') => (await s.jobs.listByUser(userId, { limit: 1000 })).jobs;

t.test('happy path: the job is saved pending, its workflow started, one unit of quota counted', async (t) => {
  const s = setup();
  const { job, replayed } = await s.createJob.execute({ userId: 'alice', prompt: `  ${PROMPT}\n`, category: 'ad-creative' });
  t.equal(replayed, false);
  t.match(job, { userId: 'alice', prompt: PROMPT, category: 'ad-creative', status: 'pending', progress: 0, stage: 'queued' });
  t.match(job.jobId, /^[0-9a-f-]{36}$/);
  t.equal(job.createdAt, '2026-11-27T10:00:00.000Z');
  t.same(await s.jobs.get(job.jobId), job, 'stored as returned');
  t.same(s.workflow.started, [job.jobId]);
  t.equal(await used(s), 1);
  t.notOk(job.executionArn, 'no handle when the engine gives none');
});

t.test('an invalid body is refused before anything is saved, started or counted', async (t) => {
  const s = setup();
  const cases = [
    { input: { prompt: 'too short', category: 'music-video' }, field: 'prompt' },
    { input: { prompt: 'x'.repeat(501), category: 'music-video' }, field: 'prompt' },
    { input: { prompt: 42, category: 'music-video' }, field: 'prompt' },
    { input: { prompt: PROMPT, category: 'podcast' }, field: 'category' },
    { input: { prompt: PROMPT, category: undefined }, field: 'category' },
  ];
  for (const { input, field } of cases) {
    await t.rejects(s.createJob.execute({ userId: 'alice', idempotencyKey: 'k', ...input }), {
      code: 'VALIDATION_ERROR',
      details: { field },
    });
  }
  t.same(await listAll(s), []);
  t.same(s.workflow.started, []);
  t.equal(await used(s), 0);
  const ok = await s.createJob.execute({ userId: 'alice', idempotencyKey: 'k', ...body });
  t.equal(ok.replayed, false, 'a refused body did not claim the idempotency key');
});

t.test('QUOTA_EXCEEDED once the monthly quota is used up', async (t) => {
  const s = setup({ quotaPerMonth: 3 });
  for (let i = 0; i < 3; i++) await s.createJob.execute({ userId: 'alice', ...body });
  await t.rejects(s.createJob.execute({ userId: 'alice', ...body }), QuotaExceeded);
  await t.rejects(s.createJob.execute({ userId: 'alice', ...body }), {
    code: 'QUOTA_EXCEEDED',
    details: { limit: 3, period: '2026-11', resetsAt: '2026-12-01T00:00:00.000Z' },
  });
  t.equal((await listAll(s)).length, 3, 'no job saved past the quota');
  t.equal(s.workflow.started.length, 3);
  t.equal(await used(s), 3);
  await s.createJob.execute({ userId: 'bob', ...body });
  t.pass('another user has a quota of their own');
});

t.test('50 concurrent requests for one user with a quota of 10: exactly 10 succeed', async (t) => {
  const s = setup({ quotaPerMonth: 10 });
  const results = await Promise.allSettled(Array.from({ length: 50 }, () => s.createJob.execute({ userId: 'alice', ...body })));
  const fulfilled = results.filter((r) => r.status === 'fulfilled');
  const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  t.equal(fulfilled.length, 10);
  t.ok(rejected.every((r) => r.reason instanceof QuotaExceeded), 'the rest are QUOTA_EXCEEDED');
  t.equal((await listAll(s)).length, 10);
  t.equal(await used(s), 10);
});

t.test('idempotency: the same key and body return the same job and consume no quota', async (t) => {
  const s = setup({ quotaPerMonth: 1 });
  const first = await s.createJob.execute({ userId: 'alice', idempotencyKey: 'key-1', ...body });
  s.clock.advance(60_000);
  const again = await s.createJob.execute({ userId: 'alice', idempotencyKey: 'key-1', ...body });
  t.equal(again.replayed, true);
  t.equal(again.job.jobId, first.job.jobId);
  t.equal(await used(s), 1, 'a replay is not counted (and is not refused by the spent quota)');
  t.same(s.workflow.started, [first.job.jobId], 'the workflow is started once');
  t.equal((await listAll(s)).length, 1);
});

t.test('idempotency: the same key with another body is IDEMPOTENCY_KEY_REUSED', async (t) => {
  const s = setup();
  await s.createJob.execute({ userId: 'alice', idempotencyKey: 'key-1', ...body });
  await t.rejects(
    s.createJob.execute({ userId: 'alice', idempotencyKey: 'key-1', prompt: `${PROMPT}!`, category: 'music-video' }),
    IdempotencyKeyReused,
  );
  await t.rejects(
    s.createJob.execute({ userId: 'alice', idempotencyKey: 'key-1', prompt: PROMPT, category: 'ad-creative' }),
    IdempotencyKeyReused,
  );
  t.equal(await used(s), 1);
  const bobs = await s.createJob.execute({ userId: 'bob', idempotencyKey: 'key-1', prompt: `${PROMPT}!`, category: 'music-video' });
  t.equal(bobs.replayed, false, "keys are per user: bob's key-1 is not alice's");
});

t.test('idempotency: 20 concurrent requests with one key create exactly one job, and all get it', async (t) => {
  const s = setup();
  const results = await Promise.all(
    Array.from({ length: 20 }, () => s.createJob.execute({ userId: 'alice', idempotencyKey: 'dup', ...body })),
  );
  const ids = new Set(results.map((r) => r.job.jobId));
  t.equal(ids.size, 1, 'one job id for all');
  t.equal(results.filter((r) => !r.replayed).length, 1, 'one request created it, the others replayed it');
  t.equal((await listAll(s)).length, 1);
  t.equal(s.workflow.started.length, 1);
  t.equal(await used(s), 1);
});

t.test('idempotency: a key expires after 24 h', async (t) => {
  const s = setup();
  const first = await s.createJob.execute({ userId: 'alice', idempotencyKey: 'daily', ...body });
  s.clock.advance(IDEMPOTENCY_TTL_MS - 1);
  t.equal((await s.createJob.execute({ userId: 'alice', idempotencyKey: 'daily', ...body })).job.jobId, first.job.jobId);
  s.clock.advance(1);
  const later = await s.createJob.execute({ userId: 'alice', idempotencyKey: 'daily', ...body });
  t.equal(later.replayed, false);
  t.not(later.job.jobId, first.job.jobId, 'a new job after 24 h');
  t.equal(IDEMPOTENCY_TTL_MS, 24 * 3_600_000);
});

t.test('QUOTA_EXCEEDED releases the key: the same request succeeds once the quota resets', async (t) => {
  const s = setup({ quotaPerMonth: 1 });
  s.clock.set('2026-11-30T23:00:00.000Z');
  await s.createJob.execute({ userId: 'alice', ...body });
  await t.rejects(s.createJob.execute({ userId: 'alice', idempotencyKey: 'retry-me', ...body }), QuotaExceeded);
  s.clock.set('2026-12-01T00:00:01.000Z');
  const retried = await s.createJob.execute({ userId: 'alice', idempotencyKey: 'retry-me', ...body });
  t.equal(retried.replayed, false);
  t.equal(retried.job.status, 'pending');
});

t.test('a workflow that will not start: job failed, quota given back, 503, key released', async (t) => {
  const s = setup();
  s.workflow.refuse = true;
  const err = await s.createJob.execute({ userId: 'alice', idempotencyKey: 'k', ...body }).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(err instanceof ServiceUnavailable, 'SERVICE_UNAVAILABLE, so the client retries');
  t.ok((err as ServiceUnavailable).retryAfterSeconds > 0);
  const [failed] = await listAll(s);
  t.match(failed, { status: 'failed', failure: { code: 'WORKFLOW_START_FAILED' } });
  t.equal(await used(s), 0, 'the quota unit is given back');
  t.ok(s.logger.lines.some((l) => l.level === 'error'), 'the cause is logged');

  s.workflow.refuse = false;
  const retried = await s.createJob.execute({ userId: 'alice', idempotencyKey: 'k', ...body });
  t.equal(retried.replayed, false, 'the retry is not answered with the failed job');
  t.not(retried.job.jobId, failed?.jobId);
  t.equal(retried.job.status, 'pending');
  t.equal(await used(s), 1);
});

t.test('the execution handle is attached when the workflow returns one', async (t) => {
  const s = setup();
  s.workflow.executionArn = 'arn:aws:states:eu-west-1:123:execution:omnigen';
  const { job } = await s.createJob.execute({ userId: 'alice', ...body });
  t.equal(job.executionArn, `arn:aws:states:eu-west-1:123:execution:omnigen:${job.jobId}`);
  t.equal((await s.jobs.get(job.jobId))?.executionArn, job.executionArn, 'and stored');
  t.equal(job.status, 'pending');
});

t.test('a job canceled while its workflow was starting: the create still succeeds', async (t) => {
  // A concurrent duplicate (same Idempotency-Key) hands the job id out as soon as the job is saved, so
  // the client can cancel it before start() returns the execution handle.
  const s = setup();
  s.workflow.executionArn = 'arn:x';
  const start = s.workflow.start.bind(s.workflow);
  s.workflow.start = async (job: Job) => {
    await mutateJob(s.jobs, job.jobId, (j) => cancelJob(j, s.clock.now()));
    return start(job);
  };
  const { job } = await s.createJob.execute({ userId: 'alice', ...body });
  t.equal(job.status, 'canceled', 'the job as it now stands, not a JOB_FINISHED error on POST /jobs');
  t.equal((await s.jobs.get(job.jobId))?.status, 'canceled');
  t.same(s.workflow.stopped, [job.jobId], 'the execution that started after the cancel is stopped');
  t.equal(await used(s), 1, 'the job was accepted, so it counts');
});
