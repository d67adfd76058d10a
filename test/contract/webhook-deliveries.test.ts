import t from 'tap';
import { DynamoDbWebhookDeliveries } from '../../src/adapters/aws/dynamodb-webhook-deliveries.ts';
import { InMemoryWebhookDeliveries } from '../../src/adapters/local/in-memory-webhook-deliveries.ts';
import { SqliteWebhookDeliveries } from '../../src/adapters/sqlite/sqlite-webhook-deliveries.ts';
import { startDynalite } from '../helpers/dynalite.ts';
import { openTestDatabase } from '../helpers/sqlite.ts';
import { webhookDeliveriesContract } from './webhook-deliveries.contract.ts';

t.test('InMemoryWebhookDeliveries', async (t) => webhookDeliveriesContract(t, async () => new InMemoryWebhookDeliveries()));

t.test('SqliteWebhookDeliveries', async (t) => webhookDeliveriesContract(t, async () => new SqliteWebhookDeliveries(openTestDatabase(t))));

t.test('DynamoDbWebhookDeliveries', async (t) => {
  const dynamo = await startDynalite(t);
  webhookDeliveriesContract(t, async () => new DynamoDbWebhookDeliveries(dynamo.clients.dynamo, await dynamo.usageTable()));

  t.test('errors other than a failed condition surface', async (t) => {
    const missing = new DynamoDbWebhookDeliveries(dynamo.clients.dynamo, 'no-such-table');
    const d = { id: 'd1', userId: 'alice', target: 'e1', url: 'https://a.example.com/', eventId: 'j.1', type: 'job.created' as const, sequence: 1, occurredAt: 'x', attempts: 0, outcome: 'pending' as const, createdAt: 'x' };
    await t.rejects(missing.add([d]), { name: 'ResourceNotFoundException' });
    await t.rejects(missing.claimDue('z', 'z', 1), { name: 'ResourceNotFoundException' });
  });
});
