import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { JobFailedError, OmniGen, OmniGenError, type Job } from '../../packages/client/src/index.ts';
import { startLocalServer } from '../helpers/local-server.ts';
import { projectRoot } from '../helpers/server-process.ts';
import { startChildrenUnmeasured } from '../helpers/unmeasured.ts';

// The type generator's run (a tool) is unmeasured (helpers/unmeasured.ts).
startChildrenUnmeasured();

const prompt = 'A neon city at night, synthwave';

/**
 * A proxy in front of the real server that drops connections on purpose: `cut(req)` returns after how
 * many response bytes to destroy the socket (undefined: pass through untouched).
 */
async function faultyProxy(target: string, cut: (req: IncomingMessage) => number | undefined) {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const limit = cut(req);
    const upstream = httpRequest(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      res.flushHeaders();
      let sent = 0;
      answer.on('data', (chunk: Buffer) => {
        if (limit === undefined) return void res.write(chunk);
        const room = limit - sent;
        sent += chunk.length;
        if (room <= 0) return;
        // Cut only once the bytes before the cut have left, so the client has really read them.
        if (sent < limit) return void res.write(chunk);
        res.write(chunk.subarray(0, room), () => {
          answer.destroy();
          res.socket?.destroy();
        });
      });
      answer.on('end', () => res.end());
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}

t.test('an event stream dropped mid-job: the client reconnects and still sees the job complete', async (t) => {
  const server = await startLocalServer({ LOCAL_WORKFLOW_DURATION_MS: '1500' });
  t.teardown(() => server.close());
  let streams = 0;
  // The first stream is cut 40 bytes in, in the middle of its first event, long before the job ends.
  const proxy = await faultyProxy(server.base, (req) => (req.url?.endsWith('/events') && ++streams === 1 ? 40 : undefined));
  t.teardown(() => proxy.close());
  const client = new OmniGen({ baseUrl: proxy.base, token: await server.tokenFor('alice') });
  const { jobId } = await client.createJob({ prompt, category: 'music-video' });
  const seen: Job[] = [];
  const job = await client.waitForJob(jobId, { onProgress: (j) => seen.push(j) });
  t.equal(job.status, 'completed');
  t.ok(streams >= 2, `reconnected (${streams} streams)`);
  t.equal(seen.at(-1)?.status, 'completed');
});

t.test('a video download dropped mid-body resumes with Range and writes the whole file', async (t) => {
  const server = await startLocalServer();
  t.teardown(() => server.close());
  const direct = new OmniGen({ baseUrl: server.base, token: await server.tokenFor('alice') });
  const { job } = await direct.run({ prompt, category: 'music-video' });
  const whole = Buffer.from(await (await fetch((await direct.video(job.jobId)).url)).arrayBuffer());
  const ranges: Array<string | undefined> = [];
  let downloads = 0;
  const proxy = await faultyProxy(server.base, (req) => {
    if (!req.url?.includes('/videos/')) return undefined;
    ranges.push(req.headers.range);
    return ++downloads === 1 ? 1000 : undefined;
  });
  t.teardown(() => proxy.close());
  // The video URL names the real server; point the client's fetch for it at the proxy.
  const client = new OmniGen({
    baseUrl: server.base, token: await server.tokenFor('alice'),
    fetch: (input, init) => fetch(new Request(String((input as Request).url).replace(server.base, proxy.base), input as Request), init),
    retry: { sleep: async () => {} },
  });
  const dir = await mkdtemp(join(tmpdir(), 'omnigen-client-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const result = await client.downloadVideo(job.jobId, join(dir, 'clip.mp4'));
  t.equal(result.resumed, 1);
  t.same(ranges, [undefined, 'bytes=1000-'], 'the second request asks for the rest');
  t.same(await readFile(join(dir, 'clip.mp4')), whole, 'byte for byte the video');
});

t.test('a failed job rejects waitForJob with JobFailedError and its failure code', async (t) => {
  const failed = { jobId: 'j-1', status: 'failed', prompt, category: 'music-video', progress: 30, createdAt: '2026-11-27T10:30:45.123Z', updatedAt: '2026-11-27T10:30:45.123Z', failure: { code: 'PROVIDER_REJECTED', message: 'The model provider refused the prompt' } };
  const client = new OmniGen({
    baseUrl: 'http://api.test',
    fetch: async () => new Response(`event: job\ndata: ${JSON.stringify({ ...failed, status: 'processing' })}\n\nevent: job\ndata: ${JSON.stringify(failed)}\n\n`, { headers: { 'content-type': 'text/event-stream' } }),
  });
  const err = await client.waitForJob('j-1').catch((e: unknown) => e);
  t.ok(err instanceof JobFailedError);
  t.equal((err as JobFailedError).code, 'PROVIDER_REJECTED');
  t.match((err as Error).message, /refused the prompt/);
});

t.test('no event stream possible (429 too many streams, or not text/event-stream): the client polls', async (t) => {
  const done = { jobId: 'j-2', status: 'completed', prompt, category: 'music-video', progress: 100, createdAt: '2026-11-27T10:30:45.123Z', updatedAt: '2026-11-27T10:30:45.123Z' };
  for (const streamAnswer of [
    () => new Response(JSON.stringify({ error: 'Too many open event streams', code: 'RATE_LIMITED' }), { status: 429, headers: { 'content-type': 'application/json' } }),
    () => new Response('<html>proxy page</html>', { headers: { 'content-type': 'text/html' } }),
  ]) {
    const paths: string[] = [];
    const client = new OmniGen({
      baseUrl: 'http://api.test',
      retry: { retries: 0 },
      fetch: async (input) => {
        const path = new URL((input as Request).url).pathname;
        paths.push(path);
        return path.endsWith('/events') ? streamAnswer() : new Response(JSON.stringify(done), { headers: { 'content-type': 'application/json' } });
      },
    });
    t.equal((await client.waitForJob('j-2')).status, 'completed');
    t.same(paths, ['/api/v1/jobs/j-2/events', '/api/v1/jobs/j-2']);
  }
  // A stream that keeps ending with no event is given up for polling after three tries.
  let streams = 0;
  const client = new OmniGen({
    baseUrl: 'http://api.test',
    retry: { sleep: async () => {} },
    fetch: async (input) => (new URL((input as Request).url).pathname.endsWith('/events')
      ? (streams++, new Response(': ping\n\n', { headers: { 'content-type': 'text/event-stream' } }))
      : new Response(JSON.stringify(done), { headers: { 'content-type': 'application/json' } })),
  });
  t.equal((await client.waitForJob('j-2')).status, 'completed');
  t.equal(streams, 3);
});

t.test('uploadImage: POST /uploads, then the presigned form POST (fields first, the file last)', async (t) => {
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
  const seen: Array<{ url: string; auth: string | null; body?: string; type?: string | null }> = [];
  const client = new OmniGen({
    baseUrl: 'http://api.test', token: 'tok',
    fetch: async (input) => {
      const request = input as Request;
      if (request.url === 'http://api.test/api/v1/uploads') {
        seen.push({ url: request.url, auth: request.headers.get('authorization'), body: await request.text() });
        return new Response(JSON.stringify({ uploadId: 'u-1', url: 'http://bucket.test/', fields: { key: 'uploads/u-1', Policy: 'p' }, expiresAt: '2026-11-28T10:30:45.123Z' }), { status: 201 });
      }
      seen.push({ url: request.url, auth: request.headers.get('authorization'), type: request.headers.get('content-type'), body: Buffer.from(await request.arrayBuffer()).toString('latin1') });
      return new Response(null, { status: seen.length === 2 ? 204 : 403 });
    },
  });
  const uploaded = await client.uploadImage(new Blob([png]));
  t.same(uploaded, { uploadId: 'u-1', expiresAt: '2026-11-28T10:30:45.123Z', contentType: 'image/png', sizeBytes: png.length });
  t.same(JSON.parse(seen[0]?.body ?? ''), { contentType: 'image/png', sizeBytes: png.length });
  t.equal(seen[0]?.auth, 'Bearer tok');
  t.equal(seen[1]?.auth, null, 'the presigned POST carries no bearer token');
  t.match(seen[1]?.type, /^multipart\/form-data/);
  const form = seen[1]?.body ?? '';
  t.ok(form.indexOf('uploads/u-1') < form.indexOf(png.toString('latin1')), 'the policy fields come before the file');
  const refused = await client.uploadImage(png).catch((e: unknown) => e);
  t.match(refused, { name: 'OmniGenError', status: 403, code: 'UPLOAD_REFUSED' });
  const dir = await mkdtemp(join(tmpdir(), 'omnigen-client-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'not-an-image.png');
  await import('node:fs/promises').then((fs) => fs.writeFile(path, 'hello'));
  t.match(await client.uploadImage(path).catch((e: unknown) => e), { code: 'UNSUPPORTED_MEDIA_TYPE' }, 'the bytes decide, not the name');
  t.ok((await client.uploadImage(path).catch((e: unknown) => e)) instanceof OmniGenError);
});

t.test('the checked-in generated types are what the running service serves', async (t) => {
  const server = await startLocalServer();
  t.teardown(() => server.close());
  const run = promisify(execFile);
  const result = await run(process.execPath, ['scripts/generate-client-types.mjs', '--check', '--from', `${server.base}/api/v1/docs/json`], { cwd: projectRoot }).catch((e: { code: number; stderr: string }) => e);
  t.equal((result as { code?: number }).code ?? 0, 0, `${(result as { stderr: string }).stderr}npm run client:generate regenerates them`);
});
