import { Writable } from 'node:stream';
import t from 'tap';
import { JobFailedError, OmniGen, TimeoutError, parseEventStream, verifyWebhook } from '../../packages/client/src/index.ts';
import { retryAfterSeconds } from '../../packages/client/src/errors.ts';
import { sniffImageType } from '../../packages/client/src/upload.ts';

// The client's less travelled paths, against a scripted fetch: defaults, odd answers, error bodies that
// are not the contract's, and an event stream that never ends by itself.
type Handler = (request: Request) => Response | Promise<Response>;
function scripted(handler: Handler, options: { baseUrl?: string } = {}) {
  const seen: Request[] = [];
  const sleeps: number[] = [];
  const client = new OmniGen({
    ...options, token: 'tok',
    retry: { random: () => 0.5, sleep: async (ms) => void sleeps.push(ms) },
    fetch: async (input) => {
      seen.push(input as Request);
      return handler(input as Request);
    },
  });
  return { client, seen, sleeps };
}
const json = (body: unknown, status = 200, headers: Record<string, string> = {}) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
const job = (status: string, extra: Record<string, unknown> = {}) => ({ jobId: 'j-1', status, prompt: 'A neon city at night', category: 'music-video', progress: status === 'completed' ? 100 : 10, createdAt: '2026-11-27T10:30:45.123Z', updatedAt: '2026-11-27T10:30:45.123Z', ...extra });
const sse = (...jobs: unknown[]) => new Response(jobs.map((j) => `event: job\ndata: ${JSON.stringify(j)}\n\n`).join(''), { headers: { 'content-type': 'text/event-stream' } });

t.test("defaults: local mode's URL; devToken with an email", async (t) => {
  const { client, seen } = scripted(() => json({ accessToken: 'a', tokenType: 'Bearer', expiresIn: 3600 }));
  t.equal(client.baseUrl, 'http://127.0.0.1:8080');
  await client.devToken('alice', { email: 'alice@example.com' });
  t.equal(seen[0]?.url, 'http://127.0.0.1:8080/api/v1/auth/dev-token');
  t.same(await seen[0]?.json(), { userId: 'alice', email: 'alice@example.com' });
});

t.test('errors that are not the contract: a status text, a plain-text body on the event stream; Retry-After parsing', async (t) => {
  const { client } = scripted(() => new Response('no such route', { status: 404, statusText: 'Not Found' }));
  t.match(await client.waitForJob('j-1').catch((e: unknown) => e), { name: 'OmniGenError', status: 404, code: 'HTTP_404', message: 'HTTP 404 Not Found' });
  t.equal(retryAfterSeconds('not a date'), undefined);
  t.equal(retryAfterSeconds('  '), undefined);
  t.equal(retryAfterSeconds('Thu, 01 Jan 2026 00:00:00 GMT', Date.parse('2026-01-01T00:00:10Z')), 0, 'a date in the past: no wait');
  t.equal(retryAfterSeconds(' 12 '), 12);
});

t.test('a failed job without a failure record is JobFailedError UNKNOWN', async (t) => {
  const { client } = scripted(() => sse(job('failed')));
  const err = await client.waitForJob('j-1').catch((e: unknown) => e);
  t.ok(err instanceof JobFailedError);
  t.match(err, { code: 'UNKNOWN', message: /no reason given \(UNKNOWN\)/ });
});

t.test('waiting: other events are skipped; a stream without a body or a content type is polled, at 1 s by default', async (t) => {
  const skipped = scripted(() => new Response(`event: ping\ndata: {}\n\nevent: job\ndata: ${JSON.stringify(job('completed'))}\n\n`, { headers: { 'content-type': 'text/event-stream' } }));
  t.equal((await skipped.client.waitForJob('j-1')).status, 'completed');
  let polls = 0;
  for (const events of [() => new Response(null, { headers: { 'content-type': 'text/event-stream' } }), () => new Response('data: x\n\n', { headers: { 'content-type': '' } })]) {
    polls = 0;
    const { client, sleeps } = scripted((r) => (r.url.endsWith('/events') ? events() : json(job(++polls < 2 ? 'processing' : 'completed'))));
    t.equal((await client.waitForJob('j-1')).status, 'completed');
    t.same(sleeps, [1000], 'one poll interval of the default 1000 ms');
  }
});

t.test('a silent event stream that ignores its request signal still ends at timeoutMs and at abort', async (t) => {
  // As undici does once it has let go of the request: the body goes on regardless of the request's signal.
  const silent = () => new Response(new ReadableStream({ start: (c) => c.enqueue(new TextEncoder().encode(': hello\n\n')) }), { headers: { 'content-type': 'text/event-stream' } });
  const { client } = scripted(silent);
  const err = await client.waitForJob('j-1', { timeoutMs: 20 }).catch((e: unknown) => e);
  t.ok(err instanceof TimeoutError, 'TimeoutError, not a hang');
  const controller = new AbortController();
  const waiting = client.waitForJob('j-1', { signal: controller.signal }).catch((e: unknown) => e);
  setImmediate(() => controller.abort(new Error('enough')));
  t.match(await waiting, { message: 'enough' });
  const aborted = AbortSignal.abort(new Error('before'));
  const events: unknown[] = [];
  for await (const event of parseEventStream(silent().body as ReadableStream<Uint8Array>, aborted)) events.push(event);
  t.same(events, [], 'an already aborted signal ends the parse at once');
});

t.test('transport: a 503 without Retry-After backs off; a thrown non-Error is still a NETWORK_ERROR', async (t) => {
  let calls = 0;
  const busy = scripted(() => (++calls === 1 ? json({ error: 'busy', code: 'SERVICE_UNAVAILABLE' }, 503) : json(job('processing'))));
  await busy.client.getJob('j-1');
  t.same(busy.sleeps, [125], 'half of the first 250 ms ceiling');
  const odd = new OmniGen({ baseUrl: 'http://api.test', retry: { retries: 0 }, fetch: () => Promise.reject('socket gone') });
  t.match(await odd.getJob('j-1').catch((e: unknown) => e), { status: 0, code: 'NETWORK_ERROR', message: /\(socket gone\)/ });
});

t.test('uploads: WebP is recognised; a refusal with an empty body; a presigned answer without a body', async (t) => {
  const webp = new Uint8Array([0x52, 0x49, 0x46, 0x46, 0, 0, 0, 0, 0x57, 0x45, 0x42, 0x50]);
  t.equal(sniffImageType(webp), 'image/webp');
  t.equal(sniffImageType(new Uint8Array([0x52, 0x49, 0x46, 0x46, 0, 0, 0, 0, 0x41, 0x56, 0x49, 0x20])), undefined, 'RIFF but not WebP');
  let post = 0;
  const { client } = scripted((r) => (r.url.endsWith('/api/v1/uploads')
    ? json({ uploadId: 'u-1', url: 'http://bucket.test/', fields: {}, expiresAt: '2026-11-28T10:30:45.123Z' }, 201)
    : new Response(null, { status: ++post === 1 ? 403 : 201 })));
  t.match(await client.uploadImage(webp).catch((e: unknown) => e), { code: 'UPLOAD_REFUSED', message: 'The upload was refused (HTTP 403)' });
  t.match(await client.uploadImage(new Blob([webp])), { uploadId: 'u-1', contentType: 'image/webp' });
});

t.test('downloads: a Node writable under back-pressure; no content length; a file path that cannot be renamed into place', async (t) => {
  const video = Buffer.alloc(64 * 1024, 7);
  const { client } = scripted((r) => (new URL(r.url).pathname.endsWith('/video') ? json({ url: 'http://videos.test/v.mp4', expiresAt: '' }) : new Response(video)));
  const chunks: Buffer[] = [];
  // highWaterMark 1: every write asks the caller to wait for 'drain'.
  const slow = new Writable({ highWaterMark: 1, write: (chunk: Buffer, _e, done) => { chunks.push(chunk); setImmediate(done); } });
  const result = await client.downloadVideo('j-1', slow);
  t.equal(result.bytes, video.length);
  t.equal(result.contentType, undefined, 'no content type given');
  t.same(Buffer.concat(chunks), video);
  const err = await client.downloadVideo('j-1', '/proc/omnigen-cannot-write-here.mp4').catch((e: unknown) => e);
  t.match(err, { code: /^(ENOENT|EACCES|EROFS)$/ }, 'the file system error reaches the caller');
});

t.test('verifyWebhook reads a Headers object and plain records with array values', async (t) => {
  const secret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
  const body = '{"type":"webhook.test","timestamp":"2026-11-27T10:30:45.123Z","data":{}}';
  const timestamp = String(Math.floor(Date.now() / 1000));
  const { createHmac } = await import('node:crypto');
  const signature = `v1,${createHmac('sha256', Buffer.from('0123456789abcdef0123456789abcdef')).update(`msg_1.${timestamp}.${body}`).digest('base64')}`;
  t.equal((await verifyWebhook(body, new Headers({ 'webhook-id': 'msg_1', 'webhook-timestamp': timestamp, 'webhook-signature': signature }), secret)).type, 'webhook.test');
  t.equal((await verifyWebhook(body, { 'Webhook-Id': 'msg_1', 'webhook-timestamp': [timestamp], 'webhook-signature': ['v1,bm9wZQ==', signature] }, secret)).type, 'webhook.test', 'several signatures in an array');
  await t.rejects(verifyWebhook(body, { 'webhook-id': 'msg_1', 'webhook-timestamp': timestamp }, secret), { name: 'WebhookVerificationError' });
  await t.rejects(verifyWebhook(body, { 'webhook-id': 'msg_1', 'webhook-timestamp': timestamp, 'webhook-signature': signature }, 'whsec_a'), { name: 'WebhookVerificationError', message: /not base64/ });
});
