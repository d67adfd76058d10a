// Webhooks in aws mode: the real server process (`node dist/main.js`, APP_MODE=aws) against the stand-ins
// (dynalite, s3rver, the fake Step Functions running the real state machine with the project's Lambda
// handlers). The workflow's Lambdas write job events into the jobs table's outbox with each change; the
// API's delivery loop fans them out from there and queues them on the SQS stand-in, and the delivery
// Lambda's handler (run on the queue by the stand-ins) sends them to a real HTTPS receiver that verifies
// every message with standardwebhooks; the handler trusts the receiver's certificate.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { cognitoToken, startAwsStandIns } from '../helpers/aws-stand-ins.ts';
import { startServerProcess } from '../helpers/server-process.ts';
import { until } from '../helpers/until.ts';
import { startReceiver } from '../helpers/webhook-receiver.ts';

/** The stand-ins, an HTTPS receiver, and the aws-mode server's environment that trusts the receiver. */
async function webhookSetUp(t: Test) {
  const receiver = await startReceiver(t);
  const stands = await startAwsStandIns({ workflow: { waitMs: 150 }, webhookCa: receiver.ca });
  t.teardown(() => stands.stop());
  const caFile = join(t.testdir(), 'receiver-ca.pem');
  writeFileSync(caFile, receiver.ca);
  const env = { ...stands.env, APP_SECRET: randomBytes(32).toString('base64url'), WEBHOOK_ALLOW_LOOPBACK: 'true', NODE_EXTRA_CA_CERTS: caFile, RATE_LIMIT_PER_MIN: '100000' };
  return { stands, receiver, env };
}

function caller(base: string, token: string) {
  return async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}/api/v1${path}`, {
      method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
}

t.test('a job completes through the state machine: its endpoint and its one-off webhook get job.created, job.processing and job.completed, signed', async (t) => {
  const { stands, receiver, env } = await webhookSetUp(t);
  const server = await startServerProcess(env);
  t.teardown(() => server.kill());
  const call = caller(server.base, await cognitoToken(stands, 'alice'));

  const hook = await call('POST', '/webhooks', { url: `${receiver.url}endpoint`, description: 'aws mode' });
  t.equal(hook.status, 201, JSON.stringify(hook.body));
  receiver.secrets.endpoint = hook.body.secret as string;
  const defaultSecret = await call('GET', '/webhooks/secret');
  receiver.secrets.default = defaultSecret.body.secret as string;
  const job = await call('POST', '/jobs', { prompt: 'A neon city at night, synthwave', category: 'music-video', webhook: { url: `${receiver.url}one-off`, events: ['job.completed'] } });
  t.equal(job.status, 202, JSON.stringify(job.body));
  const jobId = job.body.jobId as string;

  const ofJob = () => receiver.unique().filter((r) => (r.payload.data.job as { jobId?: string } | undefined)?.jobId === jobId);
  await until('job.completed at both targets', () => ofJob().filter((r) => r.payload.type === 'job.completed').length === 2);
  const toEndpoint = ofJob().filter((r) => r.verified.includes('endpoint'));
  t.same(toEndpoint.map((r) => r.payload.type), ['job.created', 'job.processing', 'job.completed'], 'in order, each verified with the endpoint secret');
  const oneOff = ofJob().filter((r) => r.verified.includes('default'));
  t.same(oneOff.map((r) => r.payload.type), ['job.completed'], "the one-off webhook, signed with the user's default secret");
  const completed = oneOff[0]!.payload.data;
  t.match(completed, { job: { jobId, status: 'completed', progress: 100 } });
  t.ok(String(completed.videoUrl).startsWith(`${stands.env.AWS_ENDPOINT_URL_S3}/${stands.env.ASSETS_BUCKET}/videos/${jobId}.mp4?`), 'a presigned S3 URL of the video');
  t.equal(receiver.requests.filter((r) => r.verified.length === 0).length, 0, 'every request verified');

  await until('the deliveries logged as delivered', async () => {
    const log = await call('GET', `/webhooks/${hook.body.id as string}/deliveries`);
    return (log.body.deliveries as { outcome: string }[]).filter((d) => d.outcome === 'delivered').length === 3;
  });
  const byJob = await call('GET', `/jobs/${jobId}/deliveries`);
  t.equal((byJob.body.deliveries as unknown[]).length, 4, "the job's deliveries to both targets");
  t.ok(stands.sqs.calls.some((c) => c.operation === 'SendMessageBatch'), 'the API process queued them');
  t.ok(stands.deliveryLambda.records >= 4, 'the delivery Lambda sent them, one ticket each');
});

t.test('the API killed (-9) while the workflow finishes the job: the events its Lambdas recorded are delivered by the next API process', async (t) => {
  const { stands, receiver, env } = await webhookSetUp(t);
  const first = await startServerProcess(env);
  t.teardown(() => first.kill());
  const token = await cognitoToken(stands, 'bob');
  let call = caller(first.base, token);
  const hook = await call('POST', '/webhooks', { url: receiver.url, events: ['job.processing', 'job.completed'] });
  receiver.secrets.current = hook.body.secret as string;
  receiver.status = 503;
  const job = await call('POST', '/jobs', { prompt: 'A neon city at night, synthwave', category: 'music-video' });
  const jobId = job.body.jobId as string;
  first.kill();
  await first.exited;
  // With no API running, the state machine's Lambdas take the job to the end, each change with its event.
  await until('the execution to succeed', () => stands.sfn.execution(jobId).status === 'SUCCEEDED');
  const before = receiver.requests.length;
  receiver.status = 200;

  const second = await startServerProcess(env);
  t.teardown(() => second.kill());
  call = caller(second.base, token);
  await until('job.completed delivered', () => receiver.unique().some((r) => r.payload.type === 'job.completed'));
  const mine = receiver.requests.slice(before).filter((r) => r.verified.length > 0);
  t.same([...new Set(mine.map((r) => r.payload.type))], ['job.processing', 'job.completed'], 'in order, verified');
  t.match(mine.at(-1), { payload: { data: { job: { jobId, status: 'completed' } } } });
  const log = await call('GET', `/webhooks/${hook.body.id as string}/deliveries`);
  t.same((log.body.deliveries as { type: string; outcome: string }[]).map((d) => `${d.type}:${d.outcome}`).sort(), ['job.completed:delivered', 'job.processing:delivered']);
});
