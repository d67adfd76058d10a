import t from 'tap';
import { mutateJob } from '../../src/application/mutate-job.js';
import { createWorkflowSteps } from '../../src/application/workflow-steps.js';
import { InMemoryJobRepository } from '../../src/adapters/local/in-memory-job-repository.js';
import { GenerationFailed, JobFinished } from '../../src/domain/errors.js';
import { cancelJob, newJob, startGeneration, type Job } from '../../src/domain/job.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { FakeVideoModel, MemoryStore } from '../helpers/fake-video-model.js';
import { RecordingLogger } from './fixtures/use-cases.js';

function setup() {
  const jobs = new InMemoryJobRepository();
  const model = new FakeVideoModel();
  const store = new MemoryStore();
  const clock = new FakeClock();
  const logger = new RecordingLogger();
  const steps = createWorkflowSteps({ jobs, model, store, clock, logger, fallbackCode: 'WORKFLOW_FAILED' });
  let n = 0;
  const create = async (): Promise<Job> => {
    const job = newJob({ jobId: `job-${++n}`, userId: 'alice', prompt: 'A neon city at night', category: 'music-video', now: clock.now() });
    await jobs.create(job);
    return job;
  };
  const cancel = (jobId: string) => mutateJob(jobs, jobId, (j) => cancelJob(j, clock.now()));
  return { jobs, model, store, clock, logger, steps, create, cancel };
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

t.test('store: video and thumbnail beside it, then completed; without a thumbnail, none', async (t) => {
  const s = setup();
  for (const thumbnail of [{ body: Uint8Array.of(1), contentType: 'image/png' }, undefined]) {
    s.model.thumbnail = thumbnail;
    const job = await s.create();
    const { generationId } = await s.steps.startGeneration.execute({ jobId: job.jobId });
    const stored = await s.steps.storeVideo.execute({ jobId: job.jobId, generationId });
    const thumbnailKey = thumbnail ? `videos/${job.jobId}.png` : undefined;
    t.same(stored, thumbnail ? { videoKey: `videos/${job.jobId}.mp4`, thumbnailKey } : { videoKey: `videos/${job.jobId}.mp4` });
    const done = (await s.jobs.get(job.jobId)) as Job;
    t.match(done, { status: 'completed', progress: 100, videoKey: `videos/${job.jobId}.mp4` });
    t.equal(done.thumbnailKey, thumbnailKey);
    t.equal(s.store.objects.get(`videos/${job.jobId}.mp4`)?.contentType, 'video/mp4');
    if (thumbnailKey) t.equal(s.store.objects.get(thumbnailKey)?.contentType, 'image/png');
  }
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
