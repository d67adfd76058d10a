import t from 'tap';
import { DynamoDbIdempotencyStore } from '../../src/adapters/aws/dynamodb-idempotency-store.js';
import { InMemoryIdempotencyStore } from '../../src/adapters/local/in-memory-idempotency-store.js';
import { SqliteIdempotencyStore } from '../../src/adapters/sqlite/sqlite-idempotency-store.js';
import { startDynalite } from '../helpers/dynalite.js';
import { openTestDatabase } from '../helpers/sqlite.js';
import { idempotencyStoreContract } from './idempotency-store.contract.js';

t.test('InMemoryIdempotencyStore', async (t) => {
  idempotencyStoreContract(t, async () => new InMemoryIdempotencyStore());
});

t.test('DynamoDbIdempotencyStore', async (t) => {
  const dynamo = await startDynalite(t);
  // The same table as usage counters: claims and counters must not collide.
  idempotencyStoreContract(t, async () => new DynamoDbIdempotencyStore(dynamo.clients.dynamo, await dynamo.usageTable()));
});

t.test('SqliteIdempotencyStore', async (t) => {
  idempotencyStoreContract(t, async () => new SqliteIdempotencyStore(openTestDatabase(t)));
});
