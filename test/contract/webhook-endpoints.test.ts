import t from 'tap';
import { DynamoDbWebhookEndpoints } from '../../src/adapters/aws/dynamodb-webhook-endpoints.js';
import { InMemoryWebhookEndpoints } from '../../src/adapters/local/in-memory-webhook-endpoints.js';
import { SqliteWebhookEndpoints } from '../../src/adapters/sqlite/sqlite-webhook-endpoints.js';
import { startDynalite } from '../helpers/dynalite.js';
import { openTestDatabase } from '../helpers/sqlite.js';
import { webhookEndpointsContract } from './webhook-endpoints.contract.js';

t.test('InMemoryWebhookEndpoints', async (t) => webhookEndpointsContract(t, async () => new InMemoryWebhookEndpoints()));

t.test('SqliteWebhookEndpoints', async (t) => webhookEndpointsContract(t, async () => new SqliteWebhookEndpoints(openTestDatabase(t))));

t.test('DynamoDbWebhookEndpoints', async (t) => {
  const dynamo = await startDynalite(t);
  webhookEndpointsContract(t, async () => new DynamoDbWebhookEndpoints(dynamo.clients.dynamo, await dynamo.usageTable()));
});
