import { readFile } from 'node:fs/promises';
import Fastify from 'fastify';
import t, { type Test } from 'tap';
import { localUploadRoutes } from '../../src/adapters/http/routes/local-upload.routes.ts';
import { InMemoryUploadRepository } from '../../src/adapters/local/in-memory-upload-repository.ts';
import { LocalUploadStorage } from '../../src/adapters/local/local-upload-storage.ts';
import { LocalVideoStorage } from '../../src/adapters/local/local-video-storage.ts';
import { CheckStartImage } from '../../src/application/check-start-image.ts';
import { jobInputKey } from '../../src/domain/upload.ts';
import { CreateUpload } from '../../src/application/create-upload.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { bundledCatalogue } from '../../src/catalogue/catalogue-config.ts';
import models from '../../src/catalogue/models.json' with { type: 'json' };
import { findModel, parseCatalogue } from '../../src/domain/model-catalogue.ts';

const fixture = (name: string) => readFile(new URL(`../media/fixtures/${name}`, import.meta.url));
const png = await fixture('image.png');
const jpg = await fixture('image.jpg');
const webp = await fixture('image.webp');

function setup(t: Test) {
  const dir = t.testdir();
  const clock = new FakeClock();
  const files = new LocalVideoStorage({ dir, publicUrl: 'http://localhost:8080', secret: 's' });
  const storage = new LocalUploadStorage(files, { dir, publicUrl: 'http://localhost:8080', secret: 's' });
  const uploads = new InMemoryUploadRepository();
  let n = 0;
  const ids = { newId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}` };
  const create = new CreateUpload({ uploads, storage, clock, ids });
  const check = new CheckStartImage({ uploads, storage, clock });
  /** Announces an upload as `declared`, then stores `bytes` at its key (as a form the bucket took would). */
  const upload = async (declared: { contentType: string; sizeBytes: number }, bytes?: Uint8Array, userId = 'alice') => {
    const form = await create.execute({ userId, ...declared });
    if (bytes) await storage.put(form.fields.key as string, bytes);
    return form.uploadId;
  };
  return { dir, clock, files, storage, uploads, create, check, upload };
}

t.test('a good upload: the job gets its own copy under inputs/, which the provider is signed a URL of', async (t) => {
  const s = setup(t);
  for (const [bytes, contentType] of [[png, 'image/png'], [jpg, 'image/jpeg'], [webp, 'image/webp']] as const) {
    const uploadId = await s.upload({ contentType, sizeBytes: bytes.byteLength }, bytes);
    const jobId = `job-${contentType.slice(6)}`;
    t.same(await s.check.execute({ userId: 'alice', uploadId, jobId, limits: { minWidth: 16, minHeight: 16, maxWidth: 64, maxHeight: 64 } }), { key: jobInputKey(jobId), contentType });
    t.same(await s.storage.read(jobInputKey(jobId), bytes.byteLength), bytes, 'the copy is the file');
    t.match((await s.storage.signedUrl(jobInputKey(jobId), 600, s.clock.now())).url, /^http:\/\/localhost:8080\/api\/v1\/videos\/inputs\//);
  }
});

t.test('refused with 400 VALIDATION_ERROR on startImage, and no copy left: every way an upload can be wrong', async (t) => {
  const s = setup(t);
  const bigger = Buffer.concat([png, Buffer.alloc(7)]);
  const cases: [string, () => Promise<string>, string, string?][] = [
    ['bigger than declared', () => s.upload({ contentType: 'image/png', sizeBytes: png.byteLength }, bigger), 'sizeBytes'],
    ['smaller than declared', () => s.upload({ contentType: 'image/png', sizeBytes: png.byteLength + 1 }, png), 'sizeBytes'],
    ['another type than declared', () => s.upload({ contentType: 'image/png', sizeBytes: jpg.byteLength }, jpg), 'contentType'],
    ['not an image at all', () => s.upload({ contentType: 'image/png', sizeBytes: 12 }, Buffer.from('#!/bin/sh\nrm')), 'contentType'],
    ['never posted', () => s.upload({ contentType: 'image/png', sizeBytes: png.byteLength }), 'present'],
    ['another user\'s', () => s.upload({ contentType: 'image/png', sizeBytes: png.byteLength }, png, 'bob'), 'exists'],
    ['no such upload', async () => '00000000-0000-4000-8000-999999999999', 'exists'],
    ['too small for the model', () => s.upload({ contentType: 'image/png', sizeBytes: png.byteLength }, png), 'dimensions', 'small'],
  ];
  for (const [name, make, constraint, limits] of cases) {
    const uploadId = await make();
    const jobId = `job-${name.replace(/\W+/g, '-')}`;
    const err = await s.check.execute({ userId: 'alice', uploadId, jobId, ...(limits ? { limits: { minWidth: 300, minHeight: 300, maxWidth: 4096, maxHeight: 4096 } } : {}) }).then(() => undefined, (e: unknown) => e);
    t.match(err, { code: 'VALIDATION_ERROR', details: { field: 'startImage', constraint } }, name);
    t.equal(await s.storage.read(jobInputKey(jobId), 10), undefined, `${name}: no copy kept`);
  }
});

t.test("a model's own limits from the catalogue: types, bytes, sides, aspect ratio; refused with the limit named", async (t) => {
  const s = setup(t);
  const kling = findModel(bundledCatalogue(), 'kwaivgi/kling-v2.5-turbo-pro')?.startImageLimits;
  t.same(kling, { types: ['image/jpeg', 'image/png'], maxBytes: 10 * 1024 * 1024, minWidth: 300, minHeight: 300, maxAspectRatio: 2.5 }, 'Kling takes JPEG or PNG, ≥ 300 px, 1:2.5 to 2.5:1');
  const [good, sample, wide] = await Promise.all([readFile('test/media/fixtures/start-image.jpg'), readFile('assets/sample.jpg'), readFile('test/media/fixtures/wide.jpg')]);
  const cases: [string, Uint8Array, string, object, string, unknown?][] = [
    ['WebP for a model that takes JPEG and PNG', webp, 'image/webp', { types: ['image/jpeg', 'image/png'] }, 'contentType', ['image/jpeg', 'image/png']],
    ['more bytes than the model takes', good, 'image/jpeg', { maxBytes: good.byteLength - 1 }, 'maxBytes'],
    ['320×180 where 300 px a side is the least', sample, 'image/jpeg', kling ?? {}, 'dimensions'],
    ['800×300 where 2.5:1 is the widest', wide, 'image/jpeg', kling ?? {}, 'aspectRatio'],
    ['480×320 where 400 px wide is the most', good, 'image/jpeg', { maxWidth: 400 }, 'dimensions'],
  ];
  for (const [name, bytes, contentType, limits, constraint, allowed] of cases) {
    const uploadId = await s.upload({ contentType, sizeBytes: bytes.byteLength }, bytes);
    const err = await s.check.execute({ userId: 'alice', uploadId, jobId: 'job-limits', limits }).then(() => undefined, (e: unknown) => e);
    t.match(err, { code: 'VALIDATION_ERROR', details: { field: 'startImage', constraint, ...(allowed ? { allowed } : {}) } }, name);
    t.equal(await s.storage.read(jobInputKey('job-limits'), 10), undefined, `${name}: no copy kept`);
  }
  const uploadId = await s.upload({ contentType: 'image/jpeg', sizeBytes: good.byteLength }, good);
  t.same(await s.check.execute({ userId: 'alice', uploadId, jobId: 'job-ok', limits: kling ?? {} }), { key: jobInputKey('job-ok'), contentType: 'image/jpeg' }, 'a 480×320 JPEG is one Kling takes');
});

t.test('the catalogue refuses limits that are not limits', async (t) => {
  const doc = structuredClone(models) as { models: Record<string, unknown>[] };
  (doc.models[0] as Record<string, unknown>).startImageLimits = { types: ['image/gif'], minWidth: -1, maxSides: 3 };
  t.throws(() => parseCatalogue(doc), /startImageLimits\.types: must list some of image\/jpeg, image\/png, image\/webp; .*startImageLimits\.minWidth: must be a number > 0; .*startImageLimits\.maxSides: is not a limit/);
  (doc.models[0] as Record<string, unknown>).startImageLimits = 'small';
  t.throws(() => parseCatalogue(doc), /startImageLimits: must be an object/);
});

t.test('an upload past its 24 h is refused; the sweep deletes files no job used once they are that old', async (t) => {
  const s = setup(t);
  const uploadId = await s.upload({ contentType: 'image/png', sizeBytes: png.byteLength }, png);
  s.clock.advance(24 * 60 * 60 * 1000);
  const err = await s.check.execute({ userId: 'alice', uploadId, jobId: 'late' }).then(() => undefined, (e: unknown) => e);
  t.match(err, { details: { field: 'startImage', constraint: 'expired' } });
  const removed = await s.storage.sweep(new Date(Date.now() + 1000));
  t.same(removed, [`uploads/alice/${uploadId}`]);
  t.same(await s.storage.sweep(new Date(Date.now() + 1000)), [], 'nothing left');
  t.same(await s.storage.sweep(new Date(0)), [], 'younger files are kept');
});

t.test('the local upload endpoint refuses a form whose policy expired (its own clock)', async (t) => {
  const s = setup(t);
  const form = await s.create.execute({ userId: 'alice', contentType: 'image/png', sizeBytes: png.byteLength });
  const app = Fastify();
  await app.register(localUploadRoutes, { storage: s.storage, clock: s.clock });
  t.teardown(() => app.close());
  const send = async () => {
    const body = new FormData();
    for (const [name, value] of Object.entries(form.fields)) body.append(name, value);
    body.append('file', new Blob([png], { type: 'image/png' }));
    const request = new Request('http://x/', { method: 'POST', body });
    return app.inject({ method: 'POST', url: '/local-uploads', headers: Object.fromEntries(request.headers), payload: Buffer.from(await request.arrayBuffer()) });
  };
  s.clock.advance(60 * 60 * 1000 - 1);
  t.equal((await send()).statusCode, 204, 'a millisecond before the hour is up');
  s.clock.advance(1);
  const late = await send();
  t.equal(late.statusCode, 400);
  // A bare Fastify here: the service's error handler turns this into the contract's body (local-uploads.test.ts).
  t.match(late.json(), { message: /the policy has expired/ });
});
