import t from 'tap';
import { OmniGen, OmniGenError, TimeoutError } from '../../packages/client/src/index.ts';
import { Transport } from '../../packages/client/src/transport.ts';

// Retry and no-retry paths, against a scripted fetch: each call takes the next scripted answer, and the
// waits the client would make are recorded instead of slept (the jitter is a fixed 0.5).
type Answer = Response | Error;
const job = { jobId: '3f1c0000-0000-4000-8000-000000000001', status: 'pending', prompt: 'A neon city at night', category: 'music-video', progress: 0, createdAt: '2026-11-27T10:30:45.123Z', updatedAt: '2026-11-27T10:30:45.123Z' };
const json = (status: number, body: unknown, headers: Record<string, string> = {}) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
const errorBody = (code: string) => ({ error: code.toLowerCase(), code, timestamp: '2026-11-27T10:30:45.123Z' });
const refused = () => Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
const reset = () => Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });

function scripted(...answers: Answer[]) {
  const requests: Request[] = [];
  const waits: number[] = [];
  const client = new OmniGen({
    baseUrl: 'http://api.test',
    token: 'tok',
    fetch: async (input) => {
      requests.push(input as Request);
      const next = answers.shift();
      if (!next) throw new Error('no more scripted answers');
      if (next instanceof Error) throw next;
      return next;
    },
    retry: { random: () => 0.5, sleep: async (ms) => void waits.push(ms) },
  });
  return { client, requests, waits };
}

t.test('429 and 503 are retried after Retry-After; 5xx and network errors after a jittered backoff', async (t) => {
  const { client, requests, waits } = scripted(
    json(429, errorBody('RATE_LIMITED'), { 'retry-after': '7' }),
    json(503, errorBody('SERVICE_UNAVAILABLE'), { 'retry-after': '2' }),
    json(500, errorBody('INTERNAL_ERROR')),
    json(200, job),
  );
  t.equal((await client.getJob(job.jobId)).jobId, job.jobId);
  t.same(waits, [7000, 2000, 500], 'Retry-After seconds, then 0.5 × (250 ms × 2²)');
  t.equal(requests.length, 4);
  t.ok(requests.every((r) => r.headers.get('authorization') === 'Bearer tok'), 'every attempt carries the token');

  const network = scripted(reset(), reset(), json(200, job));
  await network.client.getJob(job.jobId);
  t.same(network.waits, [125, 250], 'full jitter over a doubling ceiling');
});

t.test('a create with an idempotency key is retried, with the same key and body every time', async (t) => {
  const { client, requests } = scripted(reset(), json(503, errorBody('SERVICE_UNAVAILABLE'), { 'retry-after': '1' }), json(202, { ...job, message: 'Video generation started' }));
  await client.createJob({ prompt: 'A neon city at night', category: 'music-video' });
  t.equal(requests.length, 3);
  const keys = new Set(requests.map((r) => r.headers.get('idempotency-key')));
  t.equal(keys.size, 1, 'one key for every attempt');
  t.match([...keys][0], /^[0-9a-f-]{36}$/, 'a UUID made for the caller');
  const bodies = await Promise.all(requests.map((r) => r.text()));
  t.same(new Set(bodies).size, 1, 'the same body every attempt');
});

t.test('a create without a key is never retried once the request was sent', async (t) => {
  for (const answer of [json(503, errorBody('SERVICE_UNAVAILABLE'), { 'retry-after': '1' }), json(500, errorBody('INTERNAL_ERROR')), reset()]) {
    const { client, requests, waits } = scripted(answer, json(202, job));
    const err = await client.createJob({ prompt: 'A neon city at night', category: 'music-video' }, { idempotencyKey: false }).catch((e: unknown) => e);
    t.ok(err instanceof OmniGenError);
    t.equal(requests.length, 1, `${(err as OmniGenError).code}: one attempt only`);
    t.equal(requests[0]?.headers.has('idempotency-key'), false);
    t.same(waits, []);
  }
  // cancel is a POST without a key either: the same rule.
  const cancel = scripted(json(502, errorBody('INTERNAL_ERROR')), json(202, job));
  t.match(await cancel.client.cancelJob(job.jobId).catch((e: unknown) => e), { status: 502 });
  t.equal(cancel.requests.length, 1);
});

t.test('a request that never left (connection refused) is retried even without a key', async (t) => {
  const { client, requests } = scripted(refused(), json(202, job));
  await client.createJob({ prompt: 'A neon city at night', category: 'music-video' }, { idempotencyKey: false });
  t.equal(requests.length, 2);
});

t.test('not retried: 4xx, QUOTA_EXCEEDED with a far Retry-After, 501; retries run out', async (t) => {
  const quota = scripted(json(429, errorBody('QUOTA_EXCEEDED'), { 'retry-after': '86400', 'x-request-id': 'req-1' }));
  const err = await quota.client.getJob(job.jobId).catch((e: unknown) => e);
  t.match(err, { status: 429, code: 'QUOTA_EXCEEDED', retryAfterSeconds: 86400, requestId: 'req-1' });
  t.equal(quota.requests.length, 1);
  const notFound = scripted(json(404, errorBody('NOT_FOUND')));
  t.match(await notFound.client.getJob(job.jobId).catch((e: unknown) => e), { status: 404 });
  t.equal(notFound.requests.length, 1);
  const notImplemented = scripted(new Response('nope', { status: 501 }));
  t.match(await notImplemented.client.usage().catch((e: unknown) => e), { status: 501, code: 'HTTP_501', message: 'HTTP 501' });
  const down = scripted(reset(), reset(), reset(), reset(), json(200, job));
  const gaveUp = await down.client.getJob(job.jobId).catch((e: unknown) => e);
  t.match(gaveUp, { name: 'OmniGenError', status: 0, code: 'NETWORK_ERROR' });
  t.match((gaveUp as Error).message, /ECONNRESET/);
  t.equal(down.requests.length, 4, 'the first attempt and 3 retries');
  const noRetryAfter = scripted(json(429, errorBody('RATE_LIMITED')));
  await noRetryAfter.client.usage().catch(() => {});
  t.equal(noRetryAfter.requests.length, 1, 'a 429 without Retry-After is not guessed at');
  const dated = scripted(json(503, errorBody('SERVICE_UNAVAILABLE'), { 'retry-after': new Date(Date.now() + 60_000 * 10).toUTCString() }));
  t.match(await dated.client.usage().catch((e: unknown) => e), { retryAfterSeconds: Number });
  t.equal(dated.requests.length, 1, 'an HTTP-date ten minutes out is past maxRetryAfterSeconds');
});

t.test('timeoutMs: an attempt without response headers in time is a TimeoutError (retried when safe)', async (t) => {
  let calls = 0;
  const hang = (input: string | URL | Request) => new Promise<Response>((_resolve, reject) => {
    calls++;
    const signal = (input as Request).signal;
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
  const client = new OmniGen({ baseUrl: 'http://api.test', fetch: hang, timeoutMs: 5, retry: { retries: 1, sleep: async () => {} } });
  const err = await client.getJob(job.jobId).catch((e: unknown) => e);
  t.ok(err instanceof TimeoutError);
  t.equal((err as TimeoutError).timeoutMs, 5);
  t.equal(calls, 2, 'the safe call was tried twice');
  calls = 0;
  t.ok((await client.createJob({ prompt: 'A neon city at night', category: 'music-video' }, { idempotencyKey: false }).catch((e: unknown) => e)) instanceof TimeoutError);
  t.equal(calls, 1);
});

t.test("the caller's abort stops retrying at once", async (t) => {
  const controller = new AbortController();
  const client = new OmniGen({
    baseUrl: 'http://api.test',
    fetch: async () => { controller.abort(new Error('stop')); throw reset(); },
    retry: { sleep: async () => {} },
  });
  t.match(await client.getJob(job.jobId, { signal: controller.signal }).catch((e: unknown) => e), { message: 'stop' });
});

t.test('the default sleep waits, and rejects when aborted', async (t) => {
  const transport = new Transport({ retry: { random: () => 1 } });
  t.equal(transport.backoffMs(10), 8000, 'capped at maxDelayMs');
  await transport.sleep(1);
  const controller = new AbortController();
  const sleeping = transport.sleep(60_000, controller.signal);
  controller.abort(new Error('woken'));
  await t.rejects(sleeping, { message: 'woken' });
  await t.rejects(transport.sleep(1, controller.signal), { message: 'woken' }, 'already aborted');
});
