import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { loadDriver, openDatabase, schemaVersion, StoreOpenError } from '../../src/adapters/sqlite/sqlite-database.ts';
import { SqliteJobRepository } from '../../src/adapters/sqlite/sqlite-job-repository.ts';
import { MIGRATIONS } from '../../src/adapters/sqlite/sqlite-migrations.ts';
import { cancelJob } from '../../src/domain/job.ts';
import { jobAt } from '../contract/job-repository.contract.ts';
import { openTestDatabase } from '../helpers/sqlite.ts';

const T0 = Date.parse('2026-11-27T10:00:00.000Z');
const hashOf = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

t.test('a new file is created at the newest schema, in WAL mode; reopening keeps the data and migrates nothing', async (t) => {
  const file = join(t.testdir(), 'omnigen.db');
  const db = openDatabase(Database, file);
  t.equal(schemaVersion(db), MIGRATIONS.length);
  t.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  const job = jobAt('alice', T0);
  await new SqliteJobRepository(db).create(job);
  db.close();
  const again = openDatabase(Database, file);
  t.teardown(() => again.close());
  t.equal(schemaVersion(again), MIGRATIONS.length);
  t.same(await new SqliteJobRepository(again).get(job.jobId), job, 'the job is still there');
});

t.test('a database made by the first release is migrated forward in place, its jobs kept', async (t) => {
  const file = join(t.testdir(), 'omnigen.db');
  const old = new Database(file);
  old.exec(MIGRATIONS[0] as string);
  old.pragma('user_version = 1');
  old.prepare(`INSERT INTO jobs (job_id, user_id, prompt, category, status, progress, created_at, updated_at, version)
    VALUES ('j1', 'alice', 'A neon city at night', 'music-video', 'processing', 40, '2026-11-27T10:00:00.000Z', '2026-11-27T10:00:01.000Z', 2)`).run();
  old.close();
  const db = openDatabase(Database, file);
  t.teardown(() => db.close());
  t.equal(schemaVersion(db), MIGRATIONS.length);
  const repo = new SqliteJobRepository(db);
  const job = await repo.get('j1');
  t.match(job, { jobId: 'j1', status: 'processing', progress: 40, version: 2 }, 'the old row reads back');
  t.notOk(job && 'generationId' in job, 'a column added later reads as absent');
  await repo.update({ ...(job as NonNullable<typeof job>), generationId: 'gen-1', version: 3 });
  t.equal((await repo.get('j1'))?.generationId, 'gen-1', 'and takes the new fields');
});

t.test('a database from a newer version of the service is refused, in one line, and left byte for byte as it was', async (t) => {
  const file = join(t.testdir(), 'omnigen.db');
  const future = new Database(file);
  future.exec('CREATE TABLE from_the_future (x)');
  future.pragma(`user_version = ${MIGRATIONS.length + 1}`);
  future.close();
  const before = hashOf(file);
  const err = t.throws(() => openDatabase(Database, file)) as Error;
  t.type(err, StoreOpenError);
  t.match(err.message, new RegExp(`schema version ${MIGRATIONS.length + 1}, newer than this service knows \\(${MIGRATIONS.length}\\).*left untouched`));
  t.notMatch(err.message, /\n/, 'one line');
  t.equal(hashOf(file), before, 'not touched (not even switched to WAL)');
});

t.test('a file that is not a database is refused in one line and not overwritten', async (t) => {
  const file = join(t.testdir(), 'omnigen.db');
  writeFileSync(file, 'this is not a database, just some text that landed here\n'.repeat(200));
  const before = hashOf(file);
  const err = t.throws(() => openDatabase(Database, file)) as Error;
  t.type(err, StoreOpenError);
  t.match(err.message, /omnigen\.db is not a usable SQLite database \(SQLITE_NOTADB: file is not a database\); move it away/);
  t.notMatch(err.message, /\n/);
  t.equal(hashOf(file), before);
});

t.test('without the native driver, the start says what to do instead', async (t) => {
  const err = await loadDriver(() => Promise.reject(new Error('Cannot find module\n  better_sqlite3.node'))).catch((e: unknown) => e as Error);
  t.type(err, StoreOpenError);
  t.equal(
    (err as Error).message,
    'LOCAL_STORE=sqlite needs the better-sqlite3 package, which could not be loaded (Cannot find module better_sqlite3.node); install it (npm ci) or set LOCAL_STORE=memory, which works without it',
  );
  t.equal(await loadDriver(), Database, 'and it loads when installed');
});

t.test('a page of a user\'s jobs is a range on an index: no scan, no sort, whatever their job count', async (t) => {
  const db = openTestDatabase(t);
  const plan = (sql: string) =>
    (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ user: 'a', status: 'completed', createdAt: 'x', jobId: 'y', limit: 5 }) as Array<{ detail: string }>).map((r) => r.detail).join(' | ');
  const order = 'ORDER BY created_at DESC, job_id DESC LIMIT :limit';
  t.equal(plan(`SELECT * FROM jobs WHERE user_id = :user ${order}`), 'SEARCH jobs USING INDEX jobs_by_user (user_id=?)');
  t.equal(plan(`SELECT * FROM jobs WHERE user_id = :user AND (created_at, job_id) < (:createdAt, :jobId) ${order}`), 'SEARCH jobs USING INDEX jobs_by_user (user_id=? AND (created_at,job_id)<(?,?))');
  t.equal(
    plan(`SELECT * FROM jobs WHERE user_id = :user AND status = :status AND (created_at, job_id) < (:createdAt, :jobId) ${order}`),
    'SEARCH jobs USING INDEX jobs_by_user_status (user_id=? AND status=? AND (created_at,job_id)<(?,?))',
  );
  t.match(plan("SELECT * FROM jobs WHERE status IN ('pending', 'processing') ORDER BY created_at, job_id"), /^SEARCH jobs USING INDEX jobs_unfinished/);
});

t.test('unfinished jobs: pending and processing ones, oldest first, and nothing else', async (t) => {
  const repo = new SqliteJobRepository(openTestDatabase(t));
  const pending = jobAt('alice', T0 + 2000);
  const processing = jobAt('bob', T0 + 1000, 'processing');
  const canceled = cancelJob(jobAt('alice', T0), new Date(T0 + 5));
  for (const job of [pending, processing, canceled, jobAt('carol', T0 + 500, 'completed'), jobAt('dan', T0 + 3000, 'failed')]) await repo.create(job);
  t.same((await repo.listUnfinished()).map((j) => j.jobId), [processing.jobId, pending.jobId]);
});

t.test('several processes on one file: the quota stays exact and each key has one holder', async (t) => {
  const file = join(t.testdir(), 'omnigen.db');
  openDatabase(Database, file).close();
  const script = new URL('./fixtures/contend.ts', import.meta.url).pathname;
  const children = ['p1', 'p2', 'p3', 'p4'].map((name) => {
    const child = spawn(process.execPath, [script, file, name, '2000', '5000'], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const ready = new Promise<void>((resolve) => child.stdout.on('data', () => out.startsWith('ready\n') && resolve()));
    const result = new Promise<{ consumed: number; claimed: string[] }>((resolve, reject) => {
      child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out.slice('ready\n'.length)) as { consumed: number; claimed: string[] }) : reject(new Error(`${name} exited ${code}`))));
    });
    return { child, ready, result };
  });
  await Promise.all(children.map((c) => c.ready));
  for (const { child } of children) child.stdin.end('go\n');
  const runs = await Promise.all(children.map((c) => c.result));
  t.equal(runs.reduce((sum, r) => sum + r.consumed, 0), 5000, '8000 attempts against a limit of 5000: exactly 5000 counted');
  // How the units were split depends on the scheduler; it is printed, not asserted.
  t.comment(`units won per process: ${runs.map((r) => r.consumed).join(', ')}`);
  const claims = runs.flatMap((r) => r.claimed).sort();
  t.same(claims, Array.from({ length: 500 }, (_, i) => `key-${i}`).sort(), 'each of the 500 keys claimed exactly once');
  const db = new Database(file, { readonly: true });
  t.teardown(() => db.close());
  t.equal(db.prepare('SELECT used FROM usage').pluck().get(), 5000);
});
