import t from 'tap';
import { mutateJob } from '../../src/application/mutate-job.ts';
import type { InMemoryJobRepository } from '../../src/adapters/local/in-memory-job-repository.ts';
import { JobFinished, JobNotFound } from '../../src/domain/errors.ts';
import { CancelJob } from '../../src/application/cancel-job.ts';
import { advanceJob, completeJob, failJob, startGeneration, type Job } from '../../src/domain/job.ts';
import { FakeVideoModel } from '../helpers/fake-video-model.ts';
import { createFor, setup, SYNC_INTERVAL_MS, type Setup } from './fixtures/use-cases.ts';

async function running(s: Setup, userId = 'alice'): Promise<Job> {
  const job = await createFor(s, userId);
  return mutateJob(s.jobs, job.jobId, (j) => advanceJob(j, { progress: 40, stage: 'rendering' }, s.clock.now()));
}

t.test('a running job is canceled and its workflow stopped', async (t) => {
  const s = setup();
  const job = await running(s);
  s.clock.advance(1_000);
  const canceled = await s.cancelJob.execute({ userId: 'alice', jobId: job.jobId });
  t.match(canceled, { status: 'canceled', progress: 40, updatedAt: s.clock.now().toISOString(), version: job.version + 1 });
  t.same(await s.jobs.get(job.jobId), canceled);
  t.same(s.workflow.stopped, [job.jobId]);
});

t.test("a canceled job gives its reserved cost back to the month's spend", async (t) => {
  const s = setup();
  const kept = await running(s);
  const job = await running(s);
  const period = s.clock.now().toISOString().slice(0, 7);
  t.equal(await s.usage.spentMicroUsd('alice', period), 1_400_000, 'two jobs reserved at 0.70 USD');
  await s.cancelJob.execute({ userId: 'alice', jobId: job.jobId });
  t.equal(await s.usage.spentMicroUsd('alice', period), 700_000, 'the canceled one costs nothing');
  t.match(await s.jobs.get(kept.jobId), { status: 'processing', estimatedCostUsd: 0.7 });
});

t.test('a pending job can be canceled too', async (t) => {
  const s = setup();
  const job = await createFor(s, 'alice');
  t.equal((await s.cancelJob.execute({ userId: 'alice', jobId: job.jobId })).status, 'canceled');
});

t.test('a job that already ended is JOB_FINISHED and stays as it was', async (t) => {
  const s = setup();
  const ends: ((j: Job) => Job)[] = [
    (j) => completeJob(j, 'v.mp4', s.clock.now()),
    (j) => failJob(j, { code: 'X', message: 'x' }, s.clock.now()),
  ];
  for (const end of ends) {
    const job = await running(s);
    const ended = await mutateJob(s.jobs, job.jobId, end);
    await t.rejects(s.cancelJob.execute({ userId: 'alice', jobId: job.jobId }), { code: 'JOB_FINISHED', details: { status: ended.status } });
    t.same(await s.jobs.get(job.jobId), ended);
  }
  const job = await running(s);
  await s.cancelJob.execute({ userId: 'alice', jobId: job.jobId });
  await t.rejects(s.cancelJob.execute({ userId: 'alice', jobId: job.jobId }), JobFinished, 'a second cancel');
  t.same(s.workflow.stopped, [job.jobId], 'only the one real cancel stopped a workflow');
});

t.test('a job the engine has already finished is JOB_FINISHED, not canceled', async (t) => {
  const s = setup();
  const job = await running(s);
  s.workflow.state = { status: 'completed', videoKey: 'v.mp4' };
  s.clock.advance(SYNC_INTERVAL_MS);
  await t.rejects(s.cancelJob.execute({ userId: 'alice', jobId: job.jobId }), JobFinished);
  t.equal((await s.jobs.get(job.jobId))?.status, 'completed');
});

t.test("another user's job is NOT_FOUND and is not touched", async (t) => {
  const s = setup();
  const job = await running(s);
  await t.rejects(s.cancelJob.execute({ userId: 'bob', jobId: job.jobId }), JobNotFound);
  t.same(await s.jobs.get(job.jobId), job);
  t.same(s.workflow.stopped, []);
});

t.test('a workflow that cannot be stopped does not undo the cancel', async (t) => {
  const s = setup();
  const job = await running(s);
  s.workflow.stop = async () => {
    throw new Error('states:StopExecution throttled');
  };
  t.equal((await s.cancelJob.execute({ userId: 'alice', jobId: job.jobId })).status, 'canceled');
  t.equal((await s.jobs.get(job.jobId))?.status, 'canceled');
  t.ok(s.logger.lines.some((l) => l.level === 'warn'));
});

/**
 * Holds the first two writes until both have arrived (so both were computed from the same read), then
 * lets them through in the order asked for.
 */
function holdTwoWrites(jobs: InMemoryJobRepository, winner: 'first' | 'second') {
  const update = jobs.update.bind(jobs);
  const held: { next: Job; resolve: () => void; reject: (e: unknown) => void }[] = [];
  jobs.update = (next) => {
    if (held.length >= 2) return update(next);
    return new Promise<void>((resolve, reject) => {
      held.push({ next, resolve, reject });
      if (held.length < 2) return;
      const order = winner === 'first' ? [...held] : [...held].reverse();
      void (async () => {
        for (const w of order) await update(w.next).then(w.resolve, w.reject);
      })();
    });
  };
  return held;
}

t.test('a cancel racing a completion ends in exactly one terminal state', async (t) => {
  const outcomes = new Set<string>();
  for (const winner of ['first', 'second'] as const) {
    const s = setup();
    const job = await running(s);
    const held = holdTwoWrites(s.jobs, winner);
    const [cancel, complete] = await Promise.allSettled([
      s.cancelJob.execute({ userId: 'alice', jobId: job.jobId }),
      mutateJob(s.jobs, job.jobId, (j) => completeJob(j, 'v.mp4', s.clock.now())),
    ]);
    t.equal(held[0]?.next.version, held[1]?.next.version, 'both writes started from the same read');
    const stored = (await s.jobs.get(job.jobId)) as Job;
    t.equal(stored.version, job.version + 1, 'one write landed');
    if (stored.status === 'canceled') {
      t.equal(cancel?.status, 'fulfilled');
      t.match(complete, { status: 'rejected', reason: { code: 'JOB_FINISHED' } });
      t.same(s.workflow.stopped, [job.jobId]);
    } else {
      t.equal(stored.status, 'completed');
      t.equal(stored.progress, 100);
      t.equal(complete?.status, 'fulfilled');
      t.match(cancel, { status: 'rejected', reason: { code: 'JOB_FINISHED' } });
      t.same(s.workflow.stopped, [], 'a completed job is not stopped');
    }
    outcomes.add(stored.status);
  }
  t.same([...outcomes].sort(), ['canceled', 'completed'], 'both ways the race can go were exercised');
});

t.test("a canceled job's generation is canceled at the model too; a model that fails is logged, the cancel holds", async (t) => {
  const s = setup();
  const model = new FakeVideoModel();
  const cancel = new CancelJob({ getJob: s.getJob, jobs: s.jobs, workflow: s.workflow, clock: s.clock, logger: s.logger, model, usage: s.usage });
  const job = await createFor(s, 'alice');
  await mutateJob(s.jobs, job.jobId, (j) => startGeneration(j, 'gen-7', s.clock.now()));
  t.match(await cancel.execute({ userId: 'alice', jobId: job.jobId }), { status: 'canceled', generationId: 'gen-7' });
  t.same(model.canceled, ['gen-7']);
  t.same(s.workflow.stopped, [job.jobId]);

  const other = await createFor(s, 'alice');
  await mutateJob(s.jobs, other.jobId, (j) => startGeneration(j, 'gen-8', s.clock.now()));
  model.failCancel = true;
  t.match(await cancel.execute({ userId: 'alice', jobId: other.jobId }), { status: 'canceled' });
  t.match(s.logger.lines, [{ level: 'warn', msg: 'job canceled but its generation could not be canceled' }]);

  const notStarted = await createFor(s, 'alice');
  await cancel.execute({ userId: 'alice', jobId: notStarted.jobId });
  t.same(model.canceled, ['gen-7', 'gen-8'], 'no generation yet: nothing to cancel (StartGeneration stops a late one)');
});
