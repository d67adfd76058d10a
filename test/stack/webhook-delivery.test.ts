// Webhooks through the stack as deployed: the API task's dispatcher (its role's sqs:SendMessage) hands
// due deliveries to the template's queue, the template's event source mapping runs the delivery function
// (its own bundle, environment, role) in the Lambda pool, and a real HTTPS receiver (a self-signed
// certificate the stack is told to trust) verifies every message with standardwebhooks. The receiver is
// down for the first attempt: the delivery is retried on the schedule (5 s) and each webhook-id is
// delivered once, in order.
import t from 'tap';
import { stackMissing, startJourney } from '../helpers/stack-journey.ts';
import { until } from '../helpers/until.ts';
import { startReceiver } from '../helpers/webhook-receiver.ts';

// A process of its own: the root's plan skips the whole file when no stack can run here.
if (stackMissing) t.plan(0, stackMissing);
else {
  const receiver = await startReceiver(t);
  const journey = await startJourney(t, { webhookReceiverCa: receiver.ca });
  const { stack } = journey;

  t.test('a job completes: its endpoint gets job.created (after one refused attempt), job.processing and job.completed, through the queue and the delivery function', async (t) => {
    const hook = await journey.api('/webhooks', { body: { url: receiver.url, description: 'stack:local' } });
    t.equal(hook.status, 201, JSON.stringify(hook.body));
    receiver.secrets.endpoint = String(hook.body.secret);
    receiver.status = 503;
    const job = await journey.createJob();
    await until('the first attempt, refused', () => receiver.requests.length >= 1, 60_000);
    receiver.status = 200;
    const done = await journey.waitFor(job.jobId);
    t.equal(done.status, 'completed');
    await until('job.completed delivered', () => receiver.requests.some((r) => r.payload.type === 'job.completed'), 60_000);

    t.same(receiver.requests.map((r) => r.payload.type), ['job.created', 'job.created', 'job.processing', 'job.completed'], 'the refused one retried, then the rest in order');
    t.equal(receiver.requests[0]?.id, receiver.requests[1]?.id, 'the retry is the same message (webhook-id)');
    t.same(receiver.requests.map((r) => r.verified), [['endpoint'], ['endpoint'], ['endpoint'], ['endpoint']], 'each verified by standardwebhooks');
    t.equal(receiver.unique().length, 3, 'three messages, each delivered once');
    t.match(receiver.requests.at(-1)?.payload.data, { job: { jobId: job.jobId, status: 'completed' } });
    t.match(String(receiver.requests.at(-1)?.payload.data.videoUrl), /\/videos\//, 'a signed video URL, signed by the delivery function');

    const log = await journey.api(`/webhooks/${String(hook.body.id)}/deliveries`);
    const rows = log.body.deliveries as { type: string; outcome: string; attempts: number }[];
    t.same(rows.map((d) => `${d.type} ${d.outcome} ${d.attempts}`).sort(), ['job.completed delivered 1', 'job.created delivered 2', 'job.processing delivered 1']);

    const fn = stack.functions.find((f) => f.file.endsWith('deliver-webhooks.mjs'));
    t.ok(fn && (stack.pool.invocations.get(fn.id) ?? 0) >= 4, 'the delivery function ran in its own process, once per ticket at least');
    const decisions = stack.proxies.sqs.decisions;
    const taskRole = stack.iam.byAccessKey(String(stack.apiEnv.AWS_ACCESS_KEY_ID))?.id;
    const fnRole = stack.iam.byAccessKey(String(fn?.env.AWS_ACCESS_KEY_ID))?.id;
    t.same([...new Set(decisions.filter((d) => d.action === 'sqs:SendMessage').map((d) => d.role))], [taskRole], "the dispatcher sent to the queue with the task's role");
    t.same([...new Set(decisions.filter((d) => d.action !== 'sqs:SendMessage').map((d) => `${d.role} ${d.action}`))].sort(), [`${fnRole} sqs:DeleteMessage`, `${fnRole} sqs:ReceiveMessage`], "the event source mapping polled and deleted with the function's role");
    t.same(decisions.filter((d) => !d.allowed), [], 'nothing denied');
    t.equal(stack.sqs?.queues.size, 2, 'the queue and its dead-letter queue');
  });
}
