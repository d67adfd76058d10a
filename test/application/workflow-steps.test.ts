import t from 'tap';
import { mutateJob } from '../../src/application/mutate-job.ts';
import { createWorkflowSteps } from '../../src/application/workflow-steps.ts';
import { InMemoryJobRepository } from '../../src/adapters/local/in-memory-job-repository.ts';
import { InMemoryUsageLedger } from '../../src/adapters/local/in-memory-usage-ledger.ts';
import { GenerationFailed, JobFinished } from '../../src/domain/errors.ts';
import { cancelJob, failJob as failJobOf, newJob, startGeneration, type Job } from '../../src/domain/job.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { FakeFrameGrabber, FakeVideoModel, FakeVideoProbe, MemoryStore } from '../helpers/fake-video-model.ts';
import { RecordingLogger } from './fixtures/use-cases.ts';
import { bundledCatalogue } from '../../src/catalogue/catalogue-config.ts';
import { microToUsd, resolveOptions, type JobOptions } from '../../src/domain/job-options.ts';
import { periodOf } from '../../src/domain/quota.ts';

function setup(catalogue = bundledCatalogue()) {
  const jobs = new InMemoryJobRepository();
  const model = new FakeVideoModel();
  const store = new MemoryStore();
  const clock = new FakeClock();
  const logger = new RecordingLogger();
  const probe = new FakeVideoProbe();
  const frames = new FakeFrameGrabber();
  const usage = new InMemoryUsageLedger();
  const steps = createWorkflowSteps({ jobs, catalogue, usage, model, store, probe, frames, clock, logger, fallbackCode: 'WORKFLOW_FAILED' });
  let n = 0;
  const create = async (): Promise<Job> => {
    const job = newJob({ jobId: `job-${++n}`, userId: 'alice', prompt: 'A neon city at night', category: 'music-video', now: clock.now() });
    await jobs.create(job);
    return job;
  };
  const cancel = (jobId: string) => mutateJob(jobs, jobId, (j) => cancelJob(j, clock.now()));
  /** A job as POST /jobs accepts it: its model, settings and estimate, reserved in the month's spend. */
  const createPriced = async (options: JobOptions = {}): Promise<Job> => {
    const resolved = resolveOptions(catalogue, 'music-video', options);
    const generation = { options, model: resolved.model.id, provider: resolved.model.provider, settings: resolved.settings, estimatedCostUsd: microToUsd(resolved.estimatedCostMicroUsd) };
    const job = newJob({ jobId: `job-${++n}`, userId: 'alice', prompt: 'A neon city at night', category: 'music-video', now: clock.now(), generation });
    await usage.consume('alice', periodOf(clock.now()), 100, { costMicroUsd: resolved.estimatedCostMicroUsd });
    await jobs.create(job);
    return job;
  };
  const spent = () => usage.spentMicroUsd('alice', periodOf(clock.now()));
  return { jobs, usage, spent, createPriced, model, store, probe, frames, clock, logger, steps, create, cancel };
}

t.test('start: the job runs with the generation id; starting again returns it and starts nothing', async (t) => {
  const s = setup();
  const job = await s.create();
  t.same(await s.steps.startGeneration.execute({ jobId: job.jobId }), { generationId: 'gen-1' });
  t.match(await s.jobs.get(job.jobId), { status: 'processing', stage: 'scripting', generationId: 'gen-1', progress: 0 });
  t.same(await s.steps.startGeneration.execute({ jobId: job.jobId }), { generationId: 'gen-1' }, 'a retried or resumed step');
  t.same(s.model.started, [job.jobId]);
});

t.test('start: a job canceled while the model was starting gets its generation canceled', async (t) => {
  const s = setup();
  const job = await s.create();
  s.model.duringStart = async () => void (await s.cancel(job.jobId));
  await t.rejects(s.steps.startGeneration.execute({ jobId: job.jobId }), JobFinished);
  t.same(s.model.canceled, ['gen-1'], 'the cancel could not know the id; the step stops it');
  t.match(await s.jobs.get(job.jobId), { status: 'canceled' });
  await t.rejects(s.steps.startGeneration.execute({ jobId: job.jobId }), JobFinished, 'an ended job starts nothing');
  t.equal(s.model.started.length, 1);
});

t.test('start: two runs at once keep the first generation and cancel the other', async (t) => {
  const s = setup();
  const job = await s.create();
  s.model.duringStart = async () => {
    s.model.duringStart = async () => {};
    await mutateJob(s.jobs, job.jobId, (j) => startGeneration(j, 'gen-other', s.clock.now()));
  };
  s.model.failCancel = true;
  t.same(await s.steps.startGeneration.execute({ jobId: job.jobId }), { generationId: 'gen-other' });
  t.same(s.model.canceled, ['gen-1']);
  t.match(s.logger.lines, [{ level: 'warn', msg: 'could not cancel an unused generation' }], 'a failed cancel is logged, not thrown');
});

t.test('poll: progress and stage are written only when they change; a canceled generation fails the job', async (t) => {
  const s = setup();
  const job = await s.create();
  const { generationId } = await s.steps.startGeneration.execute({ jobId: job.jobId });
  s.model.next = { state: 'running', progress: 30 };
  t.same(await s.steps.pollGeneration.execute({ jobId: job.jobId, generationId }), { done: false });
  const after = (await s.jobs.get(job.jobId)) as Job;
  t.match(after, { progress: 30, stage: 'rendering' });
  t.same(await s.steps.pollGeneration.execute({ jobId: job.jobId, generationId }), { done: false });
  t.equal((await s.jobs.get(job.jobId))?.version, after.version, 'nothing new: no write');
  s.model.next = { state: 'running' };
  await s.steps.pollGeneration.execute({ jobId: job.jobId, generationId });
  t.equal((await s.jobs.get(job.jobId))?.progress, 30, 'no progress reported: never lower');
  s.model.next = { state: 'succeeded' };
  t.same(await s.steps.pollGeneration.execute({ jobId: job.jobId, generationId }), { done: true });
  s.model.next = { state: 'canceled' };
  await t.rejects(s.steps.pollGeneration.execute({ jobId: job.jobId, generationId }), new GenerationFailed('PROVIDER_FAILED', 'The generation was canceled at the provider'));
});

t.test('poll: a job canceled meanwhile refuses the write and its generation is canceled', async (t) => {
  const s = setup();
  const job = await s.create();
  const { generationId } = await s.steps.startGeneration.execute({ jobId: job.jobId });
  await s.cancel(job.jobId);
  s.model.failCancel = true;
  await t.rejects(s.steps.pollGeneration.execute({ jobId: job.jobId, generationId }), JobFinished);
  t.same(s.model.canceled, [generationId]);
  t.match(s.logger.lines, [{ level: 'warn', msg: 'could not cancel the generation of an ended job' }]);
});

t.test('store: video and the model thumbnail beside it, the facts from the probe, then completed', async (t) => {
  const s = setup();
  s.model.thumbnail = { body: Uint8Array.of(1), contentType: 'image/png' };
  const job = await s.create();
  const { generationId } = await s.steps.startGeneration.execute({ jobId: job.jobId });
  const stored = await s.steps.storeVideo.execute({ jobId: job.jobId, generationId });
  const thumbnailKey = `videos/${job.jobId}.png`;
  t.same(stored, { videoKey: `videos/${job.jobId}.mp4`, thumbnailKey });
  const done = (await s.jobs.get(job.jobId)) as Job;
  t.match(done, { status: 'completed', progress: 100, videoKey: `videos/${job.jobId}.mp4`, thumbnailKey });
  t.same(done.video, { durationSeconds: 5, width: 1280, height: 720, sizeBytes: 3, contentType: 'video/mp4' });
  t.equal(s.store.objects.get(`videos/${job.jobId}.mp4`)?.contentType, 'video/mp4');
  t.equal(s.store.objects.get(thumbnailKey)?.contentType, 'image/png');
  t.same(s.frames.times, [], 'the model made a poster: no frame taken');
});

t.test('store: without a model thumbnail, a frame is taken (at 1 s, or mid-way in a shorter clip)', async (t) => {
  const s = setup();
  s.model.thumbnail = undefined;
  for (const durationSeconds of [5, 0.5]) {
    s.probe.facts = { ...s.probe.facts, durationSeconds };
    const job = await s.create();
    const { generationId } = await s.steps.startGeneration.execute({ jobId: job.jobId });
    t.same(await s.steps.storeVideo.execute({ jobId: job.jobId, generationId }), { videoKey: `videos/${job.jobId}.mp4`, thumbnailKey: `videos/${job.jobId}.jpg` });
    t.match(await s.jobs.get(job.jobId), { status: 'completed', thumbnailKey: `videos/${job.jobId}.jpg`, video: { durationSeconds } });
    t.equal(s.store.objects.get(`videos/${job.jobId}.jpg`)?.contentType, 'image/jpeg');
  }
  t.same(s.frames.times, [1, 0.25]);
});

t.test('store: a file that is not a playable MP4 stores nothing and fails as PROVIDER_FAILED', async (t) => {
  const s = setup();
  s.probe.playable = false;
  const job = await s.create();
  const { generationId } = await s.steps.startGeneration.execute({ jobId: job.jobId });
  const err = await s.steps.storeVideo.execute({ jobId: job.jobId, generationId }).then(() => undefined, (e: unknown) => e);
  t.match(err, { name: 'PROVIDER_FAILED' }, 'the name the workflow engine matches on');
  t.same([...s.store.objects.keys()], [], 'no video behind any URL');
  t.match(await s.jobs.get(job.jobId), { status: 'processing' }, 'the failure path (FailJob) ends it');
  t.match(await s.steps.failJob.execute({ jobId: job.jobId, error: (err as Error).name }), { code: 'PROVIDER_FAILED' });
});

t.test('store: a job canceled while its files were copied keeps no files', async (t) => {
  const s = setup();
  const job = await s.create();
  const { generationId } = await s.steps.startGeneration.execute({ jobId: job.jobId });
  const put = s.store.put.bind(s.store);
  s.store.put = async (key, body, type) => {
    await put(key, body, type);
    if (key.endsWith('.jpg')) await s.cancel(job.jobId);
  };
  await t.rejects(s.steps.storeVideo.execute({ jobId: job.jobId, generationId }), JobFinished);
  t.same([...s.store.objects.keys()], []);
  t.match(await s.jobs.get(job.jobId), { status: 'canceled' });
});

t.test('fail: provider codes are kept, anything else is the fallback; the generation is canceled; an ended job stays', async (t) => {
  const s = setup();
  const cases: [string, string][] = [['PROVIDER_REJECTED', 'PROVIDER_REJECTED'], ['PROVIDER_TIMEOUT', 'PROVIDER_TIMEOUT'], ['States.TaskFailed', 'WORKFLOW_FAILED'], ['', 'WORKFLOW_FAILED']];
  for (const [error, code] of cases) {
    const job = await s.create();
    const { generationId } = await s.steps.startGeneration.execute({ jobId: job.jobId });
    const failure = await s.steps.failJob.execute({ jobId: job.jobId, error });
    t.equal(failure.code, code, error);
    t.match(await s.jobs.get(job.jobId), { status: 'failed', failure });
    t.ok(s.model.canceled.includes(generationId), `${error}: generation canceled`);
  }
  const canceled = await s.create();
  await s.cancel(canceled.jobId);
  t.match(await s.steps.failJob.execute({ jobId: canceled.jobId, error: 'PROVIDER_FAILED' }), { code: 'PROVIDER_FAILED' });
  t.match(await s.jobs.get(canceled.jobId), { status: 'canceled' }, 'a late failure never overwrites canceled');
  const pending = await s.create();
  s.model.failCancel = true;
  const { generationId } = await s.steps.startGeneration.execute({ jobId: pending.jobId });
  await s.steps.failJob.execute({ jobId: pending.jobId, error: 'PROVIDER_FAILED' });
  t.ok(s.model.canceled.includes(generationId));
  t.match(s.logger.lines.at(-1), { level: 'warn', msg: 'could not cancel the generation of a failed job' });
  await t.rejects(s.steps.failJob.execute({ jobId: 'no-such-job', error: '' }), { code: 'NOT_FOUND' });
});

t.test("spend settles when a job ends: the estimate is replaced by the actual cost, exactly, once; a failed job gives it back", async (t) => {
  // Kling billed by run time here (the catalogue allows it): its actual cost differs from the estimate.
  const catalogue = bundledCatalogue();
  const priced = { ...catalogue, models: catalogue.models.map((m) => (m.id === 'kwaivgi/kling-v2.5-turbo-pro' ? { ...m, price: { ...m.price, usdPerRunSecond: 0.0014 } } : m)) };
  const s = setup(priced);
  const done = await s.createPriced();
  const failed = await s.createPriced({ durationSeconds: 5 });
  t.equal(await s.spent(), 700_000 + 350_000, 'both estimates reserved');

  s.model.runSeconds = 123.456;
  const { generationId } = await s.steps.startGeneration.execute({ jobId: done.jobId });
  await s.steps.storeVideo.execute({ jobId: done.jobId, generationId });
  t.match(await s.jobs.get(done.jobId), { status: 'completed', estimatedCostUsd: 0.7, costUsd: 0.172838 });
  t.equal(await s.spent(), 172_838 + 350_000, 'the completed job counts its actual cost (123.456 s × $0.0014), to the micro-dollar');

  await s.steps.startGeneration.execute({ jobId: failed.jobId });
  await s.steps.failJob.execute({ jobId: failed.jobId, error: 'PROVIDER_FAILED' });
  t.match(await s.jobs.get(failed.jobId), { status: 'failed', costUsd: 0 });
  t.equal(await s.spent(), 172_838, 'the failed job gave its reservation back');
  await s.steps.failJob.execute({ jobId: failed.jobId, error: 'PROVIDER_FAILED' });
  await s.steps.failJob.execute({ jobId: done.jobId, error: 'WORKFLOW_FAILED' });
  t.equal(await s.spent(), 172_838, 'a retried FailJob, or one after completion, changes nothing');

  // A step that ended a job and crashed before settling: the FailJob the state machine runs next settles it.
  const crashed = await s.createPriced({ durationSeconds: 5 });
  await mutateJob(s.jobs, crashed.jobId, (j) => failJobOf(j, { code: 'PROVIDER_FAILED', message: 'x' }, s.clock.now()));
  t.equal(await s.spent(), 172_838 + 350_000, 'failed but not yet settled');
  await s.steps.failJob.execute({ jobId: crashed.jobId, error: 'WORKFLOW_FAILED' });
  t.equal(await s.spent(), 172_838, 'settled by the FailJob that found it ended');
});

t.test('a ledger that cannot settle is logged; the job still ends and its estimate stays counted', async (t) => {
  const s = setup();
  const job = await s.createPriced();
  s.usage.settle = async () => {
    throw new Error('usage table unreachable');
  };
  const { generationId } = await s.steps.startGeneration.execute({ jobId: job.jobId });
  await s.steps.storeVideo.execute({ jobId: job.jobId, generationId });
  t.match(await s.jobs.get(job.jobId), { status: 'completed', costUsd: 0.7 });
  t.equal(await s.spent(), 700_000);
  t.match(s.logger.lines, [{ level: 'error', msg: /could not settle the job's cost/ }]);
});
