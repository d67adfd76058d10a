import type BetterSqlite3 from 'better-sqlite3';
import type { DeliveryPosition, WebhookDeliveries } from '../../application/ports/webhook-deliveries.ts';
import type { WebhookDelivery } from '../../domain/webhook-delivery.ts';
import type { SqliteDatabase } from './sqlite-database.ts';

interface Row {
  id: string;
  user_id: string;
  target: string;
  job_id: string | null;
  sequence: number;
  outcome: string;
  next_attempt_at: string | null;
  created_at: string;
  delivery: string;
}

function toRow(d: WebhookDelivery): Row {
  return {
    id: d.id, user_id: d.userId, target: d.target, job_id: d.jobId ?? null, sequence: d.sequence, outcome: d.outcome,
    next_attempt_at: d.outcome === 'pending' ? (d.nextAttemptAt ?? null) : null, created_at: d.createdAt, delivery: JSON.stringify(d),
  };
}

const toDelivery = (row: { delivery: string }): WebhookDelivery => JSON.parse(row.delivery) as WebhookDelivery;

/**
 * The delivery log in local mode's SQLite file: the queue the delivery loop claims from (pending rows
 * only, by the partial indexes) and the history GET …/deliveries pages through.
 */
export class SqliteWebhookDeliveries implements WebhookDeliveries {
  private readonly insert: BetterSqlite3.Statement<[Row]>;
  private readonly claim: (now: string, leaseUntil: string, limit: number) => WebhookDelivery[];
  private readonly take: BetterSqlite3.Statement<[string, string, string], { delivery: string }>;
  private readonly upsert: BetterSqlite3.Statement<[Row]>;
  private readonly selectOne: BetterSqlite3.Statement<[string, string], Row>;
  private readonly firstPage: BetterSqlite3.Statement<[string, string, number], Row>;
  private readonly nextPage: BetterSqlite3.Statement<[string, string, string, string, number], Row>;
  private readonly byJob: BetterSqlite3.Statement<[string, string, number], Row>;

  constructor(db: SqliteDatabase) {
    const COLUMNS = 'id, user_id, target, job_id, sequence, outcome, next_attempt_at, created_at, delivery';
    const VALUES = COLUMNS.replace(/(\w+)/g, '@$1');
    this.insert = db.prepare(`INSERT INTO webhook_deliveries (${COLUMNS}) VALUES (${VALUES}) ON CONFLICT (id) DO NOTHING`);
    this.upsert = db.prepare(`INSERT OR REPLACE INTO webhook_deliveries (${COLUMNS}) VALUES (${VALUES})`);
    // Due rows that are the first pending one of their (target, job): a job's events reach a target in order.
    const due = db.prepare<[string, number], Row>(`
      SELECT ${COLUMNS} FROM webhook_deliveries AS d
      WHERE outcome = 'pending' AND next_attempt_at <= ?
        AND (job_id IS NULL OR NOT EXISTS (
          SELECT 1 FROM webhook_deliveries AS e
          WHERE e.outcome = 'pending' AND e.target = d.target AND e.job_id = d.job_id AND e.sequence < d.sequence))
      ORDER BY next_attempt_at LIMIT ?`);
    const lease = db.prepare<[string, string]>('UPDATE webhook_deliveries SET next_attempt_at = ? WHERE id = ?');
    const claim = db.transaction((now: string, leaseUntil: string, limit: number) => {
      const rows = due.all(now, limit);
      for (const row of rows) lease.run(leaseUntil, row.id);
      return rows.map(toDelivery);
    });
    this.claim = (now, leaseUntil, limit) => claim.immediate(now, leaseUntil, limit);
    this.take = db.prepare("UPDATE webhook_deliveries SET next_attempt_at = ? WHERE id = ? AND outcome = 'pending' AND next_attempt_at = ? RETURNING delivery");
    this.selectOne = db.prepare(`SELECT ${COLUMNS} FROM webhook_deliveries WHERE user_id = ? AND id = ?`);
    const NEWEST = 'ORDER BY created_at DESC, id DESC LIMIT ?';
    this.firstPage = db.prepare(`SELECT ${COLUMNS} FROM webhook_deliveries WHERE user_id = ? AND target = ? ${NEWEST}`);
    this.nextPage = db.prepare(`SELECT ${COLUMNS} FROM webhook_deliveries WHERE user_id = ? AND target = ? AND (created_at, id) < (?, ?) ${NEWEST}`);
    this.byJob = db.prepare(`SELECT ${COLUMNS} FROM webhook_deliveries WHERE user_id = ? AND job_id = ? ${NEWEST}`);
  }

  async add(deliveries: readonly WebhookDelivery[]): Promise<void> {
    for (const d of deliveries) this.insert.run(toRow(d));
  }

  async claimDue(now: string, leaseUntil: string, limit: number): Promise<WebhookDelivery[]> {
    return this.claim(now, leaseUntil, limit);
  }

  async takeClaim(id: string, claimedUntil: string, leaseUntil: string): Promise<WebhookDelivery | undefined> {
    const row = this.take.get(leaseUntil, id, claimedUntil);
    return row ? toDelivery(row) : undefined;
  }

  async save(delivery: WebhookDelivery): Promise<void> {
    this.upsert.run(toRow(delivery));
  }

  async get(userId: string, id: string): Promise<WebhookDelivery | undefined> {
    const row = this.selectOne.get(userId, id);
    return row ? toDelivery(row) : undefined;
  }

  async listByTarget(userId: string, target: string, limit: number, after?: DeliveryPosition): Promise<WebhookDelivery[]> {
    const rows = after ? this.nextPage.all(userId, target, after.createdAt, after.id, limit) : this.firstPage.all(userId, target, limit);
    return rows.map(toDelivery);
  }

  async listByJob(userId: string, jobId: string, limit: number): Promise<WebhookDelivery[]> {
    return this.byJob.all(userId, jobId, limit).map(toDelivery);
  }
}
