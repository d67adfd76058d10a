import t from 'tap';
import { DynamoDbUsageLedger } from '../../src/adapters/aws/dynamodb-usage-ledger.js';
import { InMemoryUsageLedger } from '../../src/adapters/local/in-memory-usage-ledger.js';
import { SqliteUsageLedger } from '../../src/adapters/sqlite/sqlite-usage-ledger.js';
import { startDynalite } from '../helpers/dynalite.js';
import { openTestDatabase } from '../helpers/sqlite.js';
import { usageLedgerContract } from './usage-ledger.contract.js';

t.test('InMemoryUsageLedger', async (t) => {
  usageLedgerContract(t, async () => new InMemoryUsageLedger());
});

t.test('DynamoDbUsageLedger', async (t) => {
  const dynamo = await startDynalite(t);
  usageLedgerContract(t, async () => new DynamoDbUsageLedger(dynamo.clients.dynamo, await dynamo.usageTable()));
});

t.test('SqliteUsageLedger', async (t) => {
  usageLedgerContract(t, async () => new SqliteUsageLedger(openTestDatabase(t)));
});
