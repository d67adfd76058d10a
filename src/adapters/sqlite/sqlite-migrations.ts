// The schema, as ordered migrations: MIGRATIONS[i] takes a database from version i to i + 1
// (`PRAGMA user_version`). Append only: a released migration never changes, a new one is added.
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE jobs (
    job_id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    prompt TEXT NOT NULL,
    category TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'processing', 'completed', 'failed', 'canceled')),
    progress INTEGER NOT NULL,
    stage TEXT,
    failure_code TEXT,
    failure_message TEXT,
    video_key TEXT,
    execution_arn TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    synced_at TEXT,
    version INTEGER NOT NULL
  );
  -- A page of a user's jobs is a keyset range on this index: its cost does not grow with their job count.
  CREATE INDEX jobs_by_user ON jobs (user_id, created_at, job_id);
  -- The same for a page filtered by status.
  CREATE INDEX jobs_by_user_status ON jobs (user_id, status, created_at, job_id);
  -- Unfinished jobs, resumed at start; finished ones are not in this index at all.
  CREATE INDEX jobs_unfinished ON jobs (status) WHERE status IN ('pending', 'processing');

  CREATE TABLE usage (
    user_id TEXT NOT NULL,
    period TEXT NOT NULL,
    used INTEGER NOT NULL CHECK (used >= 0),
    PRIMARY KEY (user_id, period)
  ) WITHOUT ROWID;

  CREATE TABLE idempotency_keys (
    user_id TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    job_id TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    PRIMARY KEY (user_id, key)
  ) WITHOUT ROWID;
  CREATE INDEX idempotency_keys_by_expiry ON idempotency_keys (expires_at);
  `,  // 2: the video workflow's own attributes: the provider's generation (canceled with the job) and the thumbnail.
  `
  ALTER TABLE jobs ADD COLUMN generation_id TEXT;
  ALTER TABLE jobs ADD COLUMN thumbnail_key TEXT;
  `,
  // 3: the job events outbox: each event is written in the same transaction as the change of the job that
  // made it (application/mutate-job.ts); webhook delivery reads it in order and marks what it handed on.
  `
  CREATE TABLE job_events (
    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    job_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    job TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    dispatched INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX job_events_undispatched ON job_events (sequence) WHERE dispatched = 0;
  `,
  // 4: the finished video's facts (issue 20), one JSON object read from the file by the workflow.
  `
  ALTER TABLE jobs ADD COLUMN video TEXT;
  `,
  // 5: what the job asked of the video model and what it cost (options, model, provider, settings,
  // estimatedCostUsd, costUsd), as one JSON document: read and written whole with the job.
  `
  ALTER TABLE jobs ADD COLUMN generation TEXT;
  `,
  // 6: webhooks (docs/webhooks.md): users' endpoints, their default secret, jobs' one-off webhooks, and
  // the delivery log that the delivery loop works from (pending rows survive a restart or a kill -9).
  `
  CREATE TABLE webhook_endpoints (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE INDEX webhook_endpoints_by_user ON webhook_endpoints (user_id, created_at);
  CREATE TABLE webhook_secrets (
    user_id TEXT PRIMARY KEY,
    secret TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE job_webhooks (
    job_id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    hook TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    target TEXT NOT NULL,
    job_id TEXT,
    sequence INTEGER NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('pending', 'delivered', 'failed')),
    next_attempt_at TEXT,
    created_at TEXT NOT NULL,
    delivery TEXT NOT NULL
  ) WITHOUT ROWID;
  -- The delivery loop's queue: only pending rows are in it.
  CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (target, job_id, sequence) WHERE outcome = 'pending';
  CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE outcome = 'pending';
  CREATE INDEX webhook_deliveries_by_target ON webhook_deliveries (user_id, target, created_at, id);
  CREATE INDEX webhook_deliveries_by_job ON webhook_deliveries (user_id, job_id, created_at);
  `,
  // 7: the month's spend beside its job count (micro-USD, an integer: sums stay exact), for the spend limit.
  `
  ALTER TABLE usage ADD COLUMN spent_micro_usd INTEGER NOT NULL DEFAULT 0 CHECK (spent_micro_usd >= 0);
  `,
  // 8: the jobs whose spend was settled to their actual cost, so a settlement is applied once.
  `
  CREATE TABLE settled_jobs (
    job_id TEXT PRIMARY KEY
  ) WITHOUT ROWID;
  `,
  // 9: quota units counted for a job not saved yet (written with the unit, deleted with the job's insert or
  // the unit's refund): a process that dies between the two writes leaves its row, and the next start
  // gives the unit back. owner_pid: a row of another live server on the same file is not touched.
  `
  CREATE TABLE unsaved_units (
    job_id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    period TEXT NOT NULL,
    cost_micro_usd INTEGER NOT NULL,
    owner_pid INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
];
