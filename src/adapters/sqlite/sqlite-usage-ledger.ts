import type BetterSqlite3 from 'better-sqlite3';
import type { ConsumeResult, SpendCharge, UsageLedger } from '../../application/ports/usage-ledger.ts';
import type { SqliteDatabase } from './sqlite-database.ts';

type Key = { user: string; period: string };
type Row = { used: number; spent: number };

/** No spend limit: a cap no sum of costs reaches (SQLite integers are 64-bit). */
const NO_CAP = Number.MAX_SAFE_INTEGER;

/**
 * Monthly job counts and spend in local mode's SQLite file. consume is one conditional upsert (count and
 * cost together), so no two requests, and no two processes on one file, can push a count past the limit or
 * the spend past its cap; refund never goes below zero; settle is one transaction, once per job.
 *
 * The quota unit and the job are two writes (CreateJob counts, then saves). A unit counted for a named job
 * is marked "not saved yet" in the same transaction (unsaved_units); the job's insert or the unit's refund
 * removes the mark in theirs. A process killed between the two leaves the mark, and recoverUnsavedUnits,
 * at the next start, gives those units back: a crash never leaves a month counting a job that does not exist.
 */
export class SqliteUsageLedger implements UsageLedger {
  private readonly increment: BetterSqlite3.Statement<[Key & { limit: number; cost: number; cap: number }]>;
  private readonly decrement: BetterSqlite3.Statement<[Key & { cost: number }]>;
  private readonly read: BetterSqlite3.Statement<[Key], Row>;
  private readonly settleOnce: (key: Key & { job: string; delta: number }) => void;
  private readonly countFor: (key: Key & { limit: number; cost: number; cap: number }, jobId: string) => boolean;
  private readonly refundFor: (key: Key & { cost: number }, jobId: string | undefined) => void;
  private readonly recover: (alive: (pid: number) => boolean) => number;

  constructor(db: SqliteDatabase) {
    this.increment = db.prepare(
      `INSERT INTO usage (user_id, period, used, spent_micro_usd) VALUES (:user, :period, 1, :cost)
       ON CONFLICT (user_id, period) DO UPDATE SET used = used + 1, spent_micro_usd = spent_micro_usd + :cost
       WHERE used < :limit AND spent_micro_usd + :cost <= :cap`,
    );
    this.decrement = db.prepare(
      'UPDATE usage SET used = used - 1, spent_micro_usd = MAX(0, spent_micro_usd - :cost) WHERE user_id = :user AND period = :period AND used > 0',
    );
    this.read = db.prepare<[Key], Row>('SELECT used, spent_micro_usd AS spent FROM usage WHERE user_id = :user AND period = :period');
    const mark = db.prepare<[{ job: string }]>('INSERT INTO settled_jobs (job_id) VALUES (:job)');
    // Not below zero: a give-back larger than the month's spend is not applied (as in DynamoDB).
    const adjust = db.prepare<[Key & { job: string; delta: number }]>(
      `UPDATE usage SET spent_micro_usd = spent_micro_usd + :delta WHERE user_id = :user AND period = :period
       AND spent_micro_usd + :delta >= 0 AND NOT EXISTS (SELECT 1 FROM settled_jobs WHERE job_id = :job)`,
    );
    // One transaction: the job is marked settled exactly when its month is adjusted.
    this.settleOnce = db.transaction((key: Key & { job: string; delta: number }) => {
      if (adjust.run(key).changes === 1) mark.run({ job: key.job });
    });
    const markUnsaved = db.prepare<[{ job: string; user: string; period: string; cost: number; pid: number }]>(
      'INSERT INTO unsaved_units (job_id, user_id, period, cost_micro_usd, owner_pid) VALUES (:job, :user, :period, :cost, :pid)',
    );
    const unmark = db.prepare<[string]>('DELETE FROM unsaved_units WHERE job_id = ?');
    this.countFor = db.transaction((key: Key & { limit: number; cost: number; cap: number }, jobId: string) => {
      if (this.increment.run(key).changes !== 1) return false;
      markUnsaved.run({ job: jobId, user: key.user, period: key.period, cost: key.cost, pid: process.pid });
      return true;
    });
    this.refundFor = db.transaction((key: Key & { cost: number }, jobId: string | undefined) => {
      this.decrement.run(key);
      if (jobId !== undefined) unmark.run(jobId);
    });
    type Unsaved = { job: string; user: string; period: string; cost: number; pid: number; saved: number };
    const unsaved = db.prepare<[], Unsaved>(
      `SELECT u.job_id AS job, u.user_id AS user, u.period, u.cost_micro_usd AS cost, u.owner_pid AS pid,
              EXISTS (SELECT 1 FROM jobs WHERE jobs.job_id = u.job_id) AS saved
       FROM unsaved_units u`,
    );
    this.recover = db.transaction((alive: (pid: number) => boolean) => {
      let givenBack = 0;
      for (const row of unsaved.all()) {
        // Another server on this file, alive, may be between its two writes right now: its row is its own.
        if (!row.saved && row.pid !== process.pid && alive(row.pid)) continue;
        if (!row.saved) {
          this.decrement.run({ user: row.user, period: row.period, cost: row.cost });
          givenBack++;
        }
        unmark.run(row.job);
      }
      return givenBack;
    });
  }

  /**
   * At start: gives back each unit counted for a job that was never saved by a process no longer running
   * (killed between the two writes). Returns how many were given back. `alive` is for tests.
   */
  recoverUnsavedUnits(alive: (pid: number) => boolean = processAlive): number {
    return this.recover(alive);
  }

  async consume(userId: string, period: string, limit: number, spend?: SpendCharge, jobId?: string): Promise<ConsumeResult> {
    // With a limit of 0, the first insert would otherwise count one; a cost over the cap alone, likewise.
    if (limit <= 0) return false;
    const cost = spend?.costMicroUsd ?? 0;
    const cap = spend?.limitMicroUsd ?? NO_CAP;
    if (cost > cap) return (this.read.get({ user: userId, period })?.used ?? 0) >= limit ? false : 'spend';
    const key = { user: userId, period, limit, cost, cap };
    if (jobId === undefined ? this.increment.run(key).changes === 1 : this.countFor(key, jobId)) return true;
    // Refused: say which limit (the statement is synchronous, so this reads the row it just saw).
    return (this.read.get({ user: userId, period })?.used ?? 0) >= limit ? false : 'spend';
  }

  async refund(userId: string, period: string, costMicroUsd = 0, jobId?: string): Promise<void> {
    this.refundFor({ user: userId, period, cost: costMicroUsd }, jobId);
  }

  async settle(userId: string, period: string, jobId: string, reservedMicroUsd: number, actualMicroUsd: number): Promise<void> {
    this.settleOnce({ user: userId, period, job: jobId, delta: actualMicroUsd - reservedMicroUsd });
  }

  async used(userId: string, period: string): Promise<number> {
    return this.read.get({ user: userId, period })?.used ?? 0;
  }

  async spentMicroUsd(userId: string, period: string): Promise<number> {
    return this.read.get({ user: userId, period })?.spent ?? 0;
  }
}

/** Whether a process with this id runs (EPERM: it does, as another user). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM';
  }
}
