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
 */
export class SqliteUsageLedger implements UsageLedger {
  private readonly increment: BetterSqlite3.Statement<[Key & { limit: number; cost: number; cap: number }]>;
  private readonly decrement: BetterSqlite3.Statement<[Key & { cost: number }]>;
  private readonly read: BetterSqlite3.Statement<[Key], Row>;
  private readonly settleOnce: (key: Key & { job: string; delta: number }) => void;

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
  }

  async consume(userId: string, period: string, limit: number, spend?: SpendCharge): Promise<ConsumeResult> {
    // With a limit of 0, the first insert would otherwise count one; a cost over the cap alone, likewise.
    if (limit <= 0) return false;
    const cost = spend?.costMicroUsd ?? 0;
    const cap = spend?.limitMicroUsd ?? NO_CAP;
    if (cost > cap) return (this.read.get({ user: userId, period })?.used ?? 0) >= limit ? false : 'spend';
    if (this.increment.run({ user: userId, period, limit, cost, cap }).changes === 1) return true;
    // Refused: say which limit (the statement is synchronous, so this reads the row it just saw).
    return (this.read.get({ user: userId, period })?.used ?? 0) >= limit ? false : 'spend';
  }

  async refund(userId: string, period: string, costMicroUsd = 0): Promise<void> {
    this.decrement.run({ user: userId, period, cost: costMicroUsd });
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
