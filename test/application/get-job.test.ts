import t from 'tap';
import { JobNotFound } from '../../src/domain/errors.ts';
import { createFor, setup, SYNC_INTERVAL_MS, type Setup } from './fixtures/use-cases.ts';

/** Counts describe() calls; optionally makes them fail. */
function spyDescribe(s: Setup, fail = false) {
  const calls: string[] = [];
  const describe = s.workflow.describe.bind(s.workflow);
  s.workflow.describe = async (job) => {
    calls.push(job.jobId);
    if (fail) throw new Error('states:DescribeExecution throttled');
    return describe(job);
  };
  return calls;
}

t.test('the owner gets the job', async (t) => {
  const s = setup();
  const job = await createFor(s, 'alice');
  t.same(await s.getJob.execute({ userId: 'alice', jobId: job.jobId }), job);
});

t.test("another user's job, or an unknown id, is NOT_FOUND (never forbidden)", async (t) => {
  const s = setup();
  const job = await createFor(s, 'alice');
  await t.rejects(s.getJob.execute({ userId: 'bob', jobId: job.jobId }), JobNotFound);
  await t.rejects(s.getJob.execute({ userId: 'bob', jobId: job.jobId }), { code: 'NOT_FOUND' });
  await t.rejects(s.getJob.execute({ userId: 'alice', jobId: '00000000-0000-4000-8000-000000000000' }), JobNotFound);
});

t.test('reconciliation: a running job read after the sync interval takes the engine\'s finished state', async (t) => {
  const s = setup();
  const job = await createFor(s, 'alice');
  s.workflow.state = { status: 'completed', videoKey: `videos/${job.jobId}.mp4` };
  s.clock.advance(SYNC_INTERVAL_MS);
  const read = await s.getJob.execute({ userId: 'alice', jobId: job.jobId });
  t.match(read, { status: 'completed', progress: 100, videoKey: `videos/${job.jobId}.mp4` });
  t.same(await s.jobs.get(job.jobId), read, 'and the record is updated');
});

t.test('reconciliation: a failed or canceled execution ends the job the same way', async (t) => {
  const s = setup();
  const failing = await createFor(s, 'alice');
  const stopped = await createFor(s, 'alice');
  s.clock.advance(SYNC_INTERVAL_MS);
  s.workflow.state = { status: 'failed', failure: { code: 'WORKFLOW_TIMED_OUT', message: 'too long' } };
  t.match(await s.getJob.execute({ userId: 'alice', jobId: failing.jobId }), { status: 'failed', failure: { code: 'WORKFLOW_TIMED_OUT' } });
  s.workflow.state = { status: 'canceled' };
  t.match(await s.getJob.execute({ userId: 'alice', jobId: stopped.jobId }), { status: 'canceled' });
  const period = s.clock.now().toISOString().slice(0, 7);
  t.equal(await s.usage.spentMicroUsd('alice', period), 0, 'both reservations given back (0.70 USD each)');
  t.equal(await s.usage.used('alice', period), 2, 'the jobs still count against the quota');
});

t.test('reconciliation: before the sync interval the engine is not asked', async (t) => {
  const s = setup();
  const job = await createFor(s, 'alice');
  const calls = spyDescribe(s);
  s.workflow.state = { status: 'completed', videoKey: 'v' };
  s.clock.advance(SYNC_INTERVAL_MS - 1);
  t.match(await s.getJob.execute({ userId: 'alice', jobId: job.jobId }), { status: 'pending' });
  t.same(calls, []);
  s.clock.advance(1);
  t.match(await s.getJob.execute({ userId: 'alice', jobId: job.jobId }), { status: 'completed' });
  t.same(calls, [job.jobId]);
});

t.test('reconciliation: an engine still running marks the job processing and synced, then waits an interval', async (t) => {
  const s = setup();
  const job = await createFor(s, 'alice');
  const calls = spyDescribe(s);
  s.workflow.state = { status: 'processing' };
  s.clock.advance(SYNC_INTERVAL_MS);
  const read = await s.getJob.execute({ userId: 'alice', jobId: job.jobId });
  t.match(read, { status: 'processing', syncedAt: s.clock.now().toISOString() });
  t.same(await s.jobs.get(job.jobId), read, 'stored');
  s.clock.advance(SYNC_INTERVAL_MS - 1);
  await s.getJob.execute({ userId: 'alice', jobId: job.jobId });
  t.equal(calls.length, 1, 'the interval counts from the last sync, not from creation');
  s.clock.advance(1);
  const again = await s.getJob.execute({ userId: 'alice', jobId: job.jobId });
  t.equal(calls.length, 2);
  t.equal(again.updatedAt, read.updatedAt, 'a sync that finds nothing new does not change updatedAt');
});

t.test('reconciliation: an engine error leaves the job as it was', async (t) => {
  const s = setup();
  const job = await createFor(s, 'alice');
  const calls = spyDescribe(s, true);
  s.clock.advance(SYNC_INTERVAL_MS);
  t.same(await s.getJob.execute({ userId: 'alice', jobId: job.jobId }), job, 'a slightly stale job, not an error');
  t.same(await s.jobs.get(job.jobId), job);
  t.equal(calls.length, 1);
  t.ok(s.logger.lines.some((l) => l.level === 'warn'), 'the failure is logged');
});

t.test('reconciliation: a finished job is never compared again', async (t) => {
  const s = setup();
  const job = await createFor(s, 'alice');
  s.workflow.state = { status: 'completed', videoKey: 'v' };
  s.clock.advance(SYNC_INTERVAL_MS);
  const done = await s.getJob.execute({ userId: 'alice', jobId: job.jobId });
  const calls = spyDescribe(s);
  s.workflow.state = { status: 'failed', failure: { code: 'X', message: 'x' } };
  s.clock.advance(10 * SYNC_INTERVAL_MS);
  t.same(await s.getJob.execute({ userId: 'alice', jobId: job.jobId }), done);
  t.same(calls, []);
});
