// The delivery function's composition: built from its own variables (its SDK clients from the SDK's chain
// when none are given), and its exported handler refusing what is not an SQS event before building
// anything. Its behaviour on real tickets is test/webhooks/queued-delivery.test.ts's and the aws-mode tests'.
import t from 'tap';
import { buildDeliverWebhooks, handler } from '../../src/composition/lambda/deliver-webhooks.ts';

t.test('built from its own variables; a bad environment names what is missing', async (t) => {
  const lines: string[] = [];
  const built = buildDeliverWebhooks({ AWS_REGION: 'us-east-1', USAGE_TABLE: 'usage', ASSETS_BUCKET: 'assets', LOG_LEVEL: 'silent' }, { metricsWrite: (line) => lines.push(line) });
  t.type(built.send.deliver, 'function');
  built.flushMetrics();
  t.same(lines, [], 'no attempt, no metric line');
  t.throws(() => buildDeliverWebhooks({ AWS_REGION: 'us-east-1' }), /USAGE_TABLE: required by the deliver-webhooks function/);
});

t.test('the exported handler refuses an event that is not from SQS', async (t) => {
  await t.rejects(handler({ jobId: 'x' }), { name: 'InvalidEvent' });
});
