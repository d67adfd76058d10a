import t from 'tap';
import { DynamoDbIdempotencyStore } from '../../src/adapters/aws/dynamodb-idempotency-store.ts';
import { InMemoryIdempotencyStore } from '../../src/adapters/local/in-memory-idempotency-store.ts';
import { SqliteIdempotencyStore } from '../../src/adapters/sqlite/sqlite-idempotency-store.ts';
import { startDynalite } from '../helpers/dynalite.ts';
import { openTestDatabase } from '../helpers/sqlite.ts';
import { idempotencyStoreContract } from './idempotency-store.contract.ts';

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
