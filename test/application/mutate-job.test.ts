import t from 'tap';
import { mutateJob } from '../../src/application/mutate-job.ts';
import { InMemoryJobRepository } from '../../src/adapters/local/in-memory-job-repository.ts';
import { ConcurrentUpdate, JobFinished, JobNotFound } from '../../src/domain/errors.ts';
import { advanceJob, cancelJob, completeJob, newJob, type Job } from '../../src/domain/job.ts';

const now = new Date('2026-11-27T10:00:00.000Z');
/** As in src/application/mutate-job.ts. */
const MAX_ATTEMPTS = 10;

/** A repository where another writer slips in before each of our first `races` writes. */
async function contested(races: number) {
  const jobs = new InMemoryJobRepository();
  const job = newJob({ jobId: 'job-1', userId: 'alice', prompt: 'A neon city at night', category: 'music-video', now });
  await jobs.create(job);
  const update = jobs.update.bind(jobs);
  let writes = 0;
  jobs.update = async (next) => {
    writes++;
    if (writes <= races) {
      const current = (await jobs.get(next.jobId)) as Job;
      await update(advanceJob(current, { progress: current.progress + 10 }, now));
    }
    return update(next);
  };
  return { jobs, writes: () => writes };
}

t.test('retries on ConcurrentUpdate, each time on the latest stored job', async (t) => {
  const c = await contested(2);
  const seen: number[] = [];
  const result = await mutateJob(c.jobs, 'job-1', (j) => {
    seen.push(j.progress);
    return cancelJob(j, now);
  });
  t.same(seen, [0, 10, 20], 'the change saw each concurrent write');
  t.match(result, { status: 'canceled', progress: 20, version: 4 });
  t.same(await c.jobs.get('job-1'), result);
  t.equal(c.writes(), 3);
});

t.test('gives up with ConcurrentUpdate after its maximum attempts', async (t) => {
  const c = await contested(Number.POSITIVE_INFINITY);
  let changes = 0;
  await t.rejects(
    mutateJob(c.jobs, 'job-1', (j) => {
      changes++;
      return cancelJob(j, now);
    }),
    ConcurrentUpdate,
  );
  t.equal(changes, MAX_ATTEMPTS);
  t.equal(c.writes(), MAX_ATTEMPTS, 'and no more');
  t.equal((await c.jobs.get('job-1'))?.status, 'processing', 'our change never landed');
});

t.test('other errors are not retried', async (t) => {
  const c = await contested(0);
  c.jobs.update = async () => {
    throw new Error('table is down');
  };
  let changes = 0;
  await t.rejects(
    mutateJob(c.jobs, 'job-1', (j) => {
      changes++;
      return cancelJob(j, now);
    }),
    { message: 'table is down' },
  );
  t.equal(changes, 1);
});

t.test('a change the domain refuses is thrown as is, without a write', async (t) => {
  const c = await contested(0);
  await mutateJob(c.jobs, 'job-1', (j) => completeJob(j, 'v.mp4', now));
  await t.rejects(mutateJob(c.jobs, 'job-1', (j) => cancelJob(j, now)), JobFinished);
  t.equal(c.writes(), 1);
});

t.test('no change, no write', async (t) => {
  const c = await contested(0);
  const before = await c.jobs.get('job-1');
  t.equal(await mutateJob(c.jobs, 'job-1', (j) => j), before);
  t.equal(c.writes(), 0);
});

t.test('an unknown job is JobNotFound', async (t) => {
  const c = await contested(0);
  await t.rejects(mutateJob(c.jobs, 'nope', (j) => j), JobNotFound);
});
