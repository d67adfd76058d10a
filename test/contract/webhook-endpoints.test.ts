import t from 'tap';
import { DynamoDbWebhookEndpoints } from '../../src/adapters/aws/dynamodb-webhook-endpoints.ts';
import { InMemoryWebhookEndpoints } from '../../src/adapters/local/in-memory-webhook-endpoints.ts';
import { SqliteWebhookEndpoints } from '../../src/adapters/sqlite/sqlite-webhook-endpoints.ts';
import { startDynalite } from '../helpers/dynalite.ts';
import { openTestDatabase } from '../helpers/sqlite.ts';
import { webhookEndpointsContract } from './webhook-endpoints.contract.ts';

t.test('InMemoryWebhookEndpoints', async (t) => webhookEndpointsContract(t, async () => new InMemoryWebhookEndpoints()));

t.test('SqliteWebhookEndpoints', async (t) => webhookEndpointsContract(t, async () => new SqliteWebhookEndpoints(openTestDatabase(t))));

t.test('DynamoDbWebhookEndpoints', async (t) => {
  const dynamo = await startDynalite(t);
  webhookEndpointsContract(t, async () => new DynamoDbWebhookEndpoints(dynamo.clients.dynamo, await dynamo.usageTable()));
});
