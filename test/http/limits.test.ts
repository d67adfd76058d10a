import t from 'tap';
import { buildTestApp } from '../helpers/test-app.ts';

t.test('401 for a missing, malformed or untrusted token', async (t) => {
  const { app } = await buildTestApp();
  t.teardown(() => app.close());
  for (const authorization of [undefined, 'Basic YWxpY2U6c2VjcmV0', 'Bearer', 'Bearer a b', 'Bearer not-trusted']) {
    const res = await app.inject({ method: 'GET', url: '/api/v1/jobs', headers: authorization ? { authorization } : {} });
    t.equal(res.statusCode, 401, String(authorization));
    t.equal(res.json().code, 'UNAUTHORIZED');
    t.equal(res.headers['www-authenticate'], 'Bearer');
  }
  const lower = await app.inject({ method: 'GET', url: '/api/v1/usage', headers: { authorization: 'bearer user.alice' } });
  t.equal(lower.statusCode, 200, 'the scheme is case-insensitive (RFC 7235)');
});

t.test('rate limit: 100 per sliding minute per user, with headers and Retry-After', async (t) => {
  const { app, auth, clock } = await buildTestApp({ rateLimitPerMin: 5 });
  t.teardown(() => app.close());
  const get = (user: string) => app.inject({ method: 'GET', url: '/api/v1/usage', headers: auth(user) });
  const first = await get('alice');
  t.equal(first.headers['x-ratelimit-limit'], '5');
  t.equal(first.headers['x-ratelimit-remaining'], '4');
  t.equal(first.headers['x-ratelimit-reset'], '60');
  clock.advance(30_000);
  for (let i = 0; i < 4; i++) t.equal((await get('alice')).statusCode, 200);
  const limited = await get('alice');
  t.equal(limited.statusCode, 429);
  t.equal(limited.json().code, 'RATE_LIMITED');
  t.equal(limited.headers['retry-after'], '30', 'the first request leaves the window in 30 s');
  t.equal(limited.headers['x-ratelimit-remaining'], '0');
  t.equal((await get('bob')).statusCode, 200, 'per user');
  clock.advance(30_001);
  t.equal((await get('alice')).statusCode, 200, 'sliding: the oldest request has left the window');
  t.equal((await get('alice')).statusCode, 429, 'but the other four are still inside it');
});

t.test('/health is never limited; public routes are limited per client IP', async (t) => {
  const { app } = await buildTestApp({ rateLimitPerMin: 2 });
  t.teardown(() => app.close());
  for (let i = 0; i < 5; i++) t.equal((await app.inject({ method: 'GET', url: '/api/v1/health' })).statusCode, 200);
  const docs = [];
  for (let i = 0; i < 3; i++) docs.push(await app.inject({ method: 'GET', url: '/api/v1/docs/json', remoteAddress: '10.0.0.1' }));
  t.same(docs.map((r) => r.statusCode), [200, 200, 429]);
  t.equal((await app.inject({ method: 'GET', url: '/api/v1/docs/json', remoteAddress: '10.0.0.2' })).statusCode, 200);
});

t.test('readiness names what failed', async (t) => {
  const { app } = await buildTestApp({
    readiness: { jobs: async () => {}, storage: async () => { throw new Error('bucket missing'); } },
  });
  t.teardown(() => app.close());
  const res = await app.inject({ method: 'GET', url: '/api/v1/health/ready' });
  t.equal(res.statusCode, 503);
  t.equal(res.json().code, 'SERVICE_UNAVAILABLE');
  t.match(res.json().error, /storage/);
  t.notMatch(res.json().error, /jobs/);
  t.ok(res.headers['retry-after']);
  const ok = await buildTestApp({ readiness: { jobs: async () => {} } });
  t.teardown(() => ok.app.close());
  const fine = await ok.app.inject({ method: 'GET', url: '/api/v1/health/ready' });
  t.same(fine.json(), { status: 'ok', checks: { jobs: 'ok' } });
});

t.test('CORS preflight needs no token and exposes the contract headers', async (t) => {
  const { app } = await buildTestApp({ corsOrigins: ['https://app.omnigen.test'] });
  t.teardown(() => app.close());
  const res = await app.inject({
    method: 'OPTIONS', url: '/api/v1/jobs',
    headers: { origin: 'https://app.omnigen.test', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,idempotency-key' },
  });
  t.equal(res.statusCode, 204);
  t.equal(res.headers['access-control-allow-origin'], 'https://app.omnigen.test');
  const other = await app.inject({ method: 'OPTIONS', url: '/api/v1/jobs', headers: { origin: 'https://evil.test', 'access-control-request-method': 'POST' } });
  t.not(other.headers['access-control-allow-origin'], 'https://evil.test');
});

t.test('OpenAPI document lists every route', async (t) => {
  const { app } = await buildTestApp();
  t.teardown(() => app.close());
  const doc = (await app.inject({ method: 'GET', url: '/api/v1/docs/json' })).json();
  t.equal(doc.openapi, '3.0.3');
  for (const path of ['/api/v1/jobs', '/api/v1/jobs/{id}', '/api/v1/jobs/{id}/video', '/api/v1/jobs/{id}/cancel', '/api/v1/usage', '/api/v1/health', '/api/v1/health/ready']) {
    t.ok(doc.paths[path], path);
  }
  t.ok(doc.paths['/api/v1/jobs'].post.responses['202']);
  const ui = await app.inject({ method: 'GET', url: '/api/v1/docs' });
  t.ok([200, 302].includes(ui.statusCode));
});
