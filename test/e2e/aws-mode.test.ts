import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import t from 'tap';
import { OmniGen } from '../../packages/client/src/index.ts';
import { browserLogin, refresh } from '../../packages/client/src/cli/login.ts';
import { bar, type FakeReplicate } from '../fakes/fake-replicate.ts';
import { cognitoToken, onApi, startAwsStandIns, type AwsStandIns } from '../helpers/aws-stand-ins.ts';
import { subOf } from '../helpers/cognito-stand-in.ts';
import { entryPoint, startServerProcess, type ServerProcess } from '../helpers/server-process.ts';

// The real server process (`node dist/main.js`) in aws mode, with every variable pointing at the stand-ins
// (dynalite, s3rver, the fake Step Functions, the Cognito stand-in), walked through the contract. The fake
// Step Functions runs each execution through the real state machine (workflow/state-machine.asl.json) with
// the project's Lambda handlers, against the fake Replicate.

const QUOTA = 3;

let stands: AwsStandIns;
let replicate: FakeReplicate;
let api: string;
let server: ServerProcess;

t.before(async () => {
  // The API gets PORT=0 and reports its port; its redirect URIs name a placeholder origin (onApi).
  stands = await startAwsStandIns({ workflow: { waitMs: 150 } });
  replicate = stands.replicate as FakeReplicate;
  t.comment(`server: node ${entryPoint().note}`);
  // Nothing from this process's environment leaks in: only what a container would be given.
  server = await startServerProcess({ ...stands.env, QUOTA_PER_MONTH: String(QUOTA), APP_SECRET: randomBytes(32).toString('base64url') });
  api = server.base;
});

t.teardown(async () => {
  server?.kill();
  await stands.stop();
});

const json = { 'content-type': 'application/json' };
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const create = (token: string, prompt = 'A neon city at night, synthwave') =>
  fetch(`${api}/api/v1/jobs`, { method: 'POST', headers: { ...bearer(token), ...json }, body: JSON.stringify({ prompt, category: 'music-video' }) });

const tokenFor = (username: string) => cognitoToken(stands, username);

t.test('ready: every check ok', async (t) => {
  const res = await fetch(`${api}/api/v1/health/ready`);
  const body = (await res.json()) as { checks: Record<string, string> };
  t.equal(res.status, 200, JSON.stringify(body));
  t.same(body.checks, { jobTable: 'ok', usageTable: 'ok', bucket: 'ok', stateMachine: 'ok', jwks: 'ok' });
});

t.test('local-only routes do not exist in aws mode', async (t) => {
  const devToken = await fetch(`${api}/api/v1/auth/dev-token`, { method: 'POST', headers: json, body: JSON.stringify({ userId: 'alice' }) });
  t.equal(devToken.status, 404);
  t.match(await devToken.json(), { code: 'NOT_FOUND' });
  t.equal((await fetch(`${api}/.well-known/jwks.json`)).status, 404);
});

t.test('sign in → create → the state machine generates it: progress → completed → video and thumbnail URLs → the bytes', async (t) => {
  // The login flow through the server process: login → the provider's authorize → callback → tokens.
  const login = await fetch(`${api}/api/v1/auth/login`, { redirect: 'manual' });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const authorize = new URL(login.headers.get('location') ?? '');
  authorize.searchParams.set('username', 'alice');
  const approved = await fetch(authorize, { redirect: 'manual' });
  const callback = await fetch(onApi(approved.headers.get('location') ?? '', api), { headers: { cookie } });
  t.equal(callback.status, 200, 'tokens from the callback');
  const { accessToken } = (await callback.json()) as { accessToken: string };

  const created = await create(accessToken);
  t.equal(created.status, 202);
  const job = (await created.json()) as { jobId: string; status: string };
  t.equal(created.headers.get('location'), `/api/v1/jobs/${job.jobId}`);
  const execution = stands.sfn.execution(job.jobId);
  t.equal(execution.status, 'RUNNING', 'the fake Step Functions has the execution, named by the job id');
  t.same(JSON.parse(execution.input), { jobId: job.jobId, userId: subOf('alice'), prompt: 'A neon city at night, synthwave', category: 'music-video', requestId: created.headers.get('x-request-id') });

  const videoKey = `videos/${job.jobId}.mp4`;
  // Progress is written to the job by the workflow's poll step; the API shows it as it is.
  let current = { status: 'pending', progress: 0, stage: '' };
  const seen: number[] = [];
  for (const started = Date.now(); current.status !== 'completed' && Date.now() - started < 20_000; await new Promise((r) => setTimeout(r, 50))) {
    current = (await (await fetch(`${api}/api/v1/jobs/${job.jobId}`, { headers: bearer(accessToken) })).json()) as typeof current;
    if (current.progress !== seen.at(-1)) seen.push(current.progress);
  }
  t.match(current, { status: 'completed', progress: 100, stage: 'done' });
  t.ok(seen.some((p) => p > 0 && p < 100), `progress seen on the way: ${seen.join(' → ')}`);
  t.same(seen, [...seen].sort((x, y) => x - y), 'never going down');
  t.equal(stands.sfn.execution(job.jobId).status, 'SUCCEEDED');
  t.same(JSON.parse(stands.sfn.execution(job.jobId).output ?? '{}'), { videoKey });

  const link = await fetch(`${api}/api/v1/jobs/${job.jobId}/video`, { headers: bearer(accessToken) });
  t.equal(link.status, 200);
  const { url, expiresAt, thumbnailUrl } = (await link.json()) as { url: string; expiresAt: string; thumbnailUrl?: string };
  const s3 = `${stands.env.AWS_ENDPOINT_URL_S3}/${stands.env.ASSETS_BUCKET}`;
  t.ok(url.startsWith(`${s3}/${videoKey}?`), 'a presigned, path-style S3 URL');
  t.ok(thumbnailUrl?.startsWith(`${s3}/videos/${job.jobId}.jpg?`), 'and one for the thumbnail beside it');
  t.ok(Date.parse(expiresAt) > Date.now() + 3_500_000, 'valid for VIDEO_URL_TTL_SECONDS (3600)');
  const file = await fetch(url);
  t.equal(file.status, 200, 'fetchable without auth');
  t.ok(Buffer.from(await file.arrayBuffer()).equals(await readFile('assets/sample.mp4')), 'the bytes the model made');
  const thumbnail = await fetch(thumbnailUrl ?? '');
  t.equal(thumbnail.headers.get('content-type'), 'image/jpeg');
  t.ok(Buffer.from(await thumbnail.arrayBuffer()).equals(await readFile('assets/sample.jpg')), 'its thumbnail');

  const other = await fetch(`${api}/api/v1/jobs/${job.jobId}`, { headers: bearer(await tokenFor('mallory')) });
  t.equal(other.status, 404, "another user's job is not found");
});

t.test('@omnigen/client in aws mode: the CLI sign-in (PKCE, loopback redirect), run() through Step Functions, the S3 video downloaded', async (t) => {
  // omnigen login's aws flow, with the browser played by fetch: the stand-in's authorize page signs "carol" in.
  const credentials = await browserLogin(api, {
    port: 0, log: () => {},
    open: (url) => void (async () => {
      const authorize = new URL(url);
      authorize.searchParams.set('username', 'carol');
      const approved = await fetch(authorize, { redirect: 'manual' });
      await fetch(approved.headers.get('location') ?? '');
    })(),
  });
  t.match(credentials, { accessToken: String, refreshToken: String, clientId: stands.env.COGNITO_CLIENT_ID });
  const renewed = await refresh({ ...credentials, expiresAt: 0 });
  t.not(renewed.accessToken, '', 'the refresh token is redeemed for a new access token');

  const client = new OmniGen({ baseUrl: api, token: renewed.accessToken });
  t.match(await client.devToken('alice').catch((e: unknown) => e), { status: 404, code: 'NOT_FOUND' }, 'no dev sign-in in aws mode');
  const { job, url } = await client.run({ prompt: 'A neon city at night, synthwave', category: 'music-video' });
  t.equal(job.status, 'completed');
  t.match(url, /^http/);
  const chunks: Uint8Array[] = [];
  const result = await client.downloadVideo(job.jobId, new WritableStream({ write: (c) => void chunks.push(c) }));
  t.equal(Buffer.concat(chunks).subarray(4, 8).toString('latin1'), 'ftyp', 'the MP4 from the bucket');
  t.equal(result.bytes, Buffer.concat(chunks).length);
  t.equal((await client.usage()).used, 1);
});

t.test(`quota: 20 concurrent creates with QUOTA_PER_MONTH=${QUOTA} → exactly ${QUOTA} accepted`, async (t) => {
  const token = await tokenFor('bob');
  const started = stands.sfn.calls.filter((c) => c.operation === 'StartExecution').length;
  const results = await Promise.all(Array.from({ length: 20 }, (_, i) => create(token, `Concurrent prompt number ${i}`)));
  const statuses = results.map((r) => r.status);
  t.equal(statuses.filter((s) => s === 202).length, QUOTA, statuses.join(' '));
  t.equal(statuses.filter((s) => s === 429).length, 20 - QUOTA);
  const refused = await Promise.all(results.filter((r) => r.status === 429).map((r) => r.json() as Promise<{ code: string }>));
  t.ok(refused.every((b) => b.code === 'QUOTA_EXCEEDED'));
  t.equal(stands.sfn.calls.filter((c) => c.operation === 'StartExecution').length - started, QUOTA, 'one execution per accepted job');
  const usage = (await (await fetch(`${api}/api/v1/usage`, { headers: bearer(token) })).json()) as { used: number; remaining: number };
  t.match(usage, { used: QUOTA, limit: QUOTA, remaining: 0 });
});

t.test('cancel mid-generation → canceled, the execution is stopped and the prediction canceled', async (t) => {
  replicate.script = Array.from({ length: 50 }, (_, i) => ({ status: 'processing' as const, logs: bar(i + 1) }));
  const token = await tokenFor('carol');
  const { jobId } = (await (await create(token, 'A slow render that is canceled midway')).json()) as { jobId: string };
  let running = { progress: 0 };
  for (const started = Date.now(); running.progress === 0 && Date.now() - started < 10_000; await new Promise((r) => setTimeout(r, 50))) {
    running = (await (await fetch(`${api}/api/v1/jobs/${jobId}`, { headers: bearer(token) })).json()) as typeof running;
  }
  t.ok(running.progress > 0, 'generating');
  const canceled = await fetch(`${api}/api/v1/jobs/${jobId}/cancel`, { method: 'POST', headers: bearer(token) });
  t.equal(canceled.status, 202);
  t.match(await canceled.json(), { jobId, status: 'canceled' });
  const executionArn = stands.sfn.executionArnOf(jobId);
  t.ok(stands.sfn.calls.some((c) => c.operation === 'StopExecution' && c.body.executionArn === executionArn), 'StopExecution for its execution');
  // Stopped by StopExecution (ABORTED), or, when its poll read the canceled record first, ended by the state
  // machine's own "ended while running" state (SUCCEEDED): which comes first is the scheduler's choice. The
  // script never lets the prediction succeed, so SUCCEEDED here is that state, not a finished video.
  t.match(stands.sfn.execution(jobId).status, /^(ABORTED|SUCCEEDED)$/, 'the execution ended');
  const prediction = [...replicate.predictions.values()].find((p) => p.input.prompt === 'A slow render that is canceled midway');
  t.equal(prediction?.status, 'canceled', 'the API canceled the prediction: no more billing');
  t.ok(replicate.cancels(prediction?.id ?? '') >= 1, 'the fake provider saw the cancel');
  const again = await fetch(`${api}/api/v1/jobs/${jobId}/cancel`, { method: 'POST', headers: bearer(token) });
  t.equal(again.status, 409);
  t.match(await again.json(), { code: 'JOB_FINISHED' });
});

t.test('a start image in aws mode: posted to the bucket with the signed form, handed to the provider as a signed GET URL; the spend settles', async (t) => {
  replicate.script = [{ status: 'processing', logs: bar(50) }, { status: 'succeeded', logs: bar(100), output: 'VIDEO_AND_THUMBNAIL' }];
  const client = new OmniGen({ baseUrl: api, token: await tokenFor('dave') });
  const image = await readFile('test/media/fixtures/start-image.jpg');
  const { uploadId } = await client.uploadImage('test/media/fixtures/start-image.jpg');
  const prompt = 'A lighthouse at dawn, from a photo';
  const { job } = await client.run({ prompt, category: 'music-video', startImage: uploadId });
  t.match(job, { status: 'completed', options: { startImage: uploadId }, estimatedCostUsd: 0.7, costUsd: 0.7 });
  const prediction = [...replicate.predictions.values()].find((p) => p.input.prompt === prompt);
  const url = String(prediction?.input.start_image);
  t.same(Object.keys(prediction?.input ?? {}).sort(), ['aspect_ratio', 'duration', 'prompt', 'start_image'], "Kling's inputs, as its catalogue entry names them");
  t.match(url, new RegExp(`/inputs/${job.jobId}/start-image\\?.*X-Amz-Signature=`), "a presigned GET of the job's own copy");
  t.same(Buffer.from(await (await fetch(url)).arrayBuffer()), image, 'the provider fetches the uploaded bytes');
  t.match(await client.usage(), { used: 1, spentUsd: 0.7 }, "the month's spend is the job's cost");
});

t.test('not ready once Step Functions is down: 503 naming the check', async (t) => {
  await stands.sfn.close();
  // Readiness results are cached for 5 s.
  let res: Response | undefined;
  let body: { code?: string; error?: string; details?: { checks?: Record<string, string> } } = {};
  for (const started = Date.now(); Date.now() - started < 12_000; await new Promise((r) => setTimeout(r, 500))) {
    res = await fetch(`${api}/api/v1/health/ready`);
    body = (await res.json()) as typeof body;
    if (res.status === 503) break;
  }
  t.equal(res?.status, 503);
  t.equal(res?.headers.get('retry-after'), '5');
  t.match(body, { code: 'SERVICE_UNAVAILABLE', error: /stateMachine/ });
  t.match(body.details?.checks, { jobTable: 'ok', usageTable: 'ok', bucket: 'ok', jwks: 'ok', stateMachine: /^failed/ });
});

t.test('SIGTERM → a clean exit, status 0', async (t) => {
  server.child.kill('SIGTERM');
  t.equal(await server.exited, 0, `${server.err()}\n${server.out()}`.slice(-2000));
});
