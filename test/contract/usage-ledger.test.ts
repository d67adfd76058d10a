import t from 'tap';
import { DynamoDbUsageLedger } from '../../src/adapters/aws/dynamodb-usage-ledger.ts';
import { InMemoryUsageLedger } from '../../src/adapters/local/in-memory-usage-ledger.ts';
import { SqliteUsageLedger } from '../../src/adapters/sqlite/sqlite-usage-ledger.ts';
import { startDynalite } from '../helpers/dynalite.ts';
import { openTestDatabase } from '../helpers/sqlite.ts';
import { usageLedgerContract } from './usage-ledger.contract.ts';

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
