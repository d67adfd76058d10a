// aws mode's delivery path, in one process: the dispatcher (DeliverWebhooks with a queue) hands due
// deliveries to the SQS stand-in through the real SQS adapter; an event source mapping runs the delivery
// Lambda's handler on them, which sends to a real HTTPS receiver verifying every message with
// standardwebhooks. The memory adapters and a fake clock stand for DynamoDB and time (the DynamoDB
// adapters pass the same contract, test/contract/webhook-deliveries.test.ts).
import t, { type Test } from 'tap';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createSqsClient } from '../../src/adapters/aws/aws-clients.ts';
import { SqsDeliveryQueue } from '../../src/adapters/aws/sqs-delivery-queue.ts';
import { createHandler, type BatchResponse } from '../../src/adapters/lambda/deliver-webhooks.ts';
import { silentLogger } from '../../src/application/ports/logger.ts';
import { FakeSqs } from '../fakes/fake-sqs.ts';
import { startSqsEventSource, type SqsEvent } from '../fakes/sqs-event-source.ts';
import { until } from '../helpers/until.ts';
import { webhookHarness } from '../helpers/webhook-harness.ts';
import { startReceiver } from '../helpers/webhook-receiver.ts';

const QUEUE = 'webhooks';
const DLQ = 'webhooks-dlq';

async function setUp(t: Test, options: { visibilityTimeoutSeconds?: number } = {}) {
  const receiver = await startReceiver(t);
  const sqs = await FakeSqs.start(t, [{ name: DLQ }, { name: QUEUE, visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 30, redrive: { deadLetterQueue: DLQ, maxReceiveCount: 5 } }]);
  const client = createSqsClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, endpoints: { sqs: sqs.endpoint } });
  t.teardown(() => client.destroy());
  const queue = sqs.queue(QUEUE);
  const h = webhookHarness({ ca: receiver.ca, queue: new SqsDeliveryQueue(client, queue.url) });
  let flushes = 0;
  const handler = createHandler(() => ({ send: h.deliver.send, logger: silentLogger, flushMetrics: () => void flushes++ }));
  const replies: BatchResponse[] = [];
  // The pollers' own client: no 3 s request timeout, since a receive waits up to 20 s.
  const poller = new SQSClient({ region: 'us-east-1', endpoint: sqs.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, useQueueUrlAsEndpoint: false });
  t.teardown(() => poller.destroy());
  const errors: unknown[] = [];
  const lambda = startSqsEventSource({
    sqs: poller, onError: (err) => errors.push(err), queueUrl: queue.url, queueArn: queue.arn, region: 'us-east-1', batchSize: 10, reportBatchItemFailures: true,
    invoke: async (event) => {
      const reply = await handler(event);
      replies.push(reply);
      return reply;
    },
  });
  t.teardown(() => lambda.stop());
  const hook = await h.manage.create('alice', { url: receiver.url });
  receiver.secrets.endpoint = hook.secret;
  /** Dispatches until `check` holds (the Lambda sends meanwhile). */
  const dispatchUntil = (what: string, check: () => boolean) => until(what, async () => {
    await h.deliver.tick();
    return check();
  });
  return { receiver, sqs, client, queue, h, hook, lambda, replies, flushes: () => flushes, dispatchUntil, pollerErrors: () => errors.map(String) };
}

t.test("a job's events go through the queue to the delivery Lambda and out: in order, each once, verified", async (t) => {
  const { receiver, h, hook, lambda, sqs, replies, flushes, dispatchUntil, pollerErrors } = await setUp(t);
  const job = await h.runJob('alice');
  await dispatchUntil('three deliveries', () => receiver.unique().length === 3);
  t.same(receiver.requests.map((r) => r.payload.type), ['job.created', 'job.processing', 'job.completed'], 'in order: each queued only once the one before it ended');
  t.same(receiver.requests.map((r) => r.verified), [['endpoint'], ['endpoint'], ['endpoint']]);
  t.match(receiver.requests[2]?.payload.data, { job: { jobId: job.jobId, status: 'completed' } });
  t.equal(lambda.records, 3, 'one ticket each');
  t.ok(sqs.calls.filter((c) => c.operation === 'SendMessageBatch').length >= 3, 'sent by the dispatcher');
  t.same(replies.flatMap((r) => r.batchItemFailures), [], 'no message kept');
  t.equal(flushes(), lambda.invocations, 'metrics written at the end of every invocation');
  const log = await h.log.list('alice', hook.id, 10);
  t.same(log.deliveries.map((d) => `${d.type} ${d.outcome} ${d.attempts}`).sort(), ['job.completed delivered 1', 'job.created delivered 1', 'job.processing delivered 1']);
  await until('the queue drained', () => sqs.queue(QUEUE).messages.length === 0);
  t.same(pollerErrors(), [], 'the pollers met no error (a receive waits up to 20 s)');
});

t.test('the receiver down first: the attempt is recorded with its next time, queued again when due, delivered once', async (t) => {
  const { receiver, h, hook, dispatchUntil } = await setUp(t);
  receiver.status = 503;
  const test = await h.log.sendTest('alice', hook.id);
  await dispatchUntil('the first attempt', () => receiver.requests.length === 1);
  await until('its outcome recorded', async () => (await h.deliveries.get('alice', test.id))?.attempts === 1);
  const failed = await h.deliveries.get('alice', test.id);
  t.match(failed, { outcome: 'pending', lastStatusCode: 503, nextAttemptAt: new Date(h.clock.now().getTime() + 5_000).toISOString() }, 'retried in 5 s (jitter fixed at the middle)');
  await h.deliver.tick();
  t.equal(receiver.requests.length, 1, 'not before it is due');
  receiver.status = 200;
  h.clock.advance(5_000);
  await dispatchUntil('the retry', () => receiver.requests.length === 2);
  t.same(receiver.requests.map((r) => [r.id, r.verified]), [[test.id, ['endpoint']], [test.id, ['endpoint']]], 'the same webhook-id both times');
  await until('delivered', async () => (await h.deliveries.get('alice', test.id))?.outcome === 'delivered');
  t.equal(receiver.unique().length, 1, 'delivered once per webhook-id');
});

t.test('a duplicated or stale ticket is never a second attempt; a Lambda that died holding a claim leaves it to be sent after its lease', async (t) => {
  const { receiver, h, hook, client, queue } = await setUp(t);
  const test = await h.log.sendTest('alice', hook.id);
  const at = h.clock.now();
  const [claimed] = await h.deliveries.claimDue(at.toISOString(), new Date(at.getTime() + 60_000).toISOString(), 1);
  const ticket = { deliveryId: String(claimed?.id), claimedUntil: new Date(at.getTime() + 60_000).toISOString() };
  // SQS may hand a message out twice: the same ticket twice.
  const sqsQueue = new SqsDeliveryQueue(client, queue.url);
  await sqsQueue.enqueue([ticket, ticket]);
  await until('both tickets handled', () => queue.messages.length === 0);
  t.equal(receiver.requests.length, 1, 'one request for the two copies');
  t.equal((await h.deliveries.get('alice', test.id))?.outcome, 'delivered');

  // A second delivery: the Lambda took its claim (as takeClaim does) and died before sending.
  const again = await h.log.sendTest('alice', hook.id);
  const now = h.clock.now();
  const [second] = await h.deliveries.claimDue(now.toISOString(), new Date(now.getTime() + 60_000).toISOString(), 1);
  t.equal(second?.id, again.id);
  await h.deliveries.takeClaim(again.id, new Date(now.getTime() + 60_000).toISOString(), new Date(now.getTime() + 300_000).toISOString());
  await sqsQueue.enqueue([{ deliveryId: again.id, claimedUntil: new Date(now.getTime() + 60_000).toISOString() }]);
  await until('the redelivered ticket handled', () => queue.messages.length === 0);
  t.equal(receiver.requests.length, 1, 'its message, received again, is stale: nothing sent twice');
  await h.deliver.tick();
  t.equal(queue.messages.length, 0, 'not handed out again before the lease ends');
  h.clock.advance(300_000);
  await h.deliver.tick();
  await until('sent after the lease', () => receiver.unique().some((r) => r.id === again.id));
  t.equal(receiver.requests.filter((r) => r.id === again.id).length, 1);
});

t.test('a message the Lambda cannot use is received maxReceiveCount times, then moves to the dead-letter queue; its batch mates are done', async (t) => {
  const { h, hook, sqs, client, queue, replies } = await setUp(t, { visibilityTimeoutSeconds: 0 });
  await h.log.sendTest('alice', hook.id);
  const { SendMessageCommand } = await import('@aws-sdk/client-sqs');
  await client.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'not a ticket' }));
  await h.deliver.tick();
  await until('the bad message in the dead-letter queue', () => sqs.queue(DLQ).messages.length === 1 && queue.messages.length === 0);
  t.equal(sqs.queue(DLQ).messages[0]?.body, 'not a ticket');
  t.equal(sqs.queue(DLQ).messages[0]?.receiveCount, 5, 'received maxReceiveCount times');
  t.equal(replies.flatMap((r) => r.batchItemFailures).length, 5, 'reported failed each time, alone');
});

t.test('1,000 jobs completing at once: 1,000 job.completed deliveries through the queue, none lost, none sent twice', async (t) => {
  const { receiver, h, hook, lambda, dispatchUntil, pollerErrors } = await setUp(t);
  await h.manage.update('alice', hook.id, { events: ['job.completed'] });
  const jobs = [];
  for (let i = 0; i < 1000; i++) jobs.push(await h.runJob('alice'));
  const started = Date.now();
  await dispatchUntil('1,000 deliveries', () => receiver.unique().length === 1000);
  t.comment(`1,000 deliveries through the SQS stand-in and the delivery handler in ${Date.now() - started} ms, ${lambda.invocations} invocations`);
  t.equal(receiver.requests.length, 1000, 'each sent once');
  t.same(new Set(receiver.requests.map((r) => (r.payload.data.job as { jobId: string }).jobId)), new Set(jobs.map((j) => j.jobId)));
  t.ok(receiver.requests.every((r) => r.verified.includes('endpoint')));
  t.same(pollerErrors(), []);
});

t.test('the handler: a non-SQS event is refused; a ticket whose attempt could not be recorded is kept for another receive', async (t) => {
  const kept: string[] = [];
  const handler = createHandler(() => ({
    send: { deliver: async (ticket) => (ticket.deliveryId === 'boom' ? Promise.reject(new Error('DynamoDB down')) : 'stale') },
    logger: { ...silentLogger, error: (fields: unknown) => void kept.push(JSON.stringify(fields)) },
    flushMetrics: () => undefined,
  }));
  await t.rejects(handler({ jobId: 'x' }), { name: 'InvalidEvent' });
  await t.rejects(handler({ Records: [{ messageId: 1 }] }), { name: 'InvalidEvent' });
  const record = (messageId: string, deliveryId: string) => ({ messageId, body: JSON.stringify({ deliveryId, claimedUntil: 'x' }) });
  const event = { Records: [record('m1', 'ok'), record('m2', 'boom')] } as unknown as SqsEvent;
  t.same(await handler(event), { batchItemFailures: [{ itemIdentifier: 'm2' }] });
  t.match(kept[0], /"deliveryId":"boom"/);
});
