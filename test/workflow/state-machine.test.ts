import { readFile } from 'node:fs/promises';
import t from 'tap';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createRequire } from 'node:module';
import { CancelJob } from '../../src/application/cancel-job.ts';
import { GetJob } from '../../src/application/get-job.ts';
import { silentLogger } from '../../src/application/ports/logger.ts';
import type { VideoWorkflow } from '../../src/application/ports/video-workflow.ts';
import { createReplicateClient } from '../../src/adapters/replicate/replicate-client.ts';
import { ReplicateVideoModel } from '../../src/adapters/replicate/replicate-video-model.ts';
import { stateOf } from '../../src/adapters/aws/step-functions-workflow.ts';
import { systemClock } from '../../src/adapters/system-clock.ts';
import { ffmpegPath } from '../../src/adapters/ffmpeg/ffmpeg-path.ts';
import { imageInfo } from '../../src/domain/image-info.ts';
import type { Job } from '../../src/domain/job.ts';
import { bar } from '../fakes/fake-replicate.ts';
import { definition, lambdas, runWorkflow } from '../helpers/state-machine.ts';
import { BUCKET, workflowFixture } from './fixtures/workflow-fixture.ts';

// The real definition, executed by aws-local-stepfunctions with each Lambda Task bound to the project's
// handler, against dynalite, s3rver and the fake Replicate over HTTP.

// asl-validator ships no types: (definition) → { isValid, errors }.
const validator = createRequire(import.meta.url)('asl-validator') as (definition: unknown) => { isValid: boolean; errors: unknown[] };

const f = await workflowFixture(t);

const bytes = async (key: string) => Buffer.from(await (await f.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToByteArray());
const missing = (key: string) => f.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })).then(() => false, () => true);

/** Every state of the job right after each poll. */
function watchPolls(): Job[] {
  const seen: Job[] = [];
  const poll = f.steps.pollGeneration;
  const original = poll.execute.bind(poll);
  poll.execute = async (input) => {
    try {
      return await original(input);
    } finally {
      const job = await f.jobs.get(input.jobId);
      if (job) seen.push(job);
    }
  };
  t.teardown(() => void (poll.execute = original));
  return seen;
}

t.test('the definition is valid ASL, and every Lambda task is in the manifest and the other way round', async (t) => {
  const result = validator(definition());
  t.ok(result.isValid, JSON.stringify(result.errors));
  const states = (definition() as { States: Record<string, { Type: string; Parameters?: { FunctionName?: string }; Catch?: { Next: string }[] }> }).States;
  const tasks = Object.entries(states).filter(([, s]) => s.Type === 'Task');
  t.same(tasks.map(([name]) => name).sort(), lambdas.map((l) => l.id).sort());
  for (const [name, state] of tasks) {
    t.match(state.Parameters?.FunctionName, new RegExp(`omnigen-${name}$`), `${name} is bound through its substitution`);
    if (name !== 'FailJob') t.ok(state.Catch?.some((c) => c.Next === 'FailJob'), `${name}: failures end in FailJob`);
  }
  t.notOk(validator({ StartAt: 'Nowhere', States: {} }).isValid, 'the validator does refuse a broken definition');
});

t.test('success: rising progress, the MP4 and its thumbnail in the bucket, the job completed', async (t) => {
  const seen = watchPolls();
  f.replicate.script = [{ status: 'starting' }, { status: 'processing', logs: bar(20) }, { status: 'processing', logs: `${bar(20)}\n${bar(60)}` }, { status: 'succeeded', logs: bar(100), output: 'VIDEO_AND_THUMBNAIL' }];
  const job = await f.create();
  const outcome = await runWorkflow(f.input(job), f.steps).outcome;
  t.same(outcome, { status: 'SUCCEEDED', output: { videoKey: `videos/${job.jobId}.mp4` } }, 'the output StepFunctionsWorkflow.describe reads');

  const done = (await f.jobs.get(job.jobId)) as Job;
  t.match(done, { status: 'completed', progress: 100, stage: 'done', videoKey: `videos/${job.jobId}.mp4`, thumbnailKey: `videos/${job.jobId}.jpg` });
  t.match(done.generationId, /^replicate:pred\d+$/);
  t.match(seen[0], { status: 'processing', stage: 'scripting' }, 'while the model boots');
  // The poll that finds the prediction done writes nothing: the store step shows "uploading" next.
  t.same(seen.slice(1).map((j) => [j.progress, j.stage]), [[20, 'rendering'], [60, 'rendering'], [60, 'rendering']], 'progress rises with what the logs say');
  t.ok((await bytes(`videos/${job.jobId}.mp4`)).equals(await readFile('assets/sample.mp4')), 'the MP4 the model made');
  t.ok((await bytes(`videos/${job.jobId}.jpg`)).equals(await readFile('assets/sample.jpg')), 'its thumbnail');

  const create = f.replicate.calls.find((c) => c.method === 'POST' && c.path.endsWith('/predictions'));
  t.equal(create?.path, '/v1/models/kwaivgi/kling-v2.5-turbo-pro/predictions', 'the default model, by name');
  t.same(create?.body, { input: { prompt: job.prompt, aspect_ratio: '16:9', duration: 10 } });
});

t.test('a start image: the provider receives exactly the inputs the catalogue maps, the image as a signed URL that returns the uploaded bytes', async (t) => {
  const image = await readFile('test/media/fixtures/image.jpg');
  const uploadId = '11111111-2222-4333-8444-555555555555';
  for (const [model, expected] of [
    ['kwaivgi/kling-v2.5-turbo-pro', (url: string) => ({ prompt: 'A lighthouse at dawn', aspect_ratio: '16:9', duration: 10, start_image: url })],
    ['minimax/hailuo-02', (url: string) => ({ prompt: 'A lighthouse at dawn', duration: 10, resolution: '768p', first_frame_image: url })],
  ] as const) {
    f.replicate.script = [{ status: 'succeeded', output: 'VIDEO_AND_THUMBNAIL' }];
    const job = await f.create('A lighthouse at dawn', 'music-video', { model, startImage: uploadId });
    // What CheckStartImage leaves when POST /jobs accepts the job: its own copy, with the checked type.
    await f.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `inputs/${job.jobId}/start-image`, Body: image, ContentType: 'image/jpeg' }));
    const before = f.replicate.calls.length;
    t.same(await runWorkflow(f.input(job), f.steps).outcome, { status: 'SUCCEEDED', output: { videoKey: `videos/${job.jobId}.mp4` } }, model);
    const create = f.replicate.calls.slice(before).find((c) => c.method === 'POST' && c.path.endsWith('/predictions'));
    t.equal(create?.path, `/v1/models/${model}/predictions`, model);
    const input = (create?.body as { input: Record<string, unknown> }).input;
    const url = String(input.start_image ?? input.first_frame_image);
    t.same(input, expected(url), `${model}: the catalogue's input names, nothing else`);
    t.match(url, new RegExp(`/${BUCKET}/inputs/${job.jobId}/start-image\\?.*X-Amz-Expires=3600`), `${model}: a presigned GET of the job's copy, for an hour`);
    const fetched = await fetch(url);
    t.equal(fetched.status, 200, `${model}: the URL works without other credentials`);
    t.equal(fetched.headers.get('content-type'), 'image/jpeg');
    t.same(Buffer.from(await fetched.arrayBuffer()), image, `${model}: the uploaded bytes`);
  }
});

t.test('a model that returns no poster: StoreVideo takes a frame with ffmpeg; the job carries the facts read from the file', { skip: ffmpegPath({}) ? false : 'no ffmpeg binary for this platform (@ffmpeg-installer/linux-x64 is x64 Linux only)' }, async (t) => {
  f.replicate.script = [{ status: 'succeeded', output: `${f.replicate.origin}/files/sample.mp4` }];
  const job = await f.create();
  t.same(await runWorkflow(f.input(job), f.steps).outcome, { status: 'SUCCEEDED', output: { videoKey: `videos/${job.jobId}.mp4` } });
  const done = (await f.jobs.get(job.jobId)) as Job;
  const sample = await readFile('assets/sample.mp4');
  t.match(done, { status: 'completed', thumbnailKey: `videos/${job.jobId}.jpg` });
  t.same(done.video, { durationSeconds: 4, width: 320, height: 180, sizeBytes: sample.byteLength, contentType: 'video/mp4' });
  t.same(imageInfo(await bytes(`videos/${job.jobId}.jpg`)), { contentType: 'image/jpeg', width: 320, height: 180 }, 'a JPEG frame of the clip');
  const head = await f.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `videos/${job.jobId}.jpg` }));
  t.equal(head.ContentType, 'image/jpeg');
});

t.test('a model that returns something that is not a playable MP4 → failed, PROVIDER_FAILED, nothing stored', async (t) => {
  for (const file of ['sample.jpg']) {
    f.replicate.script = [{ status: 'succeeded', output: `${f.replicate.origin}/files/${file}` }];
    const job = await f.create();
    const outcome = await runWorkflow(f.input(job), f.steps).outcome;
    t.match(outcome, { status: 'FAILED' }, file);
    t.match(await f.jobs.get(job.jobId), { status: 'failed', failure: { code: 'PROVIDER_FAILED' } }, file);
    t.ok(await missing(`videos/${job.jobId}.mp4`), `${file}: no video in the bucket`);
    t.ok(await missing(`videos/${job.jobId}.jpg`), `${file}: no thumbnail either`);
  }
});

t.test('refused prompt: at creation (422) or by the safety checker → failed, PROVIDER_REJECTED', async (t) => {
  for (const [label, prompt, script] of [
    ['422 at create', 'REFUSE_AT_CREATE a prompt the model refuses', []],
    ['NSFW at run time', 'A prompt flagged while it runs', [{ status: 'failed' as const, error: 'NSFW content detected. Try running it again, or try a different prompt.' }]],
  ] as const) {
    f.replicate.script = [...script];
    const job = await f.create(prompt, 'ad-creative');
    const outcome = await runWorkflow(f.input(job), f.steps).outcome;
    t.same(outcome, { status: 'FAILED', error: 'PROVIDER_REJECTED' }, `${label}: the execution's error is the code`);
    const failed = (await f.jobs.get(job.jobId)) as Job;
    t.match(failed, { status: 'failed', stage: 'failed', failure: { code: 'PROVIDER_REJECTED', message: /refused this prompt/ } }, label);
    t.notOk(failed.failure?.message.includes('NSFW'), `${label}: the provider's own text is not shown`);
    t.ok(await missing(`videos/${job.jobId}.mp4`), `${label}: no video`);
  }
});

t.test('the provider failing → failed, PROVIDER_FAILED, nothing stored', async (t) => {
  f.replicate.script = [{ status: 'processing', logs: bar(30) }, { status: 'failed', error: 'CUDA out of memory' }];
  const job = await f.create();
  t.same(await runWorkflow(f.input(job), f.steps).outcome, { status: 'FAILED', error: 'PROVIDER_FAILED' });
  t.match(await f.jobs.get(job.jobId), { status: 'failed', failure: { code: 'PROVIDER_FAILED' }, progress: 30 });
  t.ok(await missing(`videos/${job.jobId}.mp4`));
});

t.test('the provider never finishing → the loop counter fails the job with PROVIDER_TIMEOUT and cancels the prediction', async (t) => {
  f.replicate.script = [{ status: 'processing', logs: bar(40) }];
  const job = await f.create();
  t.same(await runWorkflow(f.input(job), f.steps, { waitMs: 0 }).outcome, { status: 'FAILED', error: 'PROVIDER_TIMEOUT' });
  const failed = (await f.jobs.get(job.jobId)) as Job;
  t.match(failed, { status: 'failed', failure: { code: 'PROVIDER_TIMEOUT' } });
  const prediction = f.replicate.predictions.get((failed.generationId as string).replace(/^replicate:/, ''));
  t.equal(prediction?.reads, 180, '180 polls, as the definition says');
  t.equal(prediction?.status, 'canceled', 'no more billing for it');
});

t.test('FailJob itself unable to run (its own environment broken) → the execution ends WORKFLOW_FAILED, never a raw error name', async (t) => {
  let attempts = 0;
  const broken = async () => {
    attempts++;
    throw new Error('JOB_TABLE: required by the fail-job function, but not set');
  };
  const steps = { ...f.steps, startGeneration: { execute: async () => { throw new Error('ASSETS_BUCKET is not set'); } }, failJob: { execute: broken } } as unknown as typeof f.steps;
  const job = await f.create();
  const outcome = await runWorkflow(f.input(job), steps).outcome;
  t.same(outcome, { status: 'FAILED', error: 'WORKFLOW_FAILED' }, 'the Fail state after FailJob, not "Error"');
  t.equal(attempts, 9, 'FailJob was retried as the definition says first');
  t.same(stateOf({ status: 'FAILED', error: (outcome as { error: string }).error, startDate: new Date(), executionArn: 'a', stateMachineArn: 's' }), { status: 'failed', failure: { code: 'WORKFLOW_FAILED', message: 'The video could not be generated' } }, 'what the API then records on the job');
});

t.test('rate limited and 5xx, then fine: the client retries, then the state machine does; the job completes', async (t) => {
  f.replicate.script = [{ status: 'processing', logs: bar(50) }, { status: 'succeeded', output: 'VIDEO_AND_THUMBNAIL' }];
  const before = f.replicate.calls.length;
  f.replicate.failNext(429, { method: 'POST', pathPart: '/predictions', times: 2 });
  // 7 × 503 outlasts the client's 6 attempts of one poll: ProviderUnavailable, retried by the state machine.
  f.replicate.failNext(503, { method: 'GET', pathPart: '/v1/predictions/', times: 7 });
  const job = await f.create();
  t.same(await runWorkflow(f.input(job), f.steps).outcome, { status: 'SUCCEEDED', output: { videoKey: `videos/${job.jobId}.mp4` } });
  t.match(await f.jobs.get(job.jobId), { status: 'completed' });
  const calls = f.replicate.calls.slice(before);
  t.equal(calls.filter((c) => c.method === 'POST' && c.path.endsWith('/predictions')).length, 3, 'two 429s, then created');
  t.equal(calls.filter((c) => c.method === 'GET' && c.path.startsWith('/v1/predictions/')).length, 7 + 2 + 1, '7 failed reads, 2 polls, 1 read of the output');
});

t.test('cancel mid-generation: the job stays canceled, the execution is stopped and the provider sees the cancel', async (t) => {
  f.replicate.script = [{ status: 'processing', logs: bar(10) }, { status: 'processing', logs: bar(35) }];
  const job = await f.create();
  const run = runWorkflow(f.input(job), f.steps, { waitMs: 20 });
  let running = (await f.jobs.get(job.jobId)) as Job;
  for (const started = Date.now(); running.progress < 35 && Date.now() - started < 10_000; await new Promise((r) => setTimeout(r, 20))) {
    running = (await f.jobs.get(job.jobId)) as Job;
  }
  t.equal(running.progress, 35, 'running, with progress');
  // As in aws mode: the cancel use case stops the execution (StopExecution) and cancels the prediction itself.
  const workflow: VideoWorkflow = { start: async () => ({}), stop: async () => run.abort(), describe: async () => undefined };
  const model = new ReplicateVideoModel({ client: async () => createReplicateClient('r8_test_token', f.replicate.baseUrl) });
  const getJob = new GetJob({ jobs: f.jobs, workflow, clock: systemClock, logger: silentLogger, usage: f.usage, syncIntervalMs: 60_000 });
  const canceled = await new CancelJob({ getJob, jobs: f.jobs, workflow, clock: systemClock, logger: silentLogger, usage: f.usage, model }).execute({ userId: 'alice', jobId: job.jobId });
  t.equal(canceled.status, 'canceled');
  t.same(await run.outcome, { status: 'ABORTED' });
  // A poll in flight when the execution stopped may cancel it once more (its write meets JobFinished).
  t.ok(f.replicate.cancels((running.generationId as string).replace(/^replicate:/, '')) >= 1, 'the fake provider saw the cancel');
  t.equal(f.replicate.predictions.get((running.generationId as string).replace(/^replicate:/, ''))?.status, 'canceled');
  t.match(await f.jobs.get(job.jobId), { status: 'canceled', progress: 35 });
});

t.test("spend settles in DynamoDB: a completed job counts its cost, a failed one gives its reservation back", async (t) => {
  const period = new Date().toISOString().slice(0, 7);
  const user = 'alice';
  const before = await f.usage.spentMicroUsd(user, period);
  const jobs: Job[] = [];
  for (const script of [[{ status: 'succeeded' as const, output: 'VIDEO_AND_THUMBNAIL' }], [{ status: 'failed' as const, error: 'CUDA out of memory' }]]) {
    f.replicate.script = script;
    const job = await f.create('A lighthouse at dawn', 'music-video', { model: 'bytedance/seedance-1-lite', resolution: '480p', durationSeconds: 5 });
    // What POST /jobs reserves: its estimate (0.018 USD × 5 s).
    t.equal(await f.usage.consume(user, period, 1000, { costMicroUsd: 90_000 }), true);
    await runWorkflow(f.input(job), f.steps).outcome;
    jobs.push((await f.jobs.get(job.jobId)) as Job);
  }
  t.match(jobs, [{ status: 'completed', estimatedCostUsd: 0.09, costUsd: 0.09 }, { status: 'failed', estimatedCostUsd: 0.09, costUsd: 0 }]);
  t.equal(await f.usage.spentMicroUsd(user, period) - before, 90_000, 'the month counts what the jobs cost: 0.09 + 0');
});

t.test('the provider token is read from Secrets Manager once per function (each Lambda keeps it for its cold start) for all these runs', async (t) => {
  t.equal(f.secrets.reads, 4);
});
