// Races through the HTTP app, on the in-memory and SQLite adapters (local mode) and the DynamoDB ones (dynalite):
// bursts of creates against the quota, duplicate Idempotency-Keys, cancels racing completions, and
// every accepted job found again by id and in its owner's listing. dynalite is strongly consistent, so
// the listing check holds here; against real DynamoDB the byUser index lags a moment (docs/aws-mode.md).
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import t from 'tap';
import { mutateJob } from '../../src/application/mutate-job.ts';
import { completeJob } from '../../src/domain/job.ts';
import { FAMILIES, buildRaceApp, type RaceApp } from './fixtures/apps.ts';

const PERIOD = new Date().toISOString().slice(0, 7);
interface JobView { jobId: string; status: string; progress: number }

const create = (race: RaceApp, user: string, prompt = 'A neon city at night, synthwave', key?: string) =>
  race.app.inject({
    method: 'POST', url: '/api/v1/jobs', payload: { prompt, category: 'music-video' },
    headers: { ...race.auth(user), ...(key === undefined ? {} : { 'idempotency-key': key }) },
  });

async function listAll(race: RaceApp, user: string): Promise<JobView[]> {
  const all: JobView[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const page = (await race.app.inject({ method: 'GET', url: `/api/v1/jobs?limit=100${query}`, headers: race.auth(user) })).json() as { jobs: JobView[]; nextCursor: string | null };
    all.push(...page.jobs);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

/** Runs `work` over `items` with at most `limit` at once; results in input order. */
async function inParallel<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i] as T);
    }
  }));
  return results;
}

for (const family of FAMILIES) {
  t.test(`${family}: 100 concurrent creates for one user never pass the quota`, async (t) => {
    const race = await buildRaceApp(t, family, { quotaPerMonth: 10 });
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => create(race, 'alice', `Burst job number ${i}, a video`)));
    const accepted = results.filter((r) => r.statusCode === 202);
    const refused = results.filter((r) => r.statusCode === 429);
    t.equal(accepted.length, 10, 'exactly the quota is accepted');
    t.equal(refused.length, 90, 'the rest are 429');
    t.ok(refused.every((r) => r.json().code === 'QUOTA_EXCEEDED'), 'as QUOTA_EXCEEDED');
    t.equal(await race.usage.used('alice', PERIOD), 10, 'the ledger counts 10');
    const listed = await listAll(race, 'alice');
    t.same(listed.map((j) => j.jobId).sort(), accepted.map((r) => (r.json() as JobView).jobId).sort(), 'every accepted job is listed, and nothing else');
    t.equal(race.workflow.started.length, 10, 'ten workflows started');
  });

  t.test(`${family}: one job per Idempotency-Key under concurrency`, async (t) => {
    const race = await buildRaceApp(t, family, { quotaPerMonth: 100 });
    const same = await Promise.all(Array.from({ length: 40 }, () => create(race, 'bob', 'The same request, sent forty times', 'retry-1')));
    t.ok(same.every((r) => r.statusCode === 202), 'every duplicate is 202');
    const ids = new Set(same.map((r) => (r.json() as JobView).jobId));
    t.equal(ids.size, 1, 'all name the same job');
    // The same key with different bodies at once: one job; the others replay it (same body) or are 422.
    const mixed = await Promise.all(Array.from({ length: 30 }, (_, i) => create(race, 'bob', `Body variant ${i % 3}, a video`, 'retry-2')));
    const winners = new Set(mixed.filter((r) => r.statusCode === 202).map((r) => (r.json() as JobView).jobId));
    t.equal(winners.size, 1, 'one job for the second key');
    t.ok(mixed.every((r) => r.statusCode === 202 || (r.statusCode === 422 && r.json().code === 'IDEMPOTENCY_KEY_REUSED')), '202 or 422 only');
    t.equal(await race.usage.used('bob', PERIOD), 2, 'two quota units for two keys');
    t.equal((await listAll(race, 'bob')).length, 2, 'two jobs listed');
    t.equal(race.workflow.started.length, 2, 'two workflows started');
  });

  t.test(`${family}: a cancel racing a completion ends in one consistent terminal state`, async (t) => {
    // syncIntervalMs 0: every read asks the workflow engine, as aws mode does once a job is due.
    const race = await buildRaceApp(t, family, { quotaPerMonth: 1000, syncIntervalMs: 0 });
    const outcomes = { canceled: 0, completed: 0 };
    const N = 30;
    const jobs = await Promise.all(Array.from({ length: N }, async (_, i) => (await create(race, 'carol', `Racing job ${i}, a video`)).json() as JobView));
    // Three ways a completion arrives: the local workflow's own write (mutateJob), the state machine's
    // documented UpdateItem (DynamoDB only), and a read that reconciles with the engine (aws mode).
    const complete = async (job: JobView, i: number): Promise<unknown> => {
      const way = i % 3;
      if (way === 1 && race.dynamo) {
        return race.dynamo.client.send(new UpdateCommand({
          TableName: race.dynamo.jobTable, Key: { jobId: job.jobId },
          UpdateExpression: 'SET #status = :completed, progress = :hundred, stage = :done, videoKey = :videoKey, updatedAt = :now ADD version :one',
          ConditionExpression: '#status IN (:pending, :processing)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':completed': 'completed', ':hundred': 100, ':done': 'done', ':videoKey': `videos/${job.jobId}.mp4`, ':now': new Date().toISOString(), ':one': 1, ':pending': 'pending', ':processing': 'processing' },
        })).catch((err: Error) => err.name);
      }
      if (way === 2) {
        engineDone.add(job.jobId);
        return race.app.inject({ method: 'GET', url: `/api/v1/jobs/${job.jobId}`, headers: race.auth('carol') });
      }
      return mutateJob(race.jobs, job.jobId, (j) => completeJob(j, `videos/${j.jobId}.mp4`, new Date())).catch((err: Error) => err.name);
    };
    // The engine reports a job completed from the moment its completion "arrives".
    const engineDone = new Set<string>();
    race.workflow.describe = async (job) => (engineDone.has(job.jobId) ? { status: 'completed', videoKey: `videos/${job.jobId}.mp4` } : undefined);
    // The completion starts a little later each time, so both sides get to win some races.
    const after = async (i: number) => {
      for (let k = 0; k < i % 6; k++) {
        if (family === 'dynamodb') await new Promise((resolve) => setTimeout(resolve, 3));
        else await new Promise((resolve) => setImmediate(resolve));
      }
    };
    for (const [i, job] of jobs.entries()) {
      const [cancel] = await Promise.all([
        race.app.inject({ method: 'POST', url: `/api/v1/jobs/${job.jobId}/cancel`, headers: race.auth('carol') }),
        after(i).then(() => complete(job, i)),
      ]);
      const final = (await race.app.inject({ method: 'GET', url: `/api/v1/jobs/${job.jobId}`, headers: race.auth('carol') })).json() as JobView;
      const video = await race.app.inject({ method: 'GET', url: `/api/v1/jobs/${job.jobId}/video`, headers: race.auth('carol') });
      // One assertion per job whichever side won, so the count does not depend on how the races fell.
      const cancelWon = cancel.statusCode === 202;
      const seen = {
        cancel: cancelWon ? '202' : `${cancel.statusCode} ${cancel.json().code}`,
        status: final.status,
        atHundred: final.progress === 100,
        video: video.statusCode === 200 ? 'served' : video.json().code,
      };
      if (cancelWon) outcomes.canceled++;
      else outcomes.completed++;
      t.same(seen, cancelWon
        ? { cancel: '202', status: 'canceled', atHundred: false, video: 'JOB_NOT_READY' }
        : { cancel: '409 JOB_FINISHED', status: 'completed', atHundred: true, video: 'served' },
      `job ${i}: the ${cancelWon ? 'cancel won, so it stays canceled with no video' : 'completion won: the cancel is 409 and the video is there'}`);
      // Once terminal, it never changes: a second cancel and a late completion are both refused.
      const again = await race.app.inject({ method: 'POST', url: `/api/v1/jobs/${job.jobId}/cancel`, headers: race.auth('carol') });
      t.equal(again.statusCode, 409, `job ${i}: a second cancel is JOB_FINISHED`);
      await complete(job, i);
      const later = (await race.app.inject({ method: 'GET', url: `/api/v1/jobs/${job.jobId}`, headers: race.auth('carol') })).json() as JobView;
      t.equal(later.status, final.status, `job ${i}: the terminal state did not change`);
    }
    t.comment(`${family}: ${outcomes.canceled} cancels won, ${outcomes.completed} completions won`);
  });

  t.test(`${family}: every accepted job of a concurrent mix can be read and is listed`, async (t) => {
    const race = await buildRaceApp(t, family, { quotaPerMonth: 15 });
    const users = Array.from({ length: 20 }, (_, i) => `user-${i}`);
    const requests = users.flatMap((user) => Array.from({ length: 20 }, (_, i) => ({ user, i })));
    // dynalite serves a few hundred calls a second on a busy CI box: keep its in-flight calls well under
    // the SDK's 50 pooled sockets, whose waiting counts against the 1 s connection timeout (a 503 then).
    const results = await inParallel(requests, family === 'dynamodb' ? 8 : requests.length, async ({ user, i }) => {
      const res = await create(race, user, `Mixed job ${i} of ${user}`, i % 4 === 0 ? `key-${i % 8}` : undefined);
      // Reads and lists interleave with the creates.
      if (i % 5 === 0) await race.app.inject({ method: 'GET', url: '/api/v1/jobs?limit=5', headers: race.auth(user) });
      return { user, res };
    });
    const failed = results.filter((r) => r.res.statusCode >= 500);
    t.same(failed.map((r) => r.res.body), [], 'no 5xx');
    let found = 0;
    for (const user of users) {
      const accepted = new Set(results.filter((r) => r.user === user && r.res.statusCode === 202).map((r) => (r.res.json() as JobView).jobId));
      const listed = new Set((await listAll(race, user)).map((j) => j.jobId));
      t.same([...listed].sort(), [...accepted].sort(), `${user}: listed = accepted`);
      t.ok(accepted.size <= 15, `${user}: within the quota`);
      t.equal(await race.usage.used(user, PERIOD), accepted.size, `${user}: the ledger counts each job once`);
      for (const jobId of accepted) {
        const res = await race.app.inject({ method: 'GET', url: `/api/v1/jobs/${jobId}`, headers: race.auth(user) });
        if (res.statusCode === 200) found++;
      }
    }
    const total = results.filter((r) => r.res.statusCode === 202).length;
    t.equal(found, new Set(results.filter((r) => r.res.statusCode === 202).map((r) => (r.res.json() as JobView).jobId)).size, 'every accepted job reads back');
    t.comment(`${family}: ${requests.length} creates, ${total} accepted (replays included)`);
  });
}
