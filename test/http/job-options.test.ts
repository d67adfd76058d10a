// POST /jobs options and GET /models: each option is checked against the chosen model's catalogue entry.
import t from 'tap';
import { buildTestApp } from '../helpers/test-app.ts';

const body = { prompt: 'A neon city at night, synthwave', category: 'music-video' };
const KLING = 'kwaivgi/kling-v2.5-turbo-pro';

t.test('GET /models lists the catalogue and each category default; it needs a token', async (t) => {
  const { app, auth } = await buildTestApp();
  t.teardown(() => app.close());
  t.equal((await app.inject({ method: 'GET', url: '/api/v1/models' })).statusCode, 401);
  const res = await app.inject({ method: 'GET', url: '/api/v1/models', headers: auth('alice') });
  t.equal(res.statusCode, 200);
  const list = res.json();
  t.same(list.defaults, { 'music-video': KLING, 'ad-creative': KLING });
  t.ok(list.models.length >= 3, 'at least three models');
  const kling = list.models.find((m: { id: string }) => m.id === KLING);
  t.match(kling, { provider: 'replicate', name: 'Kling 2.5 Turbo Pro', durations: [5, 10], aspectRatios: ['16:9', '9:16', '1:1'], startImage: true, negativePrompt: true, seed: false, price: { usdPerSecond: 0.07 } });
  t.same(kling.startImageLimits, { types: ['image/jpeg', 'image/png'], maxBytes: 10485760, minWidth: 300, minHeight: 300, maxAspectRatio: 2.5 }, 'what a start image must be for it, before one is uploaded');
  t.notOk('input' in kling || 'sources' in kling, "the provider's input names stay inside");
  t.match(list.categoryDefaults['ad-creative'], { model: KLING, durationSeconds: 5, aspectRatio: '9:16' });
});

t.test('a job without options echoes none and carries what the category gives: model, settings, estimated cost', async (t) => {
  const { app, auth } = await buildTestApp();
  t.teardown(() => app.close());
  const job = (await app.inject({ method: 'POST', url: '/api/v1/jobs', headers: auth('alice'), payload: body })).json();
  t.same(job.options, {});
  t.match(job, { model: KLING, provider: 'replicate', settings: { durationSeconds: 10, aspectRatio: '16:9', resolution: '1080p' }, estimatedCostUsd: 0.7 });
  const ad = (await app.inject({ method: 'POST', url: '/api/v1/jobs', headers: auth('alice'), payload: { ...body, category: 'ad-creative' } })).json();
  t.match(ad, { settings: { durationSeconds: 5, aspectRatio: '9:16' }, estimatedCostUsd: 0.35 });
});

t.test('options the model takes are echoed, settled and priced; GET returns the same', async (t) => {
  const { app, auth } = await buildTestApp();
  t.teardown(() => app.close());
  const options = { model: 'bytedance/seedance-1-lite', durationSeconds: 10, aspectRatio: '1:1', resolution: '480p', seed: 42 };
  const res = await app.inject({ method: 'POST', url: '/api/v1/jobs', headers: auth('alice'), payload: { ...body, ...options } });
  t.equal(res.statusCode, 202);
  const job = res.json();
  t.same(job.options, options);
  t.same(job.settings, { durationSeconds: 10, aspectRatio: '1:1', resolution: '480p', seed: 42 });
  t.equal(job.estimatedCostUsd, 0.18);
  t.same((await app.inject({ method: 'GET', url: `/api/v1/jobs/${job.jobId}`, headers: auth('alice') })).json().settings, job.settings);

  const other = (await app.inject({ method: 'POST', url: '/api/v1/jobs', headers: auth('alice'), payload: { ...body, model: 'minimax/hailuo-02' } })).json();
  t.same(other.settings, { durationSeconds: 10, aspectRatio: '16:9', resolution: '768p' }, "the category's 10 s and 16:9 where the model takes them, its own 768p");
});

t.test('a value the model does not take is 400 VALIDATION_ERROR with field, constraint and allowed', async (t) => {
  const { app, auth, workflow } = await buildTestApp();
  t.teardown(() => app.close());
  const refused = async (extra: object) => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/jobs', headers: auth('alice'), payload: { ...body, ...extra } });
    t.equal(res.statusCode, 400, JSON.stringify(extra));
    t.equal(res.json().code, 'VALIDATION_ERROR');
    return res.json().details;
  };
  t.same(await refused({ durationSeconds: 7 }), { field: 'durationSeconds', constraint: 'enum', allowed: [5, 10] });
  t.same(await refused({ aspectRatio: '4:3' }), { field: 'aspectRatio', constraint: 'enum', allowed: ['16:9', '9:16', '1:1'] });
  t.same(await refused({ resolution: '720p' }), { field: 'resolution', constraint: 'enum', allowed: ['1080p'] });
  t.same(await refused({ seed: 1 }), { field: 'seed', constraint: 'unsupported', allowed: [] });
  t.same(await refused({ model: 'minimax/hailuo-02', negativePrompt: 'blurry' }), { field: 'negativePrompt', constraint: 'unsupported', allowed: [] });
  t.same(await refused({ model: 'minimax/hailuo-02', resolution: '1080p', durationSeconds: 10 }), { field: 'durationSeconds', constraint: 'enum', allowed: [6] });
  t.match(await refused({ model: 'acme/unknown' }), { field: 'model', constraint: 'enum', allowed: ['kwaivgi/kling-v2.5-turbo-pro', 'minimax/hailuo-02', 'bytedance/seedance-1-lite'] });
  t.match(await refused({ seed: -1 }), { field: 'seed', constraint: 'minimum' });
  t.match(await refused({ seed: 2 ** 31 }), { field: 'seed', constraint: 'maximum' });
  t.match(await refused({ negativePrompt: 'x'.repeat(501) }), { field: 'negativePrompt', constraint: 'maxLength' });
  t.match(await refused({ startImage: 'not-an-upload-id' }), { field: 'startImage', constraint: 'pattern' });
  t.match(await refused({ durationSeconds: '5' }), { field: 'durationSeconds', constraint: 'type' });
  t.same(workflow.started, [], 'nothing refused was started');
});

t.test('the idempotency fingerprint covers every option', async (t) => {
  const { app, auth } = await buildTestApp();
  t.teardown(() => app.close());
  const headers = { ...auth('alice'), 'idempotency-key': 'k-1' };
  const first = await app.inject({ method: 'POST', url: '/api/v1/jobs', headers, payload: { ...body, durationSeconds: 5 } });
  const replay = await app.inject({ method: 'POST', url: '/api/v1/jobs', headers, payload: { ...body, durationSeconds: 5 } });
  t.equal(replay.json().jobId, first.json().jobId);
  for (const changed of [{ durationSeconds: 10 }, {}, { durationSeconds: 5, aspectRatio: '1:1' }, { durationSeconds: 5, negativePrompt: 'rain' }]) {
    const res = await app.inject({ method: 'POST', url: '/api/v1/jobs', headers, payload: { ...body, ...changed } });
    t.equal(res.statusCode, 422, JSON.stringify(changed));
  }
});
