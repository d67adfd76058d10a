import t from 'tap';
import { mutateJob } from '../../src/application/mutate-job.ts';
import { ValidationError } from '../../src/domain/errors.ts';
import { cancelJob, type Job } from '../../src/domain/job.ts';
import { createFor, setup, type Setup } from './fixtures/use-cases.ts';

/** Creates `n` jobs for `userId`, one second apart; returns them oldest first. */
async function createMany(s: Setup, userId: string, n: number): Promise<Job[]> {
  const made: Job[] = [];
  for (let i = 0; i < n; i++) {
    made.push(await createFor(s, userId, `job number ${i} for ${userId}`));
    s.clock.advance(1_000);
  }
  return made;
}

t.test('pages newest first to the end; nextCursor is null on the last page', async (t) => {
  const s = setup({ quotaPerMonth: 100 });
  const made = await createMany(s, 'alice', 7);
  await createMany(s, 'bob', 3);
  const seen: string[] = [];
  const pageSizes: number[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 10; pages++) {
    const page = await s.listJobs.execute({ userId: 'alice', limit: 3, cursor });
    seen.push(...page.jobs.map((j) => j.jobId));
    pageSizes.push(page.jobs.length);
    if (page.nextCursor === null) break;
    cursor = page.nextCursor;
  }
  t.same(pageSizes, [3, 3, 1]);
  t.same(seen, made.map((j) => j.jobId).reverse(), 'every job once, newest first, only alice\'s');
});

t.test('a page that ends exactly at the last job says there is no more', async (t) => {
  const s = setup({ quotaPerMonth: 100 });
  await createMany(s, 'alice', 4);
  const first = await s.listJobs.execute({ userId: 'alice', limit: 2 });
  t.type(first.nextCursor, 'string');
  const second = await s.listJobs.execute({ userId: 'alice', limit: 2, cursor: first.nextCursor ?? undefined });
  t.equal(second.jobs.length, 2);
  t.equal(second.nextCursor, null);
});

t.test('a user with no jobs gets an empty list', async (t) => {
  const s = setup();
  await createMany(s, 'bob', 2);
  t.same(await s.listJobs.execute({ userId: 'alice', limit: 20 }), { jobs: [], nextCursor: null });
});

t.test('the status filter returns only jobs in that status, across pages', async (t) => {
  const s = setup({ quotaPerMonth: 100 });
  const made = await createMany(s, 'alice', 6);
  const canceled = [made[0], made[2], made[5]].map((j) => j?.jobId as string);
  for (const id of canceled) await mutateJob(s.jobs, id, (j) => cancelJob(j, s.clock.now()));

  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await s.listJobs.execute({ userId: 'alice', limit: 2, status: 'canceled', cursor });
    t.ok(page.jobs.every((j) => j.status === 'canceled'));
    ids.push(...page.jobs.map((j) => j.jobId));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  t.same(ids, [...canceled].reverse());
  const pending = await s.listJobs.execute({ userId: 'alice', limit: 20, status: 'pending' });
  t.equal(pending.jobs.length, 3);
  t.same(await s.listJobs.execute({ userId: 'alice', limit: 20, status: 'completed' }), { jobs: [], nextCursor: null });
});

t.test("a cursor is the caller's own: another user's, or an edited one, is a VALIDATION_ERROR on 'cursor'", async (t) => {
  const s = setup({ quotaPerMonth: 100 });
  await createMany(s, 'alice', 5);
  await createMany(s, 'bob', 5);
  const { nextCursor } = await s.listJobs.execute({ userId: 'alice', limit: 2 });
  const cursor = nextCursor as string;
  const refused = { code: 'VALIDATION_ERROR', details: { field: 'cursor' } };

  await t.rejects(s.listJobs.execute({ userId: 'bob', limit: 2, cursor }), ValidationError, "alice's cursor used by bob");
  const [body, mac] = cursor.split('.') as [string, string];
  // Point the cursor somewhere else (a position far in the future) and keep the old signature.
  const forged = Buffer.from(JSON.stringify(['9999-01-01T00:00:00.000Z', 'x'])).toString('base64url');
  const edits = [
    `${forged}.${mac}`,
    `${body}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`,
    `${body}.`,
    body,
    `${body}.${mac}.x`,
    '',
    'not-a-cursor',
  ];
  for (const edited of edits) {
    await t.rejects(s.listJobs.execute({ userId: 'alice', limit: 2, cursor: edited }), refused, `refused: ${edited.slice(0, 20)}…`);
  }
  const ok = await s.listJobs.execute({ userId: 'alice', limit: 2, cursor });
  t.equal(ok.jobs.length, 2, 'the untouched cursor still works for its owner');
});

t.test("never another user's jobs, whatever the page size", async (t) => {
  const s = setup({ quotaPerMonth: 100 });
  await createMany(s, 'alice', 3);
  await createMany(s, 'bob', 3);
  const page = await s.listJobs.execute({ userId: 'alice', limit: 100 });
  t.equal(page.jobs.length, 3);
  t.ok(page.jobs.every((j) => j.userId === 'alice'));
});
