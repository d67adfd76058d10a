import t, { type Test } from 'tap';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { InMemoryJobRepository } from '../../src/adapters/local/in-memory-job-repository.ts';
import { InMemoryUsageLedger } from '../../src/adapters/local/in-memory-usage-ledger.ts';
import { LocalVideoStorage } from '../../src/adapters/local/local-video-storage.ts';
import { LocalVideoWorkflow } from '../../src/adapters/local/local-video-workflow.ts';
import { SAMPLE_POLLS, SampleVideoModel } from '../../src/adapters/local/sample-video-model.ts';
import { Mp4BoxVideoProbe } from '../../src/adapters/mp4/mp4box-video-probe.ts';
import { systemClock } from '../../src/adapters/system-clock.ts';
import { mutateJob } from '../../src/application/mutate-job.ts';
import { silentLogger, type Logger } from '../../src/application/ports/logger.ts';
import { advanceJob, cancelJob, isTerminal, newJob, startGeneration, type Job } from '../../src/domain/job.ts';
import { FakeFrameGrabber } from '../helpers/fake-video-model.ts';
import { bundledCatalogue } from '../../src/catalogue/catalogue-config.ts';
import { resolveOptions } from '../../src/domain/job-options.ts';

/** The sample clip is probed for real; it comes with its thumbnail, so no frame is taken. */
const media = { probe: new Mp4BoxVideoProbe(), frames: new FakeFrameGrabber() };

const SAMPLE = path.resolve('assets/sample.mp4');
const DURATION_MS = 60;

/** A workflow over a fresh repository and folder, with a logger that remembers errors. */
function setup(t: Test, options: { sampleVideoPath?: string } = {}) {
  const dir = t.testdir();
  const jobs = new InMemoryJobRepository();
  const storage = new LocalVideoStorage({ dir, publicUrl: 'http://localhost:8080', secret: 's' });
  const errors: string[] = [];
  const logger: Logger = { info() {}, warn() {}, error: (_obj, msg) => void errors.push(msg) };
  const model = new SampleVideoModel({ videoPath: options.sampleVideoPath ?? SAMPLE });
  const workflow = new LocalVideoWorkflow({
    catalogue: bundledCatalogue(), usage: new InMemoryUsageLedger(),
    jobs, store: storage, model, ...media, clock: systemClock, logger, pollIntervalMs: DURATION_MS / SAMPLE_POLLS,
  });
  t.teardown(() => workflow.close());
  let n = 0;
  const create = async (): Promise<Job> => {
    const job = newJob({ jobId: `job-${++n}`, userId: 'alice', prompt: 'A neon city at night', category: 'music-video', now: new Date() });
    await jobs.create(job);
    return job;
  };
  return { dir, jobs, storage, workflow, errors, create };
}

/** Every stored state of a job, and a way to wait for one that satisfies `done` (fails after 5 s). */
function record(jobs: InMemoryJobRepository, jobId: string) {
  const updates: Job[] = [];
  const waiters: Array<{ done: (job: Job) => boolean; resolve: (job: Job) => void }> = [];
  jobs.watch(jobId, (job) => {
    updates.push(job);
    for (const waiter of [...waiters]) if (waiter.done(job)) waiter.resolve(job);
  });
  const until = (done: (job: Job) => boolean): Promise<Job> =>
    new Promise((resolve, reject) => {
      // A referenced timer: it keeps the process alive while the workflow's own timers are unref'd.
      const timer = setTimeout(() => reject(new Error(`job ${jobId} never got there: ${JSON.stringify(updates.at(-1))}`)), 5000);
      waiters.push({ done, resolve: (job) => (clearTimeout(timer), resolve(job)) });
    });
  return { updates, until };
}

t.test('a job walks through named stages with rising progress to a completed video', async (t) => {
  const { dir, jobs, workflow, errors, create } = setup(t);
  const job = await create();
  const { updates, until } = record(jobs, job.jobId);
  t.same(await workflow.start(job), {}, 'no execution handle in local mode');

  const done = await until((j) => isTerminal(j.status));
  t.equal(done.status, 'completed');
  t.equal(done.progress, 100);
  t.equal(done.videoKey, `videos/${job.jobId}.mp4`);
  t.same(await readFile(path.join(dir, 'videos', `${job.jobId}.mp4`)), await readFile(SAMPLE), 'the stored video is the sample clip');

  t.ok(updates.length >= 8 && updates.length <= 12, `${updates.length} updates`);
  t.equal(updates[0]?.status, 'processing', 'pending → processing on the first tick');
  for (let i = 1; i < updates.length; i++) {
    t.ok((updates[i] as Job).progress > (updates[i - 1] as Job).progress, `progress rises at update ${i}`);
  }
  t.ok(updates.every((j) => Number.isInteger(j.progress)));
  const stages = [...new Set(updates.map((j) => j.stage))];
  t.same(stages, ['scripting', 'rendering', 'encoding', 'uploading', 'done']);
  t.same(errors, []);
  t.equal(await workflow.describe(), undefined);
});

t.test('starting a running job again changes nothing', async (t) => {
  const { jobs, workflow, errors, create } = setup(t);
  const job = await create();
  const { updates, until } = record(jobs, job.jobId);
  await workflow.start(job);
  await workflow.start(job);
  await until((j) => isTerminal(j.status));
  t.equal(updates.length, 10, 'one schedule, not two');
  t.same(errors, []);
});

t.test('a job canceled midway stays canceled, gets no video, and the workflow stays quiet', async (t) => {
  for (const stop of [true, false]) {
    const { dir, jobs, workflow, errors, create } = setup(t);
    const job = await create();
    const { updates, until } = record(jobs, job.jobId);
    await workflow.start(job);
    await until((j) => j.progress >= 30);
    const canceled = await mutateJob(jobs, job.jobId, (j) => cancelJob(j, new Date()));
    // As CancelJob does; without stop() the workflow must notice the terminal state by itself.
    if (stop) await workflow.stop(canceled);
    // Waiting for something *not* to happen: give the schedule twice its length to misbehave.
    await sleep(DURATION_MS * 2);
    const label = stop ? 'with stop()' : 'without stop()';
    t.same(await jobs.get(job.jobId), canceled, `${label}: untouched since the cancel`);
    t.equal(updates.at(-1)?.status, 'canceled', label);
    await t.rejects(readFile(path.join(dir, 'videos', `${job.jobId}.mp4`)), { code: 'ENOENT' }, `${label}: no video`);
    t.same(errors, [], `${label}: nothing logged as an error`);
  }
});

t.test('close() stops every job and refuses new ones', async (t) => {
  const { jobs, workflow, create } = setup(t);
  const [a, b] = [await create(), await create()];
  const watchA = record(jobs, a.jobId);
  await workflow.start(a);
  await workflow.start(b);
  await watchA.until((j) => j.status === 'processing');
  await workflow.close();
  const [frozenA, frozenB] = [await jobs.get(a.jobId), await jobs.get(b.jobId)];
  await sleep(DURATION_MS * 2);
  t.same(await jobs.get(a.jobId), frozenA, 'a: no tick after close');
  t.same(await jobs.get(b.jobId), frozenB, 'b: no tick after close');
  t.notOk(isTerminal((frozenA as Job).status));
  await t.rejects(workflow.start(await create()), { message: /shut down/ });
});

t.test('a failure in a tick marks the job failed and logs it, without an unhandled rejection', async (t) => {
  const { jobs, workflow, errors, create } = setup(t, { sampleVideoPath: '/no/such/sample.mp4' });
  const job = await create();
  const { until } = record(jobs, job.jobId);
  await workflow.start(job);
  const failed = await until((j) => isTerminal(j.status));
  t.equal(failed.status, 'failed');
  t.same(failed.failure, { code: 'LOCAL_WORKFLOW_FAILED', message: 'The video could not be generated' });
  t.ok(failed.progress < 100 && failed.videoKey === undefined);
  t.same(errors, ['local video workflow failed; marking the job failed']);
});

t.test('a job already processing (a restarted server resuming it) continues with its generation to the end', async (t) => {
  const { jobs, workflow, errors, create } = setup(t);
  const job = await create();
  // As a previous process left it: running, with a generation and some progress.
  await mutateJob(jobs, job.jobId, (j) => startGeneration(j, `sample-${j.jobId}`, new Date()));
  const left = await mutateJob(jobs, job.jobId, (j) => advanceJob(j, { progress: 45, stage: 'rendering' }, new Date()));
  const { updates, until } = record(jobs, job.jobId);
  await workflow.start(left);
  const done = await until((j) => isTerminal(j.status));
  t.match(done, { status: 'completed', progress: 100, generationId: `sample-${job.jobId}` });
  t.ok(updates.every((u) => u.progress >= 45), 'progress never goes back');
  t.same(errors, []);
});

t.test('a model that never finishes: after maxPolls the job fails with PROVIDER_TIMEOUT', async (t) => {
  const jobs = new InMemoryJobRepository();
  const storage = new LocalVideoStorage({ dir: t.testdir(), publicUrl: 'http://localhost:8080', secret: 's' });
  const model = new SampleVideoModel({ videoPath: SAMPLE });
  model.status = async () => ({ state: 'running', progress: 50 });
  const workflow = new LocalVideoWorkflow({ jobs, catalogue: bundledCatalogue(), usage: new InMemoryUsageLedger(), store: storage, model, ...media, clock: systemClock, logger: silentLogger, pollIntervalMs: 1, maxPolls: 5 });
  t.teardown(() => workflow.close());
  const job = newJob({ jobId: 'slow', userId: 'alice', prompt: 'A neon city at night', category: 'music-video', now: new Date() });
  await jobs.create(job);
  const { until } = record(jobs, job.jobId);
  await workflow.start(job);
  t.match(await until((j) => isTerminal(j.status)), { status: 'failed', failure: { code: 'PROVIDER_TIMEOUT' } });
  await sleep(10);
  t.equal(workflow.activeJobs, 0, 'the run ended');
});

t.test('close() waits for the step already running: its files are written before close resolves', async (t) => {
  const jobs = new InMemoryJobRepository();
  const dir = t.testdir();
  const storage = new LocalVideoStorage({ dir, publicUrl: 'http://localhost:8080', secret: 's' });
  const model = new SampleVideoModel({ videoPath: SAMPLE });
  const result = model.result.bind(model);
  let uploading!: () => void;
  const reachedUpload = new Promise<void>((resolve) => (uploading = resolve));
  model.result = async (id) => (uploading(), await sleep(50), result(id));
  const workflow = new LocalVideoWorkflow({ jobs, catalogue: bundledCatalogue(), usage: new InMemoryUsageLedger(), store: storage, model, ...media, clock: systemClock, logger: silentLogger, pollIntervalMs: 1 });
  const job = newJob({ jobId: 'closing', userId: 'alice', prompt: 'A neon city at night', category: 'music-video', now: new Date() });
  await jobs.create(job);
  // The workflow's timer is unref'd: this one keeps the process alive meanwhile.
  const keepAlive = setTimeout(() => {}, 5000);
  t.teardown(() => clearTimeout(keepAlive));
  await workflow.start(job);
  await reachedUpload;
  await workflow.close();
  t.match(await jobs.get(job.jobId), { status: 'completed' }, 'the running step finished');
  t.same(await readFile(path.join(dir, 'videos', 'closing.mp4')), await readFile(SAMPLE));
});

t.test("a job's poll interval follows its requested duration: 5 s half of 10 s; jobs without settings at the 10 s pace", async (t) => {
  const { jobs, workflow } = setup(t);
  // The delays the workflow asks its one timer for, per job (no wall-clock timing is measured).
  const scheduler = (workflow as unknown as { scheduler: { schedule: (delayMs: number, run: () => void) => unknown } }).scheduler;
  const schedule = scheduler.schedule.bind(scheduler);
  const delays: number[] = [];
  scheduler.schedule = (delayMs, run) => (delays.push(delayMs), schedule(delayMs, run));
  const catalogue = bundledCatalogue();
  const waits: Record<string, number[]> = {};
  for (const [name, options] of [['5 s', { durationSeconds: 5 }], ['10 s', { durationSeconds: 10 }], ['no settings', undefined]] as const) {
    const resolved = options && resolveOptions(catalogue, 'music-video', options);
    const generation = resolved && { options, model: resolved.model.id, provider: resolved.model.provider, settings: resolved.settings, estimatedCostUsd: 0 };
    const job = newJob({ jobId: `job-${name.replace(' ', '-')}`, userId: 'alice', prompt: 'A neon city at night', category: 'music-video', now: new Date(), ...(generation ? { generation } : {}) });
    await jobs.create(job);
    delays.length = 0;
    const { until } = record(jobs, job.jobId);
    await workflow.start(job);
    await until((j) => isTerminal(j.status));
    waits[name] = [...new Set(delays.filter((d) => d > 0))];
  }
  const step = DURATION_MS / SAMPLE_POLLS;
  t.same(waits, { '5 s': [step / 2], '10 s': [step], 'no settings': [step] });
});
