// A user's cancel while the provider generates, and the API task replaced mid-job, through the stack.
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import t from 'tap';
import { bar } from '../fakes/fake-replicate.ts';
import { stackMissing, startJourney } from '../helpers/stack-journey.ts';

// A process of its own: the root's plan skips the whole file when no stack can run here.
if (stackMissing) t.plan(0, stackMissing);
else {
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
    // Stopped by StopExecution (ABORTED), or, when its poll read the canceled record first, ended by the state
    // machine's own "ended while running" state (SUCCEEDED): which comes first is the scheduler's choice. The
    // script never lets the prediction succeed, so SUCCEEDED here is that state, not a finished video.
    t.match(stack.sfn.execution(created.jobId).status, /^(ABORTED|SUCCEEDED)$/, 'the execution ended');
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

  t.test('a list cursor from one API task is honoured by the next (APP_SECRET comes from the stack, not the task)', async (t) => {
    // Cursors are signed with APP_SECRET: a task that made its own would refuse its predecessor's.
    const page = await journey.api('/jobs?limit=1');
    t.equal(page.status, 200);
    const cursor = page.body.nextCursor;
    t.type(cursor, 'string', 'the earlier journeys left more than one job');
    await stack.api.restart();
    const next = await journey.api(`/jobs?limit=1&cursor=${encodeURIComponent(String(cursor))}`);
    t.equal(next.status, 200, JSON.stringify(next.body));
  });

  t.test('cancel before the provider answered the create → canceled, the late prediction canceled, nothing in the bucket', async (t) => {
    replicate.script = [{ status: 'processing', logs: bar(30) }];
    const create = replicate.hold({ method: 'POST', pathPart: '/predictions' });
    const created = await journey.createJob('A harbour at dawn, cancelled before the provider answered');
    await create.reached;
    const canceled = await journey.api(`/jobs/${created.jobId}/cancel`, { method: 'POST' });
    t.equal(canceled.body.status, 'canceled');
    create.release();
    await until('the execution ends', () => stack.sfn.execution(created.jobId).status !== 'RUNNING');
    // StartGeneration runs on after StopExecution (Lambda is not stopped with it): wait for it to finish.
    await until('no function is busy', () => stack.pool.busy() === 0);
    const prediction = [...replicate.predictions.values()].find((p) => p.input.prompt === created.prompt);
    t.equal(prediction?.status, 'canceled', 'the prediction created after the cancel was canceled');
    t.equal((await journey.waitFor(created.jobId)).status, 'canceled');
    t.same(await objectsOf(created.jobId), []);
  });

  t.test('cancel while the video is being stored → canceled, nothing left in the bucket, the job never overwritten', async (t) => {
    replicate.script = [{ status: 'succeeded', logs: bar(100), output: 'VIDEO_AND_THUMBNAIL' }];
    const download = replicate.hold({ method: 'GET', pathPart: '/files/' });
    const created = await journey.createJob('A desert road at noon, cancelled while storing');
    await download.reached;
    const canceled = await journey.api(`/jobs/${created.jobId}/cancel`, { method: 'POST' });
    t.equal(canceled.body.status, 'canceled');
    download.release();
    await until('the execution ends', () => stack.sfn.execution(created.jobId).status !== 'RUNNING');
    // StoreVideo may still be running after StopExecution (Lambda is not stopped with it): wait for it to finish.
    await until('no function is busy', () => stack.pool.busy() === 0);
    t.equal((await journey.waitFor(created.jobId)).status, 'canceled');
    t.same(await objectsOf(created.jobId), [], 'nothing of the job is in the bucket');
  });
}
