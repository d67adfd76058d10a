// Part of the API's composition root (api.ts): picks local mode's store, SQLite under LOCAL_DATA_DIR or
// memory, with the secret and dev signing key that go with it. The SQLite adapters and the native driver
// are imported only here, only for LOCAL_STORE=sqlite: aws mode and the memory store never load them.
import { randomBytes, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { IdempotencyStore } from '../application/ports/idempotency-store.ts';
import type { JobChanges, JobEventOutbox } from '../application/ports/job-changes.ts';
import type { JobRepository } from '../application/ports/job-repository.ts';
import type { UnfinishedJobs } from '../application/ports/unfinished-jobs.ts';
import type { UsageLedger } from '../application/ports/usage-ledger.ts';
import type { WebhookDeliveries } from '../application/ports/webhook-deliveries.ts';
import type { WebhookEndpoints } from '../application/ports/webhook-endpoints.ts';
import type { AppConfig } from '../config.ts';

/** Where local mode keeps jobs, usage and idempotency keys: SQLite under LOCAL_DATA_DIR, or memory. */
export interface LocalStore {
  /** Jobs, the outbox of their events, and the process's one feed of their changes. */
  jobs: JobRepository & JobChanges & JobEventOutbox;
  /** Present when jobs outlive the process: the ones left unfinished are resumed at start. */
  unfinished?: UnfinishedJobs;
  usage: UsageLedger;
  idempotency: IdempotencyStore;
  webhookEndpoints: WebhookEndpoints;
  webhookDeliveries: WebhookDeliveries;
  secret: string;
  /** The dev identity provider's persisted key (or the promise of it, while a first one is made). */
  signingKey?: KeyObject | Promise<KeyObject>;
  close(): void;
}

export async function openLocalStore(config: AppConfig, logger: FastifyBaseLogger): Promise<LocalStore> {
  const local = config.local as NonNullable<AppConfig['local']>;
  const randomSecret = () => config.secret ?? randomBytes(32).toString('base64url');
  // The process's one feed of job changes: the repository pushes each committed write to it.
  const { JobWatchers } = await import('../adapters/local/job-watchers.ts');
  const watchers = new JobWatchers();
  if (local.store === 'memory') {
    const [{ InMemoryJobRepository }, { InMemoryUsageLedger }, { InMemoryIdempotencyStore }, { InMemoryWebhookEndpoints }, { InMemoryWebhookDeliveries }] = await Promise.all([
      import('../adapters/local/in-memory-job-repository.ts'),
      import('../adapters/local/in-memory-usage-ledger.ts'),
      import('../adapters/local/in-memory-idempotency-store.ts'),
      import('../adapters/local/in-memory-webhook-endpoints.ts'),
      import('../adapters/local/in-memory-webhook-deliveries.ts'),
    ]);
    return {
      jobs: new InMemoryJobRepository(watchers), usage: new InMemoryUsageLedger(), idempotency: new InMemoryIdempotencyStore(),
      webhookEndpoints: new InMemoryWebhookEndpoints(), webhookDeliveries: new InMemoryWebhookDeliveries(), secret: randomSecret(), close: () => {},
    };
  }
  const [sqlite, { SqliteJobRepository }, { SqliteUsageLedger }, { SqliteIdempotencyStore }, { SqliteWebhookEndpoints }, { SqliteWebhookDeliveries }, dataDir] = await Promise.all([
    import('../adapters/sqlite/sqlite-database.ts'),
    import('../adapters/sqlite/sqlite-job-repository.ts'),
    import('../adapters/sqlite/sqlite-usage-ledger.ts'),
    import('../adapters/sqlite/sqlite-idempotency-store.ts'),
    import('../adapters/sqlite/sqlite-webhook-endpoints.ts'),
    import('../adapters/sqlite/sqlite-webhook-deliveries.ts'),
    import('../adapters/local/local-data-dir.ts'),
  ]);
  const driver = await sqlite.loadDriver();
  await dataDir.prepareDataDir(local.dataDir);
  const file = join(local.dataDir, 'omnigen.db');
  await dataDir.createOwnerOnly(file);
  const db = sqlite.openDatabase(driver, file);
  const secret = config.secret ?? (await dataDir.readOrCreateSecret(local.dataDir));
  // Reading a stored key is cheap; making the first one is not, and must not hold up listening.
  const signingKey = (await dataDir.loadSigningKey(local.dataDir)) ?? dataDir.createSigningKey(local.dataDir).catch((err: unknown) => {
    logger.error({ err }, 'the dev identity provider could not make its signing key; tokens cannot be issued');
    throw err;
  });
  logger.info({ dataDir: local.dataDir, schemaVersion: sqlite.schemaVersion(db) }, `local data kept in ${local.dataDir}`);
  const jobs = new SqliteJobRepository(db, watchers);
  const usage = new SqliteUsageLedger(db);
  const givenBack = usage.recoverUnsavedUnits();
  if (givenBack > 0) logger.info({ givenBack }, `${givenBack} quota unit(s) counted for jobs the last stop never saved were given back`);
  return {
    jobs, unfinished: jobs, usage, idempotency: new SqliteIdempotencyStore(db),
    webhookEndpoints: new SqliteWebhookEndpoints(db), webhookDeliveries: new SqliteWebhookDeliveries(db), secret, signingKey, close: () => db.close(),
  };
}
