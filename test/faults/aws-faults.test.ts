// Failing dependencies in aws mode, with the real AWS adapters over the wire: Step Functions refusing or
// hanging, DynamoDB throttling or hanging, S3 down, the JWKS endpoint down at start or mid-run. The client
// always gets the contract's error (503 with Retry-After, or 401 for tokens), within the configured
// timeouts, and nothing is lost: a job that could not start is failed and its quota unit is back.
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import t from 'tap';
import { makeKey } from '../auth/fixtures/auth-fixtures.ts';
import { contractProblem } from '../security/fixtures/contract.ts';
import { HANG_BUDGET_MS, buildFaultyAws, type FaultyAws } from './fixtures/aws-app.ts';

const PERIOD = new Date().toISOString().slice(0, 7);
const JOB = { prompt: 'A neon city at night, synthwave', category: 'music-video' };

/** A TCP server (on a port it got, not one probed for) that drops every connection at once: nothing answers. */
async function refusing(t: Parameters<typeof buildFaultyAws>[0]): Promise<string> {
  const server = createTcpServer((socket) => socket.on('error', () => undefined).destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A TCP server that accepts connections and never answers. */
async function blackHole(t: Parameters<typeof buildFaultyAws>[0]): Promise<string> {
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => void sockets.add(socket.on('error', () => undefined)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function expect503(t: Parameters<typeof buildFaultyAws>[0], res: { statusCode: number; headers: Record<string, unknown>; body: string }, name: string) {
  t.equal(res.statusCode, 503, `${name}: 503`);
  t.equal(contractProblem(503, res.headers['content-type'] as string, res.body), undefined, `${name}: the contract body`);
  t.equal(JSON.parse(res.body).code, 'SERVICE_UNAVAILABLE', `${name}: SERVICE_UNAVAILABLE`);
  t.match(String(res.headers['retry-after']), /^[1-9]\d*$/, `${name}: Retry-After`);
}

const create = (aws: FaultyAws, user: string) => aws.app.inject({ method: 'POST', url: '/api/v1/jobs', headers: aws.auth(user), payload: JOB });
const list = async (aws: FaultyAws, user: string) => (await aws.app.inject({ method: 'GET', url: '/api/v1/jobs', headers: aws.auth(user) })).json() as { jobs: Array<{ status: string; failure?: { code: string } }> };

t.test('Step Functions refuses to start: 503, the job is failed, the quota unit is back, the log says why', async (t) => {
  const aws = await buildFaultyAws(t, { s3Endpoint: await refusing(t) });
  aws.sfn.refuse({ status: 400, type: 'StateMachineDoesNotExist', message: 'State Machine Does Not Exist' }, 'StartExecution');
  const res = await create(aws, 'alice');
  expect503(t, res, 'create');
  t.equal(await aws.usage.used('alice', PERIOD), 0, 'the quota unit is back');
  const jobs = (await list(aws, 'alice')).jobs;
  t.equal(jobs.length, 1, 'the job is kept');
  t.equal(jobs[0]?.status, 'failed');
  t.equal(jobs[0]?.failure?.code, 'WORKFLOW_START_FAILED');
  const line = aws.logs.find((l) => /workflow could not be started/.test(String(l.msg)));
  t.ok(line, 'the log says the workflow could not start');
  t.match(JSON.stringify(line?.err), /StateMachineDoesNotExist/, 'and why (the Step Functions error)');
  t.equal(line?.level, 50, 'at error level');

  aws.sfn.heal();
  t.equal((await create(aws, 'alice')).statusCode, 202, 'once it recovers, a retry works');
  t.equal(await aws.usage.used('alice', PERIOD), 1);
});

t.test('Step Functions throttles, then hangs: 503 within the configured timeouts, quota back each time', async (t) => {
  const aws = await buildFaultyAws(t, { s3Endpoint: await refusing(t) });
  aws.sfn.refuse({ status: 400, type: 'ThrottlingException', message: 'Rate exceeded' }, 'StartExecution');
  expect503(t, await create(aws, 'bob'), 'throttled start');
  aws.sfn.heal();
  aws.sfn.refuse('hang', 'StartExecution');
  const started = Date.now();
  const res = await create(aws, 'bob');
  const took = Date.now() - started;
  expect503(t, res, 'hanging start');
  t.ok(took < HANG_BUDGET_MS, `answered in ${took} ms (budget ${HANG_BUDGET_MS} ms)`);
  t.equal(await aws.usage.used('bob', PERIOD), 0, 'both quota units are back');
  t.same((await list(aws, 'bob')).jobs.map((j) => j.status), ['failed', 'failed']);
});

t.test('DynamoDB throttles: 503 with Retry-After on every route that reads or writes it; readiness reports it', async (t) => {
  const aws = await buildFaultyAws(t, { s3Endpoint: await refusing(t) });
  const job = (await create(aws, 'carol')).json() as { jobId: string };
  aws.dynamo.mode = 'throttle';
  for (const [method, url] of [['POST', '/api/v1/jobs'], ['GET', '/api/v1/jobs'], ['GET', `/api/v1/jobs/${job.jobId}`], ['GET', `/api/v1/jobs/${job.jobId}/video`], ['POST', `/api/v1/jobs/${job.jobId}/cancel`], ['GET', `/api/v1/jobs/${job.jobId}/events`], ['GET', '/api/v1/usage']] as const) {
    const res = await aws.app.inject({ method, url, headers: aws.auth('carol'), ...(method === 'POST' && url.endsWith('/jobs') ? { payload: JOB } : {}) });
    expect503(t, res, `${method} ${url.replace(job.jobId, ':id')}`);
  }
  const ready = await aws.app.inject({ method: 'GET', url: '/api/v1/health/ready' });
  t.equal(ready.statusCode, 503, 'not ready');
  t.match(ready.json().details.checks, { jobTable: /^failed: DynamoDB is throttling/, usageTable: /^failed/ });
  aws.dynamo.mode = 'pass';
  t.equal((await aws.app.inject({ method: 'GET', url: `/api/v1/jobs/${job.jobId}`, headers: aws.auth('carol') })).statusCode, 200, 'back to normal');
  t.equal(await aws.usage.used('carol', PERIOD), 1, 'the throttled create used no quota');
});

t.test('DynamoDB throttles only the job write: the quota unit is given back', async (t) => {
  const aws = await buildFaultyAws(t, { s3Endpoint: await refusing(t) });
  aws.dynamo.only = ['PutItem'];
  aws.dynamo.mode = 'throttle';
  expect503(t, await create(aws, 'dave'), 'create');
  aws.dynamo.mode = 'pass';
  t.equal(await aws.usage.used('dave', PERIOD), 0, 'no quota used');
  t.same((await list(aws, 'dave')).jobs, [], 'no half-made job');
});

t.test('DynamoDB hangs: 503 within the configured request timeout', async (t) => {
  const aws = await buildFaultyAws(t, { s3Endpoint: await refusing(t) });
  const job = (await create(aws, 'erin')).json() as { jobId: string };
  aws.dynamo.mode = 'hang';
  for (const [method, url] of [['GET', `/api/v1/jobs/${job.jobId}`], ['POST', '/api/v1/jobs'], ['GET', '/api/v1/usage']] as const) {
    const started = Date.now();
    const res = await aws.app.inject({ method, url, headers: aws.auth('erin'), ...(method === 'POST' ? { payload: JOB } : {}) });
    const took = Date.now() - started;
    expect503(t, res, `${method} ${url}`);
    t.ok(took < HANG_BUDGET_MS, `${method} ${url} answered in ${took} ms (budget ${HANG_BUDGET_MS} ms)`);
  }
});

t.test('S3 down, or hanging: /video is 503 with Retry-After, the other routes are unaffected', async (t) => {
  for (const [name, endpoint] of [['connections dropped', await refusing(t)], ['a server that never answers', await blackHole(t)]] as const) {
    const aws = await buildFaultyAws(t, { s3Endpoint: endpoint });
    const job = (await create(aws, 'frank')).json() as { jobId: string };
    aws.sfn.succeed(job.jobId, { videoKey: `videos/${job.jobId}.mp4` });
    const read = await aws.app.inject({ method: 'GET', url: `/api/v1/jobs/${job.jobId}`, headers: aws.auth('frank') });
    t.equal(read.json().status, 'completed', `${name}: the job completed (reconciled with Step Functions)`);
    const started = Date.now();
    const video = await aws.app.inject({ method: 'GET', url: `/api/v1/jobs/${job.jobId}/video`, headers: aws.auth('frank') });
    expect503(t, video, `${name}: /video`);
    t.ok(Date.now() - started < HANG_BUDGET_MS, `${name}: within the timeout`);
    const ready = await aws.app.inject({ method: 'GET', url: '/api/v1/health/ready' });
    t.match(ready.json().details?.checks, { bucket: /^failed/ }, `${name}: readiness names the bucket`);
  }
});

t.test('JWKS down at start: tokens are 401 (not 500), readiness reports it, and it recovers', async (t) => {
  const aws = await buildFaultyAws(t, { s3Endpoint: await refusing(t), jwksDown: true });
  const res = await aws.app.inject({ method: 'GET', url: '/api/v1/usage', headers: aws.auth('gina') });
  t.equal(res.statusCode, 401);
  t.equal(contractProblem(401, res.headers['content-type'] as string, res.body), undefined, 'the contract body');
  const ready = await aws.app.inject({ method: 'GET', url: '/api/v1/health/ready' });
  t.equal(ready.statusCode, 503);
  t.match(ready.json().details.checks, { jwks: /^failed/ }, 'readiness names the JWKS');
  aws.jwks.mode = 'up';
  aws.clock.advance(61_000); // one refetch a minute at most
  t.equal((await aws.app.inject({ method: 'GET', url: '/api/v1/usage', headers: aws.auth('gina') })).statusCode, 200, 'keys fetched once it is back');
});

t.test('JWKS down mid-run: cached keys keep working, a new kid is 401, readiness reports it', async (t) => {
  const aws = await buildFaultyAws(t, { s3Endpoint: await refusing(t) });
  t.equal((await aws.app.inject({ method: 'GET', url: '/api/v1/usage', headers: aws.auth('hank') })).statusCode, 200, 'keys cached');
  aws.jwks.mode = 'down';
  aws.clock.advance(2 * 60_000);
  const fresh = aws.token('hank'); // a new token, signed by the cached key
  t.equal((await aws.app.inject({ method: 'GET', url: '/api/v1/usage', headers: { authorization: `Bearer ${fresh}` } })).statusCode, 200, 'the cached key still verifies');
  const rotated = aws.token('hank', makeKey('rotated-in'));
  const res = await aws.app.inject({ method: 'GET', url: '/api/v1/usage', headers: { authorization: `Bearer ${rotated}` } });
  t.equal(res.statusCode, 401, 'a token from an unknown kid is 401, not 500');
  t.equal(contractProblem(401, res.headers['content-type'] as string, res.body), undefined);
  const ready = await aws.app.inject({ method: 'GET', url: '/api/v1/health/ready' });
  t.equal(ready.statusCode, 503);
  t.match(ready.json().details.checks, { jwks: /^failed/, jobTable: 'ok' });
  t.equal(aws.jwks.fetches <= 3, true, `the JWKS was asked ${aws.jwks.fetches} times, not once per request`);
});
