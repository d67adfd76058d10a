import { readFile } from 'node:fs/promises';
import path from 'node:path';
import Fastify from 'fastify';
import t from 'tap';
import { API_PREFIX } from '../../src/adapters/http/app.ts';
import { localVideoRoutes } from '../../src/adapters/http/routes/local-video.routes.ts';
import { InMemoryJobRepository } from '../../src/adapters/local/in-memory-job-repository.ts';
import { InMemoryUsageLedger } from '../../src/adapters/local/in-memory-usage-ledger.ts';
import { LocalUploadStorage } from '../../src/adapters/local/local-upload-storage.ts';
import { LocalVideoStorage } from '../../src/adapters/local/local-video-storage.ts';
import { LocalVideoWorkflow } from '../../src/adapters/local/local-video-workflow.ts';
import { SampleVideoModel } from '../../src/adapters/local/sample-video-model.ts';
import { Mp4BoxVideoProbe } from '../../src/adapters/mp4/mp4box-video-probe.ts';
import { systemClock } from '../../src/adapters/system-clock.ts';
import { silentLogger } from '../../src/application/ports/logger.ts';
import type { GenerationRequest } from '../../src/application/ports/video-model.ts';
import { bundledCatalogue } from '../../src/catalogue/catalogue-config.ts';
import { resolveOptions } from '../../src/domain/job-options.ts';
import { isTerminal, newJob, type Job } from '../../src/domain/job.ts';
import { jobInputKey } from '../../src/domain/upload.ts';
import { FakeFrameGrabber } from '../helpers/fake-video-model.ts';

// Local mode: the workflow hands the model a signed URL of the job's own copy of its start image, and
// that URL, served by local mode's file route, returns the uploaded bytes with their image type.

const catalogue = bundledCatalogue();
const UPLOAD_ID = '11111111-2222-4333-8444-555555555555';

/** The job's terminal state. A referenced timer keeps the process alive meanwhile (the workflow's own are unref'd). */
function ended(jobs: InMemoryJobRepository, jobId: string): Promise<Job> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`job ${jobId} did not end within 5 s`)), 5000);
    jobs.watch(jobId, (j) => void (isTerminal(j.status) && (clearTimeout(timer), resolve(j))));
  });
}

/** The sample model, remembering what each generation was asked for. */
class RecordingSampleModel extends SampleVideoModel {
  readonly requests: GenerationRequest[] = [];
  override async start(request: GenerationRequest): Promise<{ generationId: string }> {
    this.requests.push(request);
    return super.start(request);
  }
}

t.test('the model receives a signed URL of inputs/<jobId>/start-image that returns the uploaded bytes', async (t) => {
  const dir = t.testdir();
  const jobs = new InMemoryJobRepository();
  const storage = new LocalVideoStorage({ dir, publicUrl: 'http://localhost:8080', secret: 's' });
  const uploads = new LocalUploadStorage(storage, { dir, publicUrl: 'http://localhost:8080', secret: 's' });
  const model = new RecordingSampleModel({ videoPath: path.resolve('assets/sample.mp4') });
  const workflow = new LocalVideoWorkflow({
    catalogue, jobs, usage: new InMemoryUsageLedger(), store: storage, model, startImages: uploads, probe: new Mp4BoxVideoProbe(), frames: new FakeFrameGrabber(), clock: systemClock, logger: silentLogger, pollIntervalMs: 1,
  });
  t.teardown(() => workflow.close());
  const app = Fastify();
  await app.register(localVideoRoutes, { prefix: API_PREFIX, storage });
  t.teardown(() => app.close());

  const { model: entry, settings, estimatedCostMicroUsd } = resolveOptions(catalogue, 'music-video', { startImage: UPLOAD_ID });
  const generation = { options: { startImage: UPLOAD_ID }, model: entry.id, provider: entry.provider, settings, estimatedCostUsd: estimatedCostMicroUsd / 1e6 };
  for (const [file, contentType] of [['image.png', 'image/png'], ['image.webp', 'image/webp'], ['image.jpg', 'image/jpeg']] as const) {
    const image = await readFile(new URL(`../media/fixtures/${file}`, import.meta.url));
    const job = newJob({ jobId: `job-${file.replace('.', '-')}`, userId: 'alice', prompt: 'A neon city at night', category: 'music-video', now: new Date(), generation });
    await jobs.create(job);
    // What CheckStartImage leaves when the job is accepted: the job's own copy.
    await storage.put(jobInputKey(job.jobId), image);
    const end = ended(jobs, job.jobId);
    await workflow.start(job);
    t.equal((await end).status, 'completed', file);

    const url = model.requests.find((r) => r.jobId === job.jobId)?.startImageUrl;
    t.match(url, new RegExp(`^http://localhost:8080/api/v1/videos/inputs/${job.jobId}/start-image\\?expires=\\d+&signature=`), `${file}: a signed URL`);
    const expires = Number(new URL(url as string).searchParams.get('expires')) * 1000;
    t.ok(expires - Date.now() <= 3_600_000 && expires - Date.now() > 3_500_000, `${file}: valid for an hour`);
    const res = await app.inject({ method: 'GET', url: (url as string).replace('http://localhost:8080', '') });
    t.equal(res.statusCode, 200, file);
    t.equal(res.headers['content-type'], contentType, `${file}: served as what it is`);
    t.same(res.rawPayload, image, `${file}: the uploaded bytes`);
  }

  const job = newJob({ jobId: 'job-text', userId: 'alice', prompt: 'A neon city at night', category: 'music-video', now: new Date(), generation });
  await storage.put(jobInputKey(job.jobId), Buffer.from('not an image at all'));
  const link = new URL((await uploads.signedUrl(jobInputKey(job.jobId), 60, new Date())).url);
  const res = await app.inject({ method: 'GET', url: link.pathname + link.search });
  t.equal(res.headers['content-type'], 'application/octet-stream', 'bytes of no known image type are not called one');
});

t.test('a workflow given no start-image storage fails a job that has one, with the fallback code, and starts nothing', async (t) => {
  const jobs = new InMemoryJobRepository();
  const storage = new LocalVideoStorage({ dir: t.testdir(), publicUrl: 'http://localhost:8080', secret: 's' });
  const model = new RecordingSampleModel({ videoPath: path.resolve('assets/sample.mp4') });
  const workflow = new LocalVideoWorkflow({
    catalogue, jobs, usage: new InMemoryUsageLedger(), store: storage, model, probe: new Mp4BoxVideoProbe(), frames: new FakeFrameGrabber(), clock: systemClock, logger: silentLogger, pollIntervalMs: 1,
  });
  t.teardown(() => workflow.close());
  const { model: entry, settings, estimatedCostMicroUsd } = resolveOptions(catalogue, 'music-video', { startImage: UPLOAD_ID });
  const job = newJob({
    jobId: 'job-1', userId: 'alice', prompt: 'A neon city at night', category: 'music-video', now: new Date(),
    generation: { options: { startImage: UPLOAD_ID }, model: entry.id, provider: entry.provider, settings, estimatedCostUsd: estimatedCostMicroUsd / 1e6 },
  });
  await jobs.create(job);
  const end = ended(jobs, job.jobId);
  await workflow.start(job);
  t.match(await end, { status: 'failed', failure: { code: 'LOCAL_WORKFLOW_FAILED' } });
  t.same(model.requests, [], 'the model was never asked');
});
