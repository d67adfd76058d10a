import t from 'tap';
import { DynamoDbWebhookDeliveries } from '../../src/adapters/aws/dynamodb-webhook-deliveries.js';
import { InMemoryWebhookDeliveries } from '../../src/adapters/local/in-memory-webhook-deliveries.js';
import { SqliteWebhookDeliveries } from '../../src/adapters/sqlite/sqlite-webhook-deliveries.js';
import { startDynalite } from '../helpers/dynalite.js';
import { openTestDatabase } from '../helpers/sqlite.js';
import { webhookDeliveriesContract } from './webhook-deliveries.contract.js';

t.test('InMemoryWebhookDeliveries', async (t) => webhookDeliveriesContract(t, async () => new InMemoryWebhookDeliveries()));

t.test('SqliteWebhookDeliveries', async (t) => webhookDeliveriesContract(t, async () => new SqliteWebhookDeliveries(openTestDatabase(t))));

t.test('DynamoDbWebhookDeliveries', async (t) => {
  const dynamo = await startDynalite(t);
  webhookDeliveriesContract(t, async () => new DynamoDbWebhookDeliveries(dynamo.clients.dynamo, await dynamo.usageTable()));
});
