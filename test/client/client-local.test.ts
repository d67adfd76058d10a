import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import t from 'tap';
import { JobCanceledError, OmniGen, OmniGenError, TimeoutError, type Job } from '../../packages/client/src/index.ts';
import { startLocalServer } from '../helpers/local-server.ts';
import { projectRoot } from '../helpers/server-process.ts';

// Every method of @omnigen/client against the real local-mode composition (as `npm start` builds it).
const prompt = 'A neon city at night, synthwave';

async function signedIn(env: Record<string, string> = {}) {
  const server = await startLocalServer(env);
  const anonymous = new OmniGen({ baseUrl: server.base });
  const { accessToken } = await anonymous.devToken('alice');
  return { server, client: new OmniGen({ baseUrl: `${server.base}/api/v1/`, token: accessToken }) };
}

t.test('create → wait with progress → video → download → thumbnail', async (t) => {
  const { server, client } = await signedIn();
  t.teardown(() => server.close());
  const created = await client.createJob({ prompt, category: 'music-video' });
  t.equal(created.status, 'pending');
  t.equal(created.message, 'Video generation started');
  const seen: Job[] = [];
  const job = await client.waitForJob(created.jobId, { onProgress: (j) => seen.push(j) });
  t.equal(job.status, 'completed');
  t.equal(job.progress, 100);
  t.ok(seen.length >= 3, `progress reported ${seen.length} times`);
  t.same(seen.map((j) => j.progress), [...seen.map((j) => j.progress)].sort((a, b) => a - b), 'progress never goes back');
  t.ok(seen.some((j) => j.stage === 'rendering'), 'stage names come through');

  const video = await client.video(job.jobId);
  t.match(video.url, /^http:\/\/127\.0\.0\.1:\d+\//);
  const direct = Buffer.from(await (await fetch(video.url)).arrayBuffer());

  const dir = await mkdtemp(join(tmpdir(), 'omnigen-client-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const result = await client.downloadVideo(job.jobId, join(dir, 'clip.mp4'));
  t.equal(result.bytes, direct.length);
  t.equal(result.contentType, 'video/mp4');
  t.equal(result.resumed, 0);
  t.same(await readFile(join(dir, 'clip.mp4')), direct, 'the file holds the video');

  const chunks: Buffer[] = [];
  await client.downloadVideo(job.jobId, new Writable({ write: (chunk: Buffer, _e, done) => { chunks.push(chunk); done(); } }));
  t.same(Buffer.concat(chunks), direct, 'a Node writable gets the same bytes');
  const webChunks: Uint8Array[] = [];
  await client.downloadVideo(job.jobId, new WritableStream<Uint8Array>({ write: (chunk) => void webChunks.push(chunk) }));
  t.same(Buffer.concat(webChunks), direct, 'a web WritableStream too');

  const thumbnail = await client.thumbnail(job.jobId);
  t.equal(thumbnail.type, 'image/jpeg');
  t.equal(Buffer.from(await thumbnail.arrayBuffer()).readUInt16BE(0), 0xffd8, 'a JPEG');
});

t.test('run(): create + wait + the video URL in one call; polling when asked not to stream', async (t) => {
  const { server, client } = await signedIn();
  t.teardown(() => server.close());
  const streamed = await client.run({ prompt, category: 'ad-creative' });
  t.equal(streamed.job.status, 'completed');
  t.equal(streamed.url, streamed.video.url);
  const polled = await client.run({ prompt, category: 'ad-creative' }, { stream: false, pollIntervalMs: 20 });
  t.equal(polled.job.status, 'completed');
});

t.test('listJobs pages and jobs() iterates over every cursor, filtered by status', async (t) => {
  const { server, client } = await signedIn({ LOCAL_WORKFLOW_DURATION_MS: '600000' });
  t.teardown(() => server.close());
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) ids.push((await client.createJob({ prompt: `${prompt} #${i}`, category: 'music-video' })).jobId);
  await client.cancelJob(ids[0] ?? '');
  const page = await client.listJobs({ limit: 2 });
  t.equal(page.jobs.length, 2);
  t.type(page.nextCursor, 'string');
  const all: string[] = [];
  for await (const job of client.jobs({ pageSize: 2 })) all.push(job.jobId);
  t.same(all, [...ids].reverse(), 'newest first, every page');
  const canceled: string[] = [];
  for await (const job of client.jobs({ status: 'canceled' })) canceled.push(job.jobId);
  t.same(canceled, [ids[0]]);
});

t.test('idempotency: the same key returns the same job; no key given makes a fresh one per call', async (t) => {
  const { server, client } = await signedIn({ LOCAL_WORKFLOW_DURATION_MS: '600000' });
  t.teardown(() => server.close());
  const first = await client.createJob({ prompt, category: 'music-video' }, { idempotencyKey: 'order-42' });
  const again = await client.createJob({ prompt, category: 'music-video' }, { idempotencyKey: 'order-42' });
  t.equal(again.jobId, first.jobId);
  const other = await client.createJob({ prompt, category: 'music-video' });
  const unkeyed = await client.createJob({ prompt, category: 'music-video' }, { idempotencyKey: false });
  t.not(other.jobId, first.jobId);
  t.not(unkeyed.jobId, other.jobId);
  t.equal((await client.usage()).used, 3, 'the replay consumed no quota');
  const reused = await client.createJob({ prompt: `${prompt}!`, category: 'music-video' }, { idempotencyKey: 'order-42' }).catch((e: unknown) => e);
  t.ok(reused instanceof OmniGenError);
  t.match(reused, { status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
});

t.test('cancel: cancelJob, then waiting rejects with JobCanceledError; a second cancel is JOB_FINISHED', async (t) => {
  const { server, client } = await signedIn({ LOCAL_WORKFLOW_DURATION_MS: '600000' });
  t.teardown(() => server.close());
  const { jobId } = await client.createJob({ prompt, category: 'music-video' });
  const waiting = client.waitForJob(jobId).catch((e: unknown) => e);
  const canceled = await client.cancelJob(jobId);
  t.equal(canceled.status, 'canceled');
  const err = await waiting;
  t.ok(err instanceof JobCanceledError, 'JobCanceledError');
  t.equal((err as JobCanceledError).job.jobId, jobId);
  t.match(await client.cancelJob(jobId).catch((e: unknown) => e), { status: 409, code: 'JOB_FINISHED' });
});

t.test('errors: OmniGenError carries status, code, details and the request id', async (t) => {
  const { server, client } = await signedIn({ LOCAL_WORKFLOW_DURATION_MS: '600000' });
  t.teardown(() => server.close());
  const invalid = await client.createJob({ prompt: 'short', category: 'music-video' }).catch((e: unknown) => e);
  t.ok(invalid instanceof OmniGenError);
  t.match(invalid, { name: 'OmniGenError', status: 400, code: 'VALIDATION_ERROR', details: { field: 'prompt' } });
  t.match((invalid as OmniGenError).requestId, /\S/);
  const missing = await client.getJob('00000000-0000-4000-8000-000000000000').catch((e: unknown) => e);
  t.match(missing, { status: 404, code: 'NOT_FOUND' });
  const { jobId } = await client.createJob({ prompt, category: 'music-video' });
  t.match(await client.video(jobId).catch((e: unknown) => e), { status: 409, code: 'JOB_NOT_READY' });
  t.match(await client.waitForJob('00000000-0000-4000-8000-000000000000').catch((e: unknown) => e), { status: 404, code: 'NOT_FOUND' }, 'waiting on a missing job fails at once');
  const stranger = new OmniGen({ baseUrl: server.base, token: 'not-a-token' });
  t.match(await stranger.usage().catch((e: unknown) => e), { status: 401, code: 'UNAUTHORIZED' });
  const timedOut = await client.waitForJob(jobId, { timeoutMs: 50 }).catch((e: unknown) => e);
  t.ok(timedOut instanceof TimeoutError, 'TimeoutError when the job outlives timeoutMs');
  t.equal((timedOut as TimeoutError).timeoutMs, 50);
  const controller = new AbortController();
  const aborted = client.waitForJob(jobId, { signal: controller.signal }).catch((e: unknown) => e);
  controller.abort(new Error('user gave up'));
  t.match(await aborted, { message: 'user gave up' }, "the caller's abort reason");
});

t.test('usage and getJob with getToken supplying the token per request', async (t) => {
  const server = await startLocalServer();
  t.teardown(() => server.close());
  let asked = 0;
  const client = new OmniGen({ baseUrl: server.base, getToken: async () => { asked++; return server.tokenFor('carol'); } });
  const usage = await client.usage();
  t.match(usage, { used: 0, limit: 10, remaining: 10 });
  const { jobId } = await client.createJob({ prompt, category: 'music-video' });
  t.equal((await client.getJob(jobId)).jobId, jobId);
  t.equal(asked, 3);
});

t.test('models, and a start image: uploadImage (POST /uploads + the presigned form) then a job that uses it', async (t) => {
  const { server, client } = await signedIn({ LOCAL_WORKFLOW_DURATION_MS: '600000' });
  t.teardown(() => server.close());
  const catalogue = await client.models();
  t.ok(catalogue.models.length > 0, 'the catalogue has models');
  t.type(catalogue.defaults['music-video'], 'string');
  const model = catalogue.models.find((m) => m.startImage);
  const uploaded = await client.uploadImage(join(projectRoot, 'test/media/fixtures/start-image.jpg'));
  t.equal(uploaded.contentType, 'image/jpeg');
  t.match(uploaded.uploadId, /\S/);
  if (!model) return t.fail('no model in the catalogue takes a start image');
  const job = await client.createJob({ prompt, category: 'music-video', model: model.id, startImage: uploaded.uploadId });
  t.equal(job.model, model.id);
  const unknown = await client.createJob({ prompt, category: 'music-video', model: model.id, startImage: '00000000-0000-4000-8000-000000000000' }).catch((e: unknown) => e);
  t.match(unknown, { name: 'OmniGenError', status: 400 }, 'an upload that does not exist is refused');
});
