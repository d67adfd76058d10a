import { inspect } from 'node:util';
import t from 'tap';
import { outputUrls, ReplicateVideoModel } from '../../src/adapters/replicate/replicate-video-model.ts';
import { createReplicateClient } from '../../src/adapters/replicate/replicate-client.ts';
import { predictionFailure } from '../../src/adapters/replicate/replicate-errors.ts';
import { bundledCatalogue, catalogueFrom } from '../../src/catalogue/catalogue-config.ts';
import { resolveOptions, type JobOptions } from '../../src/domain/job-options.ts';
import type { JobCategory } from '../../src/domain/job.ts';
import { bar, FakeReplicate } from '../fakes/fake-replicate.ts';

// The adapter over the wire against the fake Replicate, through the official client.

const fake = await FakeReplicate.start(t);
const VERSION = 'a'.repeat(64);

function model(options: { token?: string; now?: () => number; fetch?: typeof fetch } = {}) {
  return new ReplicateVideoModel({
    client: async () => createReplicateClient(options.token ?? 'r8_test_token', fake.baseUrl),
    now: options.now,
    fetch: options.fetch,
  });
}

/** A catalogue whose ad-creative model is pinned to a version (VIDEO_MODEL_AD_CREATIVE), as an operator may. */
const pinned = catalogueFrom({ VIDEO_MODEL_AD_CREATIVE: `kwaivgi/kling-v2.5-turbo-pro:${VERSION}` });

function request(prompt: string, category: JobCategory = 'ad-creative', options: JobOptions = {}, catalogue = pinned) {
  const { model: entry, settings } = resolveOptions(catalogue, category, options);
  return { jobId: 'j', prompt, model: entry, settings };
}

const start = (m = model(), category: JobCategory = 'ad-creative') => m.start(request('A neon city at night', category));

t.test("a pinned version is created through POST /predictions with the category's input; the id names its provider", async (t) => {
  fake.script = [{ status: 'processing' }];
  const { generationId } = await start();
  const call = fake.calls.at(-1);
  t.equal(call?.path, '/v1/predictions');
  t.same(call?.body, { version: VERSION, input: { prompt: 'A neon city at night', aspect_ratio: '9:16', duration: 5 } });
  t.match(generationId, /^replicate:/);
  t.match(fake.predictions.get(generationId.slice('replicate:'.length)), { status: 'starting' });
  t.match(await model().status(generationId.slice('replicate:'.length)), { state: 'running' }, "an id stored before ids named their provider still reads");
});

t.test("the provider receives exactly the inputs the model's catalogue entry maps the options to", async (t) => {
  const catalogue = bundledCatalogue();
  const sent = async (category: JobCategory, options: JobOptions, startImageUrl?: string) => {
    fake.script = [{ status: 'processing' }];
    await model().start({ ...request('A neon city at night', category, options, catalogue), ...(startImageUrl ? { startImageUrl } : {}) });
    const call = fake.calls.at(-1);
    // An official model runs by name: POST /v1/models/{owner}/{name}/predictions { input }.
    return { model: /^\/v1\/models\/(.+)\/predictions$/.exec(call?.path ?? '')?.[1], ...(call?.body as object) };
  };
  t.same(await sent('music-video', {}), { model: 'kwaivgi/kling-v2.5-turbo-pro', input: { prompt: 'A neon city at night', duration: 10, aspect_ratio: '16:9' } }, 'Kling takes no resolution input');
  t.same(await sent('music-video', { durationSeconds: 5, aspectRatio: '1:1', negativePrompt: 'blur' }, 'https://uploads.test/a.png'), {
    model: 'kwaivgi/kling-v2.5-turbo-pro',
    input: { prompt: 'A neon city at night', duration: 5, aspect_ratio: '1:1', negative_prompt: 'blur', start_image: 'https://uploads.test/a.png' },
  });
  t.same(await sent('ad-creative', { model: 'minimax/hailuo-02', resolution: '1080p' }, 'https://uploads.test/b.jpg'), {
    model: 'minimax/hailuo-02', input: { prompt: 'A neon city at night', duration: 6, resolution: '1080p', first_frame_image: 'https://uploads.test/b.jpg' },
  }, 'Hailuo: no aspect ratio input, its first frame under its own name, 6 s at 1080p');
  t.same(await sent('ad-creative', { model: 'bytedance/seedance-1-lite', seed: 42, durationSeconds: 10, resolution: '480p' }), {
    model: 'bytedance/seedance-1-lite', input: { prompt: 'A neon city at night', duration: 10, aspect_ratio: '9:16', resolution: '480p', seed: 42 },
  });
});

t.test('progress: from the logs when a bar is printed, else estimated from the time run (capped at 90)', async (t) => {
  fake.script = [{ status: 'processing', logs: `loading\n${bar(70)}` }];
  const logged = await start();
  t.same(await model().status(logged.generationId), { state: 'running', progress: 70, stage: 'rendering' });
  fake.script = [{ status: 'processing', logs: 'no bar here' }];
  const silent = await start();
  t.same(await model({ now: () => Date.now() + 60_000 }).status(silent.generationId), { state: 'running', progress: 45, stage: 'rendering' }, 'half the expected two minutes');
  t.match(await model({ now: () => Date.now() + 3_600_000 }).status(silent.generationId), { progress: 90 });
  fake.script = [{ status: 'starting' }];
  const booting = await start();
  t.match(await model().status(booting.generationId), { state: 'running', stage: 'scripting' });
});

t.test('ended predictions: succeeded, canceled; failed ones become PROVIDER_REJECTED or PROVIDER_FAILED', async (t) => {
  const m = model();
  fake.script = [{ status: 'succeeded', output: 'VIDEO_AND_THUMBNAIL' }];
  t.same(await m.status((await start()).generationId), { state: 'succeeded' });
  fake.script = [{ status: 'processing' }];
  const running = await start();
  await m.cancel(running.generationId);
  t.same(await m.status(running.generationId), { state: 'canceled' });
  fake.script = [{ status: 'failed', error: 'Your input was flagged as sensitive. Please try again with different inputs. (E005)' }];
  await t.rejects(m.status((await start()).generationId), { name: 'PROVIDER_REJECTED', code: 'PROVIDER_REJECTED' });
  fake.script = [{ status: 'failed', error: 'Prediction interrupted; please retry (code: PA)' }];
  await t.rejects(m.status((await start()).generationId), { code: 'PROVIDER_FAILED' });
  t.match(predictionFailure({ detail: 'odd' }), { code: 'PROVIDER_FAILED', message: /odd/ }, 'a non-string error');
  t.match(predictionFailure(undefined), { code: 'PROVIDER_FAILED' });
});

t.test('API errors: 422 refused, 401 a configuration problem, 5xx and network transient; canceling an unknown id is fine', async (t) => {
  await t.rejects(model().start(request('REFUSE_AT_CREATE this')), { code: 'PROVIDER_REJECTED' });
  const refused = await start(model({ token: 'r8_wrong_secret' })).catch((err: unknown) => err);
  t.match(refused, { code: 'PROVIDER_FAILED', message: /401/ });
  t.notOk(inspect(refused, { depth: 10 }).includes('r8_wrong_secret'), 'no trace of the token in what may be logged');
  fake.failNext(500, { method: 'POST' });
  await t.rejects(start(), { name: 'ProviderUnavailable' }, 'a create is not retried on 5xx by the client (it may have been made)');
  fake.failNext(503, { method: 'GET', times: 6 });
  fake.script = [{ status: 'processing' }];
  const { generationId } = await start();
  await t.rejects(model().status(generationId), { name: 'ProviderUnavailable' }, 'after the client\'s own retries');
  await model().cancel('no-such-prediction');
  fake.failNext(500, { method: 'POST', pathPart: '/cancel' });
  await t.rejects(model().cancel(generationId), { name: 'ProviderUnavailable' });
  const offline = new ReplicateVideoModel({ client: async () => createReplicateClient('t', 'http://127.0.0.1:9/v1') });
  await t.rejects(offline.status('x'), { name: 'ProviderUnavailable' });
});

t.test('result: the video and thumbnail bytes; a missing video or a gone file fail, a flaky download is transient', async (t) => {
  fake.script = [{ status: 'succeeded', output: 'VIDEO_AND_THUMBNAIL' }];
  const done = await start();
  await model().status(done.generationId);
  const files = await model().result(done.generationId);
  t.equal(files.video.contentType, 'video/mp4');
  t.equal(files.thumbnail?.contentType, 'image/jpeg');
  t.ok(files.video.body.length > 1000 && files.thumbnail && files.thumbnail.body.length > 1000);

  fake.script = [{ status: 'succeeded', output: `${fake.origin}/files/sample.mp4` }];
  const videoOnly = await start();
  await model().status(videoOnly.generationId);
  t.notOk((await model().result(videoOnly.generationId)).thumbnail, 'a model that makes no thumbnail');

  const octet = async () => new Response(Uint8Array.of(1), { headers: { 'content-type': 'application/octet-stream' } });
  t.equal((await model({ fetch: octet }).result(videoOnly.generationId)).video.contentType, 'video/mp4', 'a generic type falls back');
  await t.rejects(model({ fetch: async () => new Response('gone', { status: 404 }) }).result(videoOnly.generationId), { code: 'PROVIDER_FAILED' });
  await t.rejects(model({ fetch: async () => new Response('busy', { status: 503 }) }).result(videoOnly.generationId), { name: 'ProviderUnavailable' });
  await t.rejects(model({ fetch: async () => Promise.reject(new TypeError('fetch failed')) }).result(videoOnly.generationId), { name: 'ProviderUnavailable' });

  fake.script = [{ status: 'processing' }];
  const unfinished = await start();
  await t.rejects(model().result(unfinished.generationId), { code: 'PROVIDER_FAILED', message: /without a video/ });
});

t.test('outputs: a URL, a list (video and poster), an object naming them', async (t) => {
  t.same(outputUrls('https://x/v.mp4'), { video: 'https://x/v.mp4' });
  t.same(outputUrls(['https://x/poster.jpg', 'https://x/v.mp4?sig=1']), { video: 'https://x/v.mp4?sig=1', thumbnail: 'https://x/poster.jpg' });
  t.same(outputUrls(['https://x/out', 7]), { video: 'https://x/out', thumbnail: undefined });
  t.same(outputUrls({ video: 'https://x/v.mp4', poster: 'https://x/p.png' }), { video: 'https://x/v.mp4', thumbnail: 'https://x/p.png' });
  t.same(outputUrls(null), {});
});

t.test('run time: a succeeded prediction reports metrics.predict_time (what hardware-priced models bill)', async (t) => {
  fake.script = [{ status: 'succeeded', output: `${fake.origin}/files/sample.mp4` }];
  const done = await start();
  const prediction = fake.predictions.get(done.generationId.slice('replicate:'.length)) as unknown as Record<string, unknown>;
  prediction.metrics = { predict_time: 42.5 };
  t.same(await model().status(done.generationId), { state: 'succeeded', runSeconds: 42.5 });
  t.equal((await model().result(done.generationId)).runSeconds, 42.5);
});
