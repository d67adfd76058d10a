import t from 'tap';
import { DynamoDbJobRepository } from '../../src/adapters/aws/dynamodb-job-repository.ts';
import { InMemoryJobRepository } from '../../src/adapters/local/in-memory-job-repository.ts';
import { SqliteJobRepository } from '../../src/adapters/sqlite/sqlite-job-repository.ts';
import { startDynalite } from '../helpers/dynalite.ts';
import { openTestDatabase } from '../helpers/sqlite.ts';
import { jobRepositoryContract } from './job-repository.contract.ts';

t.test('InMemoryJobRepository', async (t) => {
  jobRepositoryContract(t, async () => new InMemoryJobRepository());
});

t.test('DynamoDbJobRepository', async (t) => {
  const dynamo = await startDynalite(t);
  // Small Query rounds, so a filtered page has to be assembled from several of them.
  jobRepositoryContract(t, async () => new DynamoDbJobRepository(dynamo.clients.dynamo, await dynamo.jobTable(), { filteredBatchSize: 2 }));
});

t.test('SqliteJobRepository', async (t) => {
  jobRepositoryContract(t, async () => new SqliteJobRepository(openTestDatabase(t)));
});
