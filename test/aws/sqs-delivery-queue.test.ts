// The delivery queue's SQS adapter against the SQS stand-in (test/fakes/fake-sqs.ts, the JSON protocol
// the SDK speaks): tickets go ten to a SendMessageBatch, every batch is tried, and what was not queued
// is reported by delivery id (its claim runs out and it is handed out again).
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import t from 'tap';
import { createSqsClient } from '../../src/adapters/aws/aws-clients.ts';
import { DeliveriesNotQueued, SqsDeliveryQueue } from '../../src/adapters/aws/sqs-delivery-queue.ts';
import { ticketOf } from '../../src/adapters/lambda/deliver-webhooks.ts';
import { FakeSqs } from '../fakes/fake-sqs.ts';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const tickets = (n: number, prefix = 'msg_') => Array.from({ length: n }, (_, i) => ({ deliveryId: `${prefix}${i}`, claimedUntil: '2026-12-05T10:00:00.000Z' }));

t.test('tickets go ten to a batch, each message body a ticket the delivery Lambda reads back', async (t) => {
  const sqs = await FakeSqs.start(t, [{ name: 'webhooks' }]);
  const client = createSqsClient({ region: 'us-east-1', credentials, endpoints: { sqs: sqs.endpoint } });
  t.teardown(() => client.destroy());
  const queue = sqs.queue('webhooks');
  await new SqsDeliveryQueue(client, queue.url).enqueue(tickets(23));
  t.same(sqs.calls.filter((c) => c.operation === 'SendMessageBatch').map((c) => (c.body.Entries as unknown[]).length), [10, 10, 3]);
  const received = [];
  for (let i = 0; i < 3; i++) received.push(...((await client.send(new ReceiveMessageCommand({ QueueUrl: queue.url, MaxNumberOfMessages: 10 }))).Messages ?? []));
  t.same(received.map((m) => ticketOf(String(m.Body))), tickets(23), 'in order, every one; the SDK checked each MD5');
  await new SqsDeliveryQueue(client, queue.url).enqueue([]);
  t.equal(sqs.calls.filter((c) => c.operation === 'SendMessageBatch').length, 3, 'nothing to queue: no request');
});

t.test('a batch refused whole, or entries refused in a batch: every batch is tried, the ids not queued reported once', async (t) => {
  const sqs = await FakeSqs.start(t, [{ name: 'webhooks' }]);
  const client = createSqsClient({ region: 'us-east-1', credentials, endpoints: { sqs: sqs.endpoint }, maxAttempts: 1 });
  t.teardown(() => client.destroy());
  const missing = new SqsDeliveryQueue(client, 'https://sqs.us-east-1.amazonaws.com/123456789012/no-such-queue');
  const err = await missing.enqueue(tickets(12)).catch((e: unknown) => e);
  t.ok(err instanceof DeliveriesNotQueued);
  t.same((err as DeliveriesNotQueued).deliveryIds, tickets(12).map((x) => x.deliveryId));
  t.match((err as Error).message, /12 webhook deliveries not queued \(QueueDoesNotExist/);
  // A character SQS refuses in a body (U+FFFE) fails its entry only.
  const queue = new SqsDeliveryQueue(client, sqs.queue('webhooks').url);
  const partly = await queue.enqueue([...tickets(2), { deliveryId: 'msg_\uFFFE', claimedUntil: 'x' }, ...tickets(9, 'late_')]).catch((e: unknown) => e);
  t.same((partly as DeliveriesNotQueued).deliveryIds, ['msg_\uFFFE']);
  t.match((partly as Error).message, /InvalidMessageContents/);
  t.equal(sqs.queue('webhooks').messages.length, 11, 'the others were queued, the batch after it too');
});

t.test('ticketOf reads only a ticket', async (t) => {
  t.same(ticketOf('{"deliveryId":"msg_1","claimedUntil":"2026-12-05T10:00:00.000Z","extra":1}'), { deliveryId: 'msg_1', claimedUntil: '2026-12-05T10:00:00.000Z' });
  for (const body of ['not json', 'null', '{}', '{"deliveryId":"msg_1"}', '{"deliveryId":"","claimedUntil":"x"}', '{"deliveryId":"msg_1","claimedUntil":""}', '[]']) t.equal(ticketOf(body), undefined, body);
});
