import type BetterSqlite3 from 'better-sqlite3';
import type { IdempotencyRecord, IdempotencyStore } from '../../application/ports/idempotency-store.ts';
import type { SqliteDatabase } from './sqlite-database.ts';

const SWEEP_EVERY = 1024;

interface Row {
  userId: string;
  key: string;
  fingerprint: string;
  jobId: string;
  expiresAt: string;
}

/**
 * Idempotency claims in local mode's SQLite file. A claim is one upsert that replaces only an expired
 * claim (`expiresAt`, ISO, compares as a string); the holder is read in the same transaction, so a lost
 * claim always names the live record that won. Expired claims are deleted now and then.
 */
export class SqliteIdempotencyStore implements IdempotencyStore {
  private readonly claim: BetterSqlite3.Statement<[Row & { now: string }]>;
  private readonly holder: BetterSqlite3.Statement<[{ userId: string; key: string }], Row>;
  private readonly drop: BetterSqlite3.Statement<[{ userId: string; key: string; jobId: string }]>;
  private readonly sweep: BetterSqlite3.Statement<[string]>;
  private readonly reserveOnce: (record: IdempotencyRecord, now: string) => IdempotencyRecord | undefined;
  private writes = 0;

  constructor(db: SqliteDatabase) {
    this.claim = db.prepare(
      `INSERT INTO idempotency_keys (user_id, key, fingerprint, job_id, expires_at) VALUES (:userId, :key, :fingerprint, :jobId, :expiresAt)
       ON CONFLICT (user_id, key) DO UPDATE SET fingerprint = excluded.fingerprint, job_id = excluded.job_id, expires_at = excluded.expires_at
       WHERE idempotency_keys.expires_at <= :now`,
    );
    this.holder = db.prepare(
      'SELECT user_id AS userId, key, fingerprint, job_id AS jobId, expires_at AS expiresAt FROM idempotency_keys WHERE user_id = :userId AND key = :key',
    );
    this.drop = db.prepare('DELETE FROM idempotency_keys WHERE user_id = :userId AND key = :key AND job_id = :jobId');
    this.sweep = db.prepare('DELETE FROM idempotency_keys WHERE expires_at <= ?');
    const reserve = db.transaction((record: IdempotencyRecord, now: string): IdempotencyRecord | undefined => {
      if (this.claim.run({ ...pick(record), now }).changes === 1) return undefined;
      return this.holder.get({ userId: record.userId, key: record.key });
    });
    // IMMEDIATE: another process on the same file cannot slip a write between the claim and the read.
    this.reserveOnce = (record, now) => reserve.immediate(record, now);
  }

  async reserve(record: IdempotencyRecord, now: Date): Promise<IdempotencyRecord | undefined> {
    const held = this.reserveOnce(record, now.toISOString());
    if (!held && ++this.writes % SWEEP_EVERY === 0) this.sweep.run(now.toISOString());
    return held;
  }

  async release(userId: string, key: string, jobId: string): Promise<void> {
    this.drop.run({ userId, key, jobId });
  }
}

function pick(record: IdempotencyRecord): Row {
  return { userId: record.userId, key: record.key, fingerprint: record.fingerprint, jobId: record.jobId, expiresAt: record.expiresAt };
}
