// What the SQLite adapters do beyond the port contracts: live job events, the schema's own checks,
// and the sweep of expired idempotency claims.
import t from 'tap';
import { SqliteIdempotencyStore } from '../../src/adapters/sqlite/sqlite-idempotency-store.ts';
import { SqliteJobRepository } from '../../src/adapters/sqlite/sqlite-job-repository.ts';
import { advanceJob, type Job } from '../../src/domain/job.ts';
import { jobAt } from '../contract/job-repository.contract.ts';
import { openTestDatabase } from '../helpers/sqlite.ts';

const T0 = Date.parse('2026-11-27T10:00:00.000Z');

t.test('watchers of a job see each write of it, and nothing after they stop watching', async (t) => {
  const repo = new SqliteJobRepository(openTestDatabase(t));
  const job = jobAt('alice', T0);
  const seen: Job[] = [];
  const other: Job[] = [];
  const stop = repo.watch(job.jobId, (j) => seen.push(j));
  repo.watch('another-job', (j) => other.push(j));
  await repo.create(job);
  const running = advanceJob(job, { progress: 30 }, new Date(T0 + 1000));
  await repo.update(running);
  stop();
  await repo.update(advanceJob(running, { progress: 60 }, new Date(T0 + 2000)));
  t.same(seen, [job, running]);
  t.same(other, []);
});

t.test('the schema refuses a job no domain rule could produce, and a row edited by hand is reported, not returned', async (t) => {
  const db = openTestDatabase(t);
  const repo = new SqliteJobRepository(db);
  const job = jobAt('alice', T0);
  await t.rejects(repo.create({ ...job, status: 'paused' as Job['status'] }), { code: 'SQLITE_CONSTRAINT_CHECK' });
  await repo.create(job);
  db.prepare("UPDATE jobs SET category = 'podcast' WHERE job_id = ?").run(job.jobId);
  await t.rejects(repo.get(job.jobId), /has an unknown status or category/);
});

t.test('expired claims are swept every 1024 claims; live ones stay', async (t) => {
  const db = openTestDatabase(t);
  const store = new SqliteIdempotencyStore(db);
  const now = new Date(T0);
  const count = () => db.prepare('SELECT count(*) FROM idempotency_keys').pluck().get() as number;
  await store.reserve({ userId: 'alice', key: 'old', fingerprint: 'f', jobId: 'j-old', expiresAt: new Date(T0 - 1).toISOString() }, new Date(T0 - 2));
  const expiresAt = new Date(T0 + 86_400_000).toISOString();
  for (let i = 0; i < 1022; i++) await store.reserve({ userId: 'alice', key: `k${i}`, fingerprint: 'f', jobId: `j${i}`, expiresAt }, now);
  t.equal(count(), 1023, 'nothing swept before the 1024th claim');
  await store.reserve({ userId: 'alice', key: 'k-last', fingerprint: 'f', jobId: 'j-last', expiresAt }, now);
  t.equal(count(), 1023, 'the expired claim is gone, the 1023 live ones are there');
  t.equal(db.prepare("SELECT count(*) FROM idempotency_keys WHERE key = 'old'").pluck().get(), 0);
});
