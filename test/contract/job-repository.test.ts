import t from 'tap';
import { DynamoDbJobRepository } from '../../src/adapters/aws/dynamodb-job-repository.js';
import { InMemoryJobRepository } from '../../src/adapters/local/in-memory-job-repository.js';
import { SqliteJobRepository } from '../../src/adapters/sqlite/sqlite-job-repository.js';
import { startDynalite } from '../helpers/dynalite.js';
import { openTestDatabase } from '../helpers/sqlite.js';
import { jobRepositoryContract } from './job-repository.contract.js';

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
