// A quota unit and its job are two writes: a process killed between them must not leave the month counting
// a job that does not exist. The SQLite ledger marks a unit "not saved yet" with the unit; the job's insert
// or the unit's refund removes the mark; the next start gives back what a dead process left marked.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { SqliteJobRepository } from '../../src/adapters/sqlite/sqlite-job-repository.ts';
import { SqliteUsageLedger } from '../../src/adapters/sqlite/sqlite-usage-ledger.ts';
import { newJob } from '../../src/domain/job.ts';
import { openTestDatabase } from '../helpers/sqlite.ts';

const PERIOD = '2026-12';
const job = (jobId: string) => newJob({ jobId, userId: 'alice', prompt: 'A neon city at night', category: 'music-video', now: new Date('2026-12-06T10:00:00Z') });
const ID = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000003'] as const;
const dead = () => false;

t.test('a unit whose job was never saved is given back at the next start; a saved job keeps its unit', async (t) => {
  const db = openTestDatabase(t);
  const before = new SqliteUsageLedger(db);
  t.equal(await before.consume('alice', PERIOD, 10, { costMicroUsd: 500_000 }, ID[0]), true);
  t.equal(await before.consume('alice', PERIOD, 10, { costMicroUsd: 500_000 }, ID[1]), true);
  await new SqliteJobRepository(db).create(job(ID[1]));
  // The process "dies" here: ID[0]'s job was never written.
  const after = new SqliteUsageLedger(db);
  t.equal(after.recoverUnsavedUnits(dead), 1, 'one unit given back');
  t.equal(await after.used('alice', PERIOD), 1, 'the month counts the one job that exists');
  t.equal(await after.spentMicroUsd('alice', PERIOD), 500_000, 'and only its reserved cost');
  t.equal(after.recoverUnsavedUnits(dead), 0, 'nothing is given back twice');
  t.equal(await after.used('alice', PERIOD), 1);
});

t.test('a refunded unit is not given back again at the next start', async (t) => {
  const db = openTestDatabase(t);
  const ledger = new SqliteUsageLedger(db);
  await ledger.consume('alice', PERIOD, 10, undefined, ID[0]);
  await ledger.consume('alice', PERIOD, 10, undefined, ID[1]);
  await ledger.refund('alice', PERIOD, 0, ID[0]); // its job could not be saved: the use case gave it back
  t.equal(await ledger.used('alice', PERIOD), 1);
  await new SqliteJobRepository(db).create(job(ID[1]));
  t.equal(new SqliteUsageLedger(db).recoverUnsavedUnits(dead), 0);
  t.equal(await ledger.used('alice', PERIOD), 1, 'still one: the refund was not repeated');
});

t.test('a unit another live server on the same file is about to save is left alone', async (t) => {
  const db = openTestDatabase(t);
  const other = new SqliteUsageLedger(db);
  await other.consume('alice', PERIOD, 10, undefined, ID[2]);
  // Its row names this process's own pid here; mark it as another process's, still running.
  db.prepare('UPDATE unsaved_units SET owner_pid = ?').run(process.pid + 1);
  t.equal(new SqliteUsageLedger(db).recoverUnsavedUnits((pid) => pid === process.pid + 1), 0, 'not given back');
  t.equal(await other.used('alice', PERIOD), 1);
  await new SqliteJobRepository(db).create(job(ID[2]));
  t.equal(new SqliteUsageLedger(db).recoverUnsavedUnits(dead), 0, 'saved since: its mark went with the insert');
  t.equal(await other.used('alice', PERIOD), 1);
});

t.test('a refused unit leaves no mark', async (t) => {
  const db = openTestDatabase(t);
  const ledger = new SqliteUsageLedger(db);
  t.equal(await ledger.consume('alice', PERIOD, 1, undefined, ID[0]), true);
  t.equal(await ledger.consume('alice', PERIOD, 1, undefined, ID[1]), false, 'over the quota');
  t.same(db.prepare('SELECT job_id FROM unsaved_units').all(), [{ job_id: ID[0] }]);
});

t.test('by default, whether the owner runs is asked of the system: a running owner keeps its unit, a pid that cannot exist does not', async (t) => {
  const db = openTestDatabase(t);
  const ledger = new SqliteUsageLedger(db);
  await ledger.consume('alice', PERIOD, 10, undefined, ID[0]);
  await ledger.consume('alice', PERIOD, 10, undefined, ID[1]);
  // The test runner that started this file is running; no process has a pid above the kernel's pid_max.
  const never = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8')) + 1;
  db.prepare('UPDATE unsaved_units SET owner_pid = ? WHERE job_id = ?').run(process.ppid, ID[0]);
  db.prepare('UPDATE unsaved_units SET owner_pid = ? WHERE job_id = ?').run(never, ID[1]);
  t.equal(new SqliteUsageLedger(db).recoverUnsavedUnits(), 1, "only the gone owner's unit is given back");
  t.same(db.prepare('SELECT job_id FROM unsaved_units').all(), [{ job_id: ID[0] }]);
});
