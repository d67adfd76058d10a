import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import t from 'tap';
import { OmniGen, OmniGenError } from '../../packages/client/src/index.ts';

// Methods whose endpoints are being built in parallel (webhooks) and download paths the real server does
// not take on its own (an expired link, a server ignoring Range), against a scripted fetch.
type Handler = (request: Request) => Response | Promise<Response>;
function scripted(handler: Handler) {
  const seen: Array<{ method: string; path: string; body: string; range: string | null }> = [];
  const client = new OmniGen({
    baseUrl: 'http://api.test', token: 'tok', retry: { sleep: async () => {} },
    fetch: async (input) => {
      const request = input as Request;
      const url = new URL(request.url);
      seen.push({ method: request.method, path: url.pathname + url.search, body: await request.clone().text(), range: request.headers.get('range') });
      return handler(request);
    },
  });
  return { client, seen };
}
const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

t.test('webhook methods call the contract paths with the contract methods', async (t) => {
  const { client, seen } = scripted((r) => (r.method === 'DELETE' ? new Response(null, { status: 204 }) : json({ id: 'w1', secret: 'whsec_x', webhooks: [], deliveries: [] })));
  await client.createWebhook({ url: 'https://example.com/hook', events: ['job.completed'] });
  await client.listWebhooks();
  await client.getWebhook('w/1');
  await client.updateWebhook('w1', { enabled: false });
  await client.deleteWebhook('w1');
  await client.rotateWebhookSecret('w1');
  await client.testWebhook('w1');
  await client.webhookDeliveries('w1', { limit: 5, cursor: undefined });
  await client.retryWebhookDelivery('w1', 'd1');
  t.equal((await client.defaultWebhookSecret()).secret, 'whsec_x');
  t.same(seen.map((s) => `${s.method} ${s.path}`), [
    'POST /api/v1/webhooks', 'GET /api/v1/webhooks', 'GET /api/v1/webhooks/w%2F1', 'PATCH /api/v1/webhooks/w1', 'DELETE /api/v1/webhooks/w1',
    'POST /api/v1/webhooks/w1/rotate-secret', 'POST /api/v1/webhooks/w1/test', 'GET /api/v1/webhooks/w1/deliveries?limit=5',
    'POST /api/v1/webhooks/w1/deliveries/d1/retry', 'GET /api/v1/webhooks/secret',
  ]);
  t.same(JSON.parse(seen[0]?.body ?? ''), { url: 'https://example.com/hook', events: ['job.completed'] });
  t.same(JSON.parse(seen[3]?.body ?? ''), { enabled: false });
  const failing = scripted(() => new Response('upstream broke', { status: 400 }));
  t.match(await failing.client.listWebhooks().catch((e: unknown) => e), { status: 400, code: 'HTTP_400' }, 'a non-JSON error body still makes an OmniGenError');
});

t.test('downloads: an expired link is renewed; a server ignoring Range restarts a file, not a stream', async (t) => {
  const video = Buffer.from('0123456789abcdefghij');
  let links = 0;
  let gets = 0;
  const { client, seen } = scripted((r) => {
    const url = new URL(r.url);
    if (url.pathname.endsWith('/video')) return json({ url: `http://videos.test/v.mp4?link=${++links}`, expiresAt: '2026-11-27T10:30:45.123Z' });
    gets++;
    if (url.searchParams.get('link') === '1') return new Response('expired', { status: 403 });
    if (gets === 2) {
      // Half the body, then the connection drops.
      let pulled = false;
      // (Erroring the stream in start() would discard the queued chunk: the drop comes on the next pull.)
      return new Response(new ReadableStream({ pull(c) { if (pulled) return c.error(new Error('socket hang up')); pulled = true; c.enqueue(video.subarray(0, 8)); } }), { headers: { 'content-type': 'video/mp4', 'content-length': String(video.length) } });
    }
    // Ignores Range: the whole file again, 200.
    return new Response(video, { headers: { 'content-type': 'video/mp4', 'content-length': String(video.length) } });
  });
  const dir = await mkdtemp(join(tmpdir(), 'omnigen-client-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const result = await client.downloadVideo('j1', join(dir, 'v.mp4'));
  t.same(await readFile(join(dir, 'v.mp4')), video, 'restarted from zero, no duplicated bytes');
  t.equal(result.resumed, 1);
  t.equal(links, 2, 'a fresh link after the 403');
  t.same(seen.filter((s) => s.path.startsWith('/v.mp4')).map((s) => s.range), [null, null, 'bytes=8-']);
  t.same(await readdir(dir), ['v.mp4'], 'no .part file left');

  gets = 1; // the next GET drops half-way, the one after ignores Range
  links = 1; // the next link works at once
  const chunks: Buffer[] = [];
  const err = await client.downloadVideo('j1', new Writable({ write: (c: Buffer, _e, done) => { chunks.push(c); done(); } })).catch((e: unknown) => e);
  t.match(err, { name: 'OmniGenError', code: 'RESUME_NOT_POSSIBLE' }, 'a stream cannot take back what it got');
});

t.test('downloads: errors and a body that ends early without an error', async (t) => {
  const video = Buffer.from('0123456789');
  let gets = 0;
  const { client } = scripted((r) => {
    if (new URL(r.url).pathname.endsWith('/video')) return json({ url: 'http://videos.test/v.mp4', expiresAt: '2026-11-27T10:30:45.123Z' });
    gets++;
    const range = r.headers.get('range');
    if (!range) return new Response(video.subarray(0, 4), { headers: { 'content-type': 'video/mp4', 'content-range': `bytes 0-3/${video.length}` } });
    return new Response(video.subarray(4), { status: 206, headers: { 'content-type': 'video/mp4', 'content-range': `bytes 4-9/${video.length}` } });
  });
  const chunks: Uint8Array[] = [];
  const result = await client.downloadVideo('j1', new WritableStream({ write: (c) => void chunks.push(c) }));
  t.same(Buffer.concat(chunks), video);
  t.equal(result.resumed, 1);
  t.equal(gets, 2);

  const wrongOffset = scripted((r) => (new URL(r.url).pathname.endsWith('/video')
    ? json({ url: 'http://videos.test/v.mp4', expiresAt: '' })
    : r.headers.get('range') ? new Response('x', { status: 206, headers: { 'content-range': 'bytes 0-0/10' } }) : new Response('abc', { headers: { 'content-length': '10' } })));
  t.match(await wrongOffset.client.downloadVideo('j1', new WritableStream()).catch((e: unknown) => e), { code: 'BAD_RANGE' });
  const gone = scripted((r) => (new URL(r.url).pathname.endsWith('/video') ? json({ url: 'http://videos.test/v.mp4', expiresAt: '' }) : json({ error: 'gone', code: 'NOT_FOUND' }, 404)));
  t.match(await gone.client.downloadVideo('j1', new WritableStream()).catch((e: unknown) => e), { status: 404, code: 'NOT_FOUND' });
  const alwaysExpired = scripted((r) => (new URL(r.url).pathname.endsWith('/video') ? json({ url: 'http://videos.test/v.mp4', expiresAt: '' }) : new Response('', { status: 403 })));
  const expired = await alwaysExpired.client.downloadVideo('j1', new WritableStream()).catch((e: unknown) => e);
  t.ok(expired instanceof OmniGenError && expired.status === 403, 'gives up after five fruitless attempts');
  const noThumbnail = scripted(() => json({ url: 'http://videos.test/v.mp4', expiresAt: '' }));
  t.match(await noThumbnail.client.thumbnail('j1').catch((e: unknown) => e), { status: 404, code: 'NOT_FOUND' });
  const brokenThumbnail = scripted((r) => (new URL(r.url).pathname.endsWith('/video') ? json({ url: 'http://videos.test/v.mp4', thumbnailUrl: 'http://videos.test/t.jpg', expiresAt: '' }) : new Response('', { status: 403 })));
  t.match(await brokenThumbnail.client.thumbnail('j1').catch((e: unknown) => e), { status: 403 });
});
