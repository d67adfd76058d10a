import type BetterSqlite3 from 'better-sqlite3';
import type { WebhookEndpoints } from '../../application/ports/webhook-endpoints.ts';
import type { JobWebhook, WebhookEndpoint } from '../../domain/webhook.ts';
import type { SqliteDatabase } from './sqlite-database.ts';

/** Webhook endpoints in local mode's SQLite file, each stored as its JSON (they are read whole, by id or by user). */
export class SqliteWebhookEndpoints implements WebhookEndpoints {
  private readonly insertIfRoom: (endpoint: WebhookEndpoint, max: number) => boolean;
  private readonly selectOne: BetterSqlite3.Statement<[string, string], { endpoint: string }>;
  private readonly selectMine: BetterSqlite3.Statement<[string], { endpoint: string }>;
  private readonly replace: BetterSqlite3.Statement<[string, string, string]>;
  private readonly remove: BetterSqlite3.Statement<[string, string]>;
  private readonly secret: (userId: string, candidate: string) => string;
  private readonly putHook: BetterSqlite3.Statement<[string, string, string]>;
  private readonly getHook: BetterSqlite3.Statement<[string], { hook: string }>;

  constructor(db: SqliteDatabase) {
    const count = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM webhook_endpoints WHERE user_id = ?');
    const insert = db.prepare<[string, string, string, string]>('INSERT INTO webhook_endpoints (id, user_id, endpoint, created_at) VALUES (?, ?, ?, ?)');
    // Counted and inserted in one IMMEDIATE transaction: two processes on one file cannot both pass the limit.
    const txn = db.transaction((endpoint: WebhookEndpoint, max: number) => {
      if ((count.get(endpoint.userId)?.n ?? 0) >= max) return false;
      insert.run(endpoint.id, endpoint.userId, JSON.stringify(endpoint), endpoint.createdAt);
      return true;
    });
    this.insertIfRoom = (endpoint, max) => txn.immediate(endpoint, max);
    this.selectOne = db.prepare('SELECT endpoint FROM webhook_endpoints WHERE user_id = ? AND id = ?');
    this.selectMine = db.prepare('SELECT endpoint FROM webhook_endpoints WHERE user_id = ? ORDER BY created_at, id');
    this.replace = db.prepare('UPDATE webhook_endpoints SET endpoint = ? WHERE user_id = ? AND id = ?');
    this.remove = db.prepare('DELETE FROM webhook_endpoints WHERE user_id = ? AND id = ?');
    const insertSecret = db.prepare<[string, string]>('INSERT INTO webhook_secrets (user_id, secret) VALUES (?, ?) ON CONFLICT (user_id) DO NOTHING');
    const selectSecret = db.prepare<[string], { secret: string }>('SELECT secret FROM webhook_secrets WHERE user_id = ?');
    this.secret = (userId, candidate) => {
      insertSecret.run(userId, candidate);
      return (selectSecret.get(userId) as { secret: string }).secret;
    };
    this.putHook = db.prepare('INSERT OR REPLACE INTO job_webhooks (job_id, user_id, hook) VALUES (?, ?, ?)');
    this.getHook = db.prepare('SELECT hook FROM job_webhooks WHERE job_id = ?');
  }

  async create(endpoint: WebhookEndpoint, max: number): Promise<boolean> {
    return this.insertIfRoom(endpoint, max);
  }

  async get(userId: string, id: string): Promise<WebhookEndpoint | undefined> {
    const row = this.selectOne.get(userId, id);
    return row ? (JSON.parse(row.endpoint) as WebhookEndpoint) : undefined;
  }

  async list(userId: string): Promise<WebhookEndpoint[]> {
    return this.selectMine.all(userId).map((row) => JSON.parse(row.endpoint) as WebhookEndpoint);
  }

  async update(endpoint: WebhookEndpoint): Promise<boolean> {
    return this.replace.run(JSON.stringify(endpoint), endpoint.userId, endpoint.id).changes > 0;
  }

  async delete(userId: string, id: string): Promise<boolean> {
    return this.remove.run(userId, id).changes > 0;
  }

  async defaultSecret(userId: string, candidate: string): Promise<string> {
    return this.secret(userId, candidate);
  }

  async saveJobWebhook(hook: JobWebhook): Promise<void> {
    this.putHook.run(hook.jobId, hook.userId, JSON.stringify(hook));
  }

  async jobWebhook(jobId: string): Promise<JobWebhook | undefined> {
    const row = this.getHook.get(jobId);
    return row ? (JSON.parse(row.hook) as JobWebhook) : undefined;
  }
}
