// The JobRepository port's contract: every adapter of it must pass this suite.
import { createHash } from 'node:crypto';
import type { Test } from 'tap';
import type { JobPage, JobRepository, ListQuery } from '../../src/application/ports/job-repository.ts';
import { ConcurrentUpdate, JobNotFound } from '../../src/domain/errors.ts';
import { advanceJob, completeJob, failJob, newJob, type Job, type JobStatus } from '../../src/domain/job.ts';

const T0 = Date.parse('2026-11-27T10:00:00.000Z');

/**
 * The same ids on every run (a test never depends on chance), in no relation to time or creation order: the
 * n-th id made in this process is a UUID-shaped hash of n.
 */
function jobIdFor(n: number): string {
  const hex = createHash('sha256').update(`job-${n}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

let made = 0;
export function jobAt(userId: string, at: number, status: JobStatus = 'pending'): Job {
  const job = newJob({ jobId: jobIdFor(++made), userId, prompt: 'A neon city at night, synthwave', category: 'music-video', now: new Date(at) });
  return status === 'pending' ? job : { ...job, status, ...(status === 'completed' ? { progress: 100, videoKey: `videos/${job.jobId}.mp4` } : {}) };
}

/** Newest first: createdAt, then jobId, descending. */
function newestFirst(jobs: Job[]): Job[] {
  const key = (j: Job): string => `${j.createdAt}#${j.jobId}`;
  return [...jobs].sort((a, b) => (key(a) < key(b) ? 1 : key(a) > key(b) ? -1 : 0));
}

/** Follows `next` from the first page to the last, returning every page. */
async function allPages(repo: JobRepository, userId: string, query: Omit<ListQuery, 'after'>): Promise<JobPage[]> {
  const pages: JobPage[] = [];
  let page = await repo.listByUser(userId, query);
  pages.push(page);
  while (page.next && pages.length < 100) {
    page = await repo.listByUser(userId, { ...query, after: page.next });
    pages.push(page);
  }
  return pages;
}

/**
 * Creates in an order that is neither the list's nor its reverse (last, first, second last, second, …), so an
 * adapter cannot pass by relying on insertion order; the same order on every run.
 */
async function createAll(repo: JobRepository, jobs: Job[]): Promise<void> {
  const rest = [...jobs];
  const order: Job[] = [];
  while (rest.length > 0) order.push(...[rest.pop(), rest.shift()].filter((job): job is Job => job !== undefined));
  for (const job of order) await repo.create(job);
}

export function jobRepositoryContract(t: Test, makeRepo: () => Promise<JobRepository>): void {
  t.test('a created job reads back as it was stored; an unknown id reads as undefined', async (t) => {
    const repo = await makeRepo();
    const job = jobAt('alice', T0);
    await repo.create(job);
    t.same(await repo.get(job.jobId), job);
    const failed = { ...jobAt('alice', T0 + 1), status: 'failed' as const, failure: { code: 'X', message: 'went wrong' }, executionArn: 'arn:x', syncedAt: new Date(T0).toISOString() };
    await repo.create(failed);
    t.same(await repo.get(failed.jobId), failed, 'optional fields survive the round trip');
    const done = { ...jobAt('alice', T0 + 2), status: 'completed' as const, progress: 100, stage: 'done', videoKey: 'videos/x.mp4', thumbnailKey: 'videos/x.jpg', generationId: 'gen-1' };
    await repo.create(done);
    t.same(await repo.get(done.jobId), done, "the workflow's own fields (thumbnail, generation) survive too");
    const priced = {
      ...jobAt('alice', T0 + 3), status: 'completed' as const, progress: 100, videoKey: 'videos/y.mp4',
      options: { model: 'bytedance/seedance-1-lite', durationSeconds: 10, seed: 7, negativePrompt: 'rain' },
      model: 'bytedance/seedance-1-lite', provider: 'replicate',
      settings: { durationSeconds: 10, aspectRatio: '16:9', resolution: '720p', seed: 7 },
      estimatedCostUsd: 0.36, costUsd: 0.123456,
    };
    await repo.create(priced);
    t.same(await repo.get(priced.jobId), priced, 'the options, model, settings and costs survive too');
    const repriced = { ...priced, costUsd: 0.36, version: priced.version + 1 };
    await repo.update(repriced);
    t.same(await repo.get(priced.jobId), repriced, 'and an update of them');
    t.equal(await repo.get(jobIdFor(0)), undefined);
  });

  t.test('creating a job whose id exists fails and keeps the first', async (t) => {
    const repo = await makeRepo();
    const job = jobAt('alice', T0);
    await repo.create(job);
    await t.rejects(repo.create({ ...job, prompt: 'Another prompt entirely' }));
    t.equal((await repo.get(job.jobId))?.prompt, job.prompt);
  });

  t.test('update replaces the job when the version follows the stored one', async (t) => {
    const repo = await makeRepo();
    const job = jobAt('alice', T0);
    await repo.create(job);
    const running = advanceJob(job, { progress: 40, stage: 'rendering' }, new Date(T0 + 1000));
    await repo.update(running);
    t.same(await repo.get(job.jobId), running);
    const done = completeJob(running, 'videos/a.mp4', new Date(T0 + 2000));
    await repo.update(done);
    t.same(await repo.get(job.jobId), done);
  });

  t.test('a completed job keeps its thumbnail key and its video facts (fractional duration included)', async (t) => {
    const repo = await makeRepo();
    const job = jobAt('alice', T0);
    await repo.create(job);
    const video = { durationSeconds: 5.042, width: 1280, height: 720, sizeBytes: 2_345_678, contentType: 'video/mp4' };
    const done = completeJob(job, `videos/${job.jobId}.mp4`, new Date(T0 + 2000), `videos/${job.jobId}.jpg`, video);
    await repo.update(done);
    t.same(await repo.get(job.jobId), done);
    t.same((await repo.listByUser('alice', { limit: 10 })).jobs[0]?.video, video);
  });

  t.test('update from a stale version fails with ConcurrentUpdate and changes nothing', async (t) => {
    const repo = await makeRepo();
    const job = jobAt('alice', T0);
    await repo.create(job);
    const first = advanceJob(job, { progress: 10 }, new Date(T0 + 1000));
    const second = failJob(job, { code: 'E', message: 'm' }, new Date(T0 + 1000)); // also based on version 1
    await repo.update(first);
    await t.rejects(repo.update(second), ConcurrentUpdate);
    await t.rejects(repo.update({ ...first, version: first.version + 5 }), ConcurrentUpdate, 'a version from the future is stale too');
    t.same(await repo.get(job.jobId), first);
  });

  t.test('update of a job that does not exist fails with JobNotFound', async (t) => {
    const repo = await makeRepo();
    const job = jobAt('alice', T0);
    await t.rejects(repo.update({ ...job, version: 2 }), JobNotFound);
    t.equal(await repo.get(job.jobId), undefined, 'and does not create it');
  });

  t.test('listing pages through a user\'s jobs newest first, ties ordered by jobId', async (t) => {
    const repo = await makeRepo();
    // 25 jobs over 5 instants: five share each createdAt, so the jobId tie-break matters.
    const alice = Array.from({ length: 25 }, (_, i) => jobAt('alice', T0 + Math.floor(i / 5) * 1000));
    await createAll(repo, [...alice, jobAt('bob', T0 + 500), jobAt('bob', T0 + 10_000)]);
    for (const limit of [5, 7, 100]) {
      const pages = await allPages(repo, 'alice', { limit });
      const ids = pages.flatMap((p) => p.jobs.map((j) => j.jobId));
      t.same(ids, newestFirst(alice).map((j) => j.jobId), `limit ${limit}: every job once, in order`);
      t.equal(pages.length, Math.ceil(25 / limit), `limit ${limit}: no empty trailing page`);
      t.ok(pages.slice(0, -1).every((p) => p.jobs.length === limit), `limit ${limit}: every page but the last is full`);
      t.equal(pages.at(-1)?.next, undefined, `limit ${limit}: the last page has no next`);
    }
  });

  t.test('a status filter fills each page from further down the list', async (t) => {
    const repo = await makeRepo();
    // 40 jobs, newest at i = 39; the completed ones sit in clusters with long gaps between them.
    const completedAt = new Set([0, 1, 13, 14, 15, 27, 38]);
    const jobs = Array.from({ length: 40 }, (_, i) => jobAt('alice', T0 + i * 1000, completedAt.has(i) ? 'completed' : 'processing'));
    await createAll(repo, [...jobs, jobAt('bob', T0 + 5000, 'completed')]);
    const pages = await allPages(repo, 'alice', { limit: 3, status: 'completed' });
    const expected = newestFirst(jobs.filter((j) => j.status === 'completed')).map((j) => j.jobId);
    t.same(pages.flatMap((p) => p.jobs.map((j) => j.jobId)), expected);
    t.same(pages.map((p) => p.jobs.length), [3, 3, 1], 'pages are filled, the last one is not followed by an empty page');
    const none = await repo.listByUser('alice', { limit: 3, status: 'canceled' });
    t.same(none, { jobs: [] }, 'no match: an empty page without next');
  });

  t.test('a user sees only their own jobs', async (t) => {
    const repo = await makeRepo();
    const bobs = [jobAt('bob', T0), jobAt('bob', T0 + 2000)];
    await createAll(repo, [jobAt('alice', T0 + 1000), ...bobs, jobAt('alice2', T0)]);
    const page = await repo.listByUser('bob', { limit: 10 });
    t.same(page.jobs.map((j) => j.jobId), newestFirst(bobs).map((j) => j.jobId));
    t.equal(page.next, undefined);
    t.same(await repo.listByUser('carol', { limit: 10 }), { jobs: [] });
  });

  t.test('an update keeps the job in its place in the listing', async (t) => {
    const repo = await makeRepo();
    const jobs = [jobAt('alice', T0), jobAt('alice', T0 + 1000), jobAt('alice', T0 + 2000)];
    await createAll(repo, jobs);
    const middle = jobs[1] as Job;
    await repo.update(completeJob(middle, 'videos/m.mp4', new Date(T0 + 60_000)));
    const page = await repo.listByUser('alice', { limit: 10 });
    t.same(page.jobs.map((j) => j.jobId), newestFirst(jobs).map((j) => j.jobId));
    t.equal(page.jobs[1]?.status, 'completed');
  });
}
