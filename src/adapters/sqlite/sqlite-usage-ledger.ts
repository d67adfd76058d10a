import type BetterSqlite3 from 'better-sqlite3';
import type { UsageLedger } from '../../application/ports/usage-ledger.js';
import type { SqliteDatabase } from './sqlite-database.js';

type Key = { user: string; period: string };

/**
 * Monthly job counts in local mode's SQLite file. consume is one conditional upsert, so no two
 * requests, and no two processes on one file, can push a count past the limit; refund never goes below zero.
 */
export class SqliteUsageLedger implements UsageLedger {
  private readonly increment: BetterSqlite3.Statement<[Key & { limit: number }]>;
  private readonly decrement: BetterSqlite3.Statement<[Key]>;
  private readonly read: BetterSqlite3.Statement<[Key], number>;

  constructor(db: SqliteDatabase) {
    this.increment = db.prepare(
      `INSERT INTO usage (user_id, period, used) VALUES (:user, :period, 1)
       ON CONFLICT (user_id, period) DO UPDATE SET used = used + 1 WHERE used < :limit`,
    );
    this.decrement = db.prepare('UPDATE usage SET used = used - 1 WHERE user_id = :user AND period = :period AND used > 0');
    this.read = db.prepare<[Key], number>('SELECT used FROM usage WHERE user_id = :user AND period = :period').pluck();
  }

  async consume(userId: string, period: string, limit: number): Promise<boolean> {
    // With a limit of 0, the first insert would otherwise count one.
    if (limit <= 0) return false;
    return this.increment.run({ user: userId, period, limit }).changes === 1;
  }

  async refund(userId: string, period: string): Promise<void> {
    this.decrement.run({ user: userId, period });
  }

  async used(userId: string, period: string): Promise<number> {
    return this.read.get({ user: userId, period }) ?? 0;
  }
}
