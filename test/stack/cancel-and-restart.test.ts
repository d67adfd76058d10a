// A user's cancel while the provider generates, and the API task replaced mid-job, through the stack.
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import t from 'tap';
import { bar } from '../fakes/fake-replicate.js';
import { startJourney } from './stack-journey.js';

const journey = await startJourney(t);
const { stack } = journey;
const replicate = stack.replicate;
if (!replicate) throw new Error('the journeys run with the provider stand-in');
const bucket = String(stack.apiEnv.ASSETS_BUCKET);

async function objectsOf(jobId: string): Promise<string[]> {
  const out = await stack.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `videos/${jobId}` }));
  return (out.Contents ?? []).map((o) => o.Key as string);
}

async function until(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  // Bounded by tap's per-test timeout; each look is cheap.
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 50));
  void what;
}

t.test('cancel while generating → canceled, the prediction canceled, nothing in the bucket, the job never overwritten', async (t) => {
  replicate.script = [{ status: 'processing', logs: bar(30) }];
  const created = await journey.createJob();
  await journey.waitFor(created.jobId, (job) => job.status === 'processing');
  const prediction = () => [...replicate.predictions.values()].find((p) => p.input.prompt === created.prompt);
  await until('the prediction exists', () => prediction() !== undefined);
  const canceled = await journey.api(`/jobs/${created.jobId}/cancel`, { method: 'POST' });
  t.equal(canceled.status, 202);
  t.equal(canceled.body.status, 'canceled');
  await until('the execution stops', () => stack.sfn.execution(created.jobId).status !== 'RUNNING');
  t.equal(stack.sfn.execution(created.jobId).status, 'ABORTED', 'the execution was stopped');
  t.equal(prediction()?.status, 'canceled', 'the prediction was canceled');
  t.ok(replicate.cancels(prediction()?.id as string) >= 1);
  const job = await journey.waitFor(created.jobId);
  t.equal(job.status, 'canceled', 'the job is still canceled');
  t.same(await objectsOf(created.jobId), [], 'nothing of the job is in the bucket');
});

t.test('the API task restarted mid-job → the job still ends, completed', async (t) => {
  replicate.script = [...Array.from({ length: 60 }, () => ({ status: 'processing' as const, logs: bar(50) })), { status: 'succeeded', logs: bar(100), output: 'VIDEO_AND_THUMBNAIL' }];
  const created = await journey.createJob();
  const running = await journey.waitFor(created.jobId, (job) => job.status === 'processing');
  t.equal(running.status, 'processing', 'the job was mid-way when the task stopped');
  await stack.api.restart();
  const job = await journey.waitFor(created.jobId);
  t.equal(job.status, 'completed', JSON.stringify(job.failure ?? {}));
  t.same((await objectsOf(created.jobId)).length > 0, true, 'its video is in the bucket');
});
