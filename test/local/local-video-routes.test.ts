import t, { type Test } from 'tap';
import { flipBase64urlChar } from '../helpers/tamper.ts';
import Fastify from 'fastify';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { API_PREFIX } from '../../src/adapters/http/app.ts';
import { useErrorFormat } from '../../src/adapters/http/error-handler.ts';
import { localVideoRoutes } from '../../src/adapters/http/routes/local-video.routes.ts';
import { useStrictValidation } from '../../src/adapters/http/validation.ts';
import { LocalVideoStorage } from '../../src/adapters/local/local-video-storage.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { buildTestApp } from '../helpers/test-app.ts';

const SAMPLE = path.resolve('assets/sample.mp4');
const KEY = 'videos/3f1c2b1e-0000-4000-8000-000000000001.mp4';

/** The plugin on a bare Fastify instance with the app's validator and error format, and one stored video. */
async function videoApp(t: Test) {
  const clock = new FakeClock('2026-11-27T10:00:00.000Z');
  const storage = new LocalVideoStorage({ dir: t.testdir(), publicUrl: 'http://localhost:8080', secret: 'test-secret' });
  await storage.save(KEY, SAMPLE);
  const app = Fastify();
  useStrictValidation(app);
  useErrorFormat(app);
  await app.register(localVideoRoutes, { prefix: API_PREFIX, storage, clock });
  t.teardown(() => app.close());
  const bytes = await readFile(SAMPLE);
  /** The path and query of a fresh signed link to `key`. */
  const link = async (key = KEY, ttlSeconds = 3600) => {
    const url = new URL((await storage.signedUrl(key, ttlSeconds, clock.now())).url);
    return url.pathname + url.search;
  };
  return { app, clock, storage, bytes, link };
}

t.test('the whole video, with the headers a <video> element needs', async (t) => {
  const { app, bytes, link } = await videoApp(t);
  const res = await app.inject({ method: 'GET', url: await link() });
  t.equal(res.statusCode, 200);
  t.equal(res.headers['content-type'], 'video/mp4');
  t.equal(res.headers['accept-ranges'], 'bytes');
  t.equal(res.headers['content-length'], String(bytes.length));
  t.equal(res.headers['cache-control'], 'private, max-age=3600');
  t.notOk(res.headers['content-range']);
  t.ok(res.rawPayload.equals(bytes), 'body is the stored file, byte for byte');
});

t.test('a thumbnail stored with put() is served as image/jpeg', async (t) => {
  const { app, storage, link } = await videoApp(t);
  const jpeg = await readFile(path.resolve('assets/sample.jpg'));
  const key = KEY.replace(/\.mp4$/, '.jpg');
  await storage.put(key, jpeg);
  const res = await app.inject({ method: 'GET', url: await link(key) });
  t.equal(res.statusCode, 200);
  t.equal(res.headers['content-type'], 'image/jpeg');
  t.same(res.rawPayload, jpeg);
});

t.test('byte ranges: 206 with content-range (RFC 9110 §14)', async (t) => {
  const { app, bytes, link } = await videoApp(t);
  const url = await link();
  const size = bytes.length;
  const cases: Array<[string, number, number]> = [
    ['bytes=0-99', 0, 99],
    ['bytes=1000-1999', 1000, 1999],
    ['bytes=5000-', 5000, size - 1],
    ['bytes=-500', size - 500, size - 1],
    ['bytes=100-99999999', 100, size - 1],
    ['bytes=-99999999', 0, size - 1],
    [`bytes=${size - 1}-${size - 1}`, size - 1, size - 1],
    ['BYTES=0-0', 0, 0],
  ];
  for (const [range, start, end] of cases) {
    const res = await app.inject({ method: 'GET', url, headers: { range } });
    t.equal(res.statusCode, 206, range);
    t.equal(res.headers['content-range'], `bytes ${start}-${end}/${size}`, range);
    t.equal(res.headers['content-length'], String(end - start + 1), range);
    t.equal(res.headers['content-type'], 'video/mp4', range);
    t.ok(res.rawPayload.equals(bytes.subarray(start, end + 1)), `${range}: the right bytes`);
  }
});

t.test('a range past the end: 416 with content-range bytes */size', async (t) => {
  const { app, bytes, link } = await videoApp(t);
  const url = await link();
  for (const range of [`bytes=${bytes.length}-`, `bytes=${bytes.length + 10}-${bytes.length + 20}`, 'bytes=-0']) {
    const res = await app.inject({ method: 'GET', url, headers: { range } });
    t.equal(res.statusCode, 416, range);
    t.equal(res.headers['content-range'], `bytes */${bytes.length}`, range);
    t.match(res.json(), { code: 'RANGE_NOT_SATISFIABLE', error: String, timestamp: String }, range);
  }
});

t.test('ranges the server may ignore are answered with the whole file', async (t) => {
  const { app, bytes, link } = await videoApp(t);
  const url = await link();
  const ignored = [
    { range: 'bytes=0-1,5-9' }, // several ranges
    { range: 'bytes=9-5' }, // last before first: invalid
    { range: 'bytes=-' },
    { range: 'items=0-9' }, // another unit
    { range: 'bytes=0-9', 'if-range': '"some-etag"' }, // we give no validators, so none matches
  ];
  for (const headers of ignored) {
    const res = await app.inject({ method: 'GET', url, headers });
    t.equal(res.statusCode, 200, JSON.stringify(headers));
    t.equal(res.rawPayload.length, bytes.length, JSON.stringify(headers));
  }
});

t.test('HEAD: the same headers, no body', async (t) => {
  const { app, bytes, link } = await videoApp(t);
  const url = await link();
  const full = await app.inject({ method: 'HEAD', url });
  t.equal(full.statusCode, 200);
  t.equal(full.headers['content-length'], String(bytes.length));
  t.equal(full.headers['content-type'], 'video/mp4');
  t.equal(full.headers['accept-ranges'], 'bytes');
  t.equal(full.rawPayload.length, 0);
  const part = await app.inject({ method: 'HEAD', url, headers: { range: 'bytes=10-19' } });
  t.equal(part.statusCode, 206);
  t.equal(part.headers['content-length'], '10');
  t.equal(part.headers['content-range'], `bytes 10-19/${bytes.length}`);
  t.equal((await app.inject({ method: 'HEAD', url: `${url}x` })).statusCode, 403);
});

t.test('403 FORBIDDEN for a missing, tampered or expired signature, never 400', async (t) => {
  const { app, clock, storage, link } = await videoApp(t);
  await storage.save('videos/other.mp4', SAMPLE);
  const url = new URL(await link(), 'http://x');
  const expires = url.searchParams.get('expires') ?? '';
  const signature = url.searchParams.get('signature') ?? '';
  const base = `${API_PREFIX}/videos/${KEY}`;
  const forbidden = {
    'no query': base,
    'no signature': `${base}?expires=${expires}`,
    'no expires': `${base}?signature=${signature}`,
    'another key': `${API_PREFIX}/videos/videos/other.mp4?expires=${expires}&signature=${signature}`,
    'a later expiry': `${base}?expires=${Number(expires) + 60}&signature=${signature}`,
    'a changed signature': `${base}?expires=${expires}&signature=${flipBase64urlChar(signature)}`,
    'a malformed signature': `${base}?expires=${expires}&signature=%3Cscript%3E`,
    'a path escape': `${API_PREFIX}/videos/..%2F..%2Fetc%2Fpasswd?expires=${expires}&signature=${signature}`,
  };
  for (const [what, bad] of Object.entries(forbidden)) {
    const res = await app.inject({ method: 'GET', url: bad });
    t.equal(res.statusCode, 403, what);
    t.match(res.json(), { code: 'FORBIDDEN', error: String, timestamp: String }, what);
  }
  t.equal((await app.inject({ method: 'GET', url: url.pathname + url.search })).statusCode, 200, 'the untouched link works');
  clock.advance(3600 * 1000);
  const expired = await app.inject({ method: 'GET', url: url.pathname + url.search });
  t.equal(expired.statusCode, 403, 'expired');
  t.equal(expired.json().code, 'FORBIDDEN');
});

t.test('cache lifetime follows the link: max-age is the time left', async (t) => {
  const { app, clock, link } = await videoApp(t);
  const url = await link(KEY, 600);
  clock.advance(100_500);
  const res = await app.inject({ method: 'GET', url, headers: { range: 'bytes=0-0' } });
  t.equal(res.headers['cache-control'], 'private, max-age=499');
});

t.test('404 NOT_FOUND for a validly signed key with no file', async (t) => {
  const { app, link } = await videoApp(t);
  const res = await app.inject({ method: 'GET', url: await link('videos/missing.mp4') });
  t.equal(res.statusCode, 404);
  t.match(res.json(), { code: 'NOT_FOUND' });
});

t.test('in the app: a public route (no bearer token) under /api/v1', async (t) => {
  const storage = new LocalVideoStorage({ dir: t.testdir(), publicUrl: 'http://localhost:8080', secret: 's' });
  await storage.save(KEY, SAMPLE);
  const { app } = await buildTestApp({
    publicRoutes: [(open) => open.register(localVideoRoutes, { prefix: API_PREFIX, storage })],
  });
  t.teardown(() => app.close());
  const url = new URL((await storage.signedUrl(KEY, 60, new Date())).url);
  const ok = await app.inject({ method: 'GET', url: url.pathname + url.search, headers: { range: 'bytes=0-9' } });
  t.equal(ok.statusCode, 206);
  t.equal(ok.rawPayload.length, 10);
  t.ok(ok.headers['x-request-id'], 'the app-wide request id is there');
  const denied = await app.inject({ method: 'GET', url: url.pathname });
  t.equal(denied.statusCode, 403);
  t.match(denied.json(), { code: 'FORBIDDEN', error: String, timestamp: String });
});
