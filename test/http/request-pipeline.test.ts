import { Writable } from 'node:stream';
import t from 'tap';
import { pino } from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import { lazyChildLogger } from '../../src/adapters/http/plugins/lazy-child-logger.ts';
import { createLogger } from '../../src/adapters/observability/logger.ts';
import { buildTestApp } from '../helpers/test-app.ts';

// The per-request work of the pipeline (docs/performance.md): one log line without a child logger per
// request, CORS only for requests with an Origin (or OPTIONS).

function capture() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({ write(chunk: Buffer, _enc, done) { for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l)); done(); } });
  return { lines, logger: pino({ level: 'info' }, sink) as unknown as FastifyBaseLogger };
}

t.test('one request line with the request id; request.log still carries it when a handler logs', async (t) => {
  const { lines, logger } = capture();
  const { app, auth } = await buildTestApp({
    logger,
    publicRoutes: [(scope) => { scope.get('/api/v1/echo', async (request) => {
      request.log.warn({ step: 'echo' }, 'handler line');
      return { ok: true };
    }); }],
  });
  t.teardown(() => app.close());
  const plain = await app.inject({ method: 'GET', url: '/api/v1/usage', headers: { ...auth('alice'), 'x-request-id': 'req-plain' } });
  const echo = await app.inject({ method: 'GET', url: '/api/v1/echo', headers: { 'x-request-id': 'req-echo' } });
  t.equal(plain.headers['x-request-id'], 'req-plain');
  t.equal(echo.statusCode, 200);
  await new Promise((r) => setImmediate(r));
  const byId = (id: string) => lines.filter((l) => l.requestId === id);
  t.match(byId('req-plain'), [{ msg: 'request completed', endpoint: '/api/v1/usage', method: 'GET', statusCode: 200, userId: 'alice', duration: Number }]);
  t.equal(byId('req-plain').length, 1, 'exactly one line for a request that logs nothing else');
  t.match(byId('req-echo'), [{ msg: 'handler line', step: 'echo', level: 40 }, { msg: 'request completed', endpoint: '/api/v1/echo' }]);
});

t.test('a request\'s lines carry its id and the job it is about, also lines a use case writes to the process\'s logger', async (t) => {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({ write(chunk: Buffer, _enc, done) { for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l)); done(); } });
  const logger = createLogger({ service: 'omnigen-api', level: 'info', destination: sink });
  const { app, auth } = await buildTestApp({
    logger: logger as unknown as FastifyBaseLogger,
    publicRoutes: [(scope) => { scope.get('/api/v1/use-case', async () => {
      await new Promise((r) => setImmediate(r));
      logger.warn({ step: 'deep' }, 'a use case line');
      return { ok: true };
    }); }],
  });
  t.teardown(() => app.close());
  const created = await app.inject({ method: 'POST', url: '/api/v1/jobs', headers: { ...auth('alice'), 'x-request-id': 'req-create' }, payload: { prompt: 'A neon city at night, synthwave', category: 'music-video' } });
  t.equal(created.statusCode, 202);
  const { jobId } = created.json() as { jobId: string };
  await app.inject({ method: 'GET', url: `/api/v1/jobs/${jobId}`, headers: { ...auth('alice'), 'x-request-id': 'req-get' } });
  await app.inject({ method: 'GET', url: '/api/v1/jobs', headers: { ...auth('alice'), 'x-request-id': 'req-list' } });
  await app.inject({ method: 'GET', url: '/api/v1/use-case', headers: { 'x-request-id': 'req-deep' } });
  await new Promise((r) => setImmediate(r));
  const byId = (id: string) => lines.filter((l) => l.requestId === id).map(({ msg, jobId, endpoint }) => ({ msg, jobId, endpoint }));
  t.same(byId('req-create'), [{ msg: 'request completed', jobId, endpoint: '/api/v1/jobs' }], 'the job POST /jobs made');
  t.same(byId('req-get'), [{ msg: 'request completed', jobId, endpoint: '/api/v1/jobs/:id' }], 'the job a /jobs/:id route names');
  t.same(byId('req-list'), [{ msg: 'request completed', jobId: undefined, endpoint: '/api/v1/jobs' }], 'no job for a list');
  t.same(byId('req-deep'), [{ msg: 'a use case line', jobId: undefined, endpoint: undefined }, { msg: 'request completed', jobId: undefined, endpoint: '/api/v1/use-case' }]);
});

t.test('a 5xx is logged at error level as "request failed"', async (t) => {
  const { lines, logger } = capture();
  const { app } = await buildTestApp({
    logger,
    publicRoutes: [(scope) => { scope.get('/api/v1/boom', async () => { throw new Error('boom'); }); }],
  });
  t.teardown(() => app.close());
  const res = await app.inject({ method: 'GET', url: '/api/v1/boom', headers: { 'x-request-id': 'req-boom' } });
  t.equal(res.statusCode, 500);
  await new Promise((r) => setImmediate(r));
  t.match(lines.find((l) => l.requestId === 'req-boom' && l.msg === 'request failed'), { level: 50, statusCode: 500, endpoint: '/api/v1/boom' });
});

t.test('the lazy child builds the pino child once, on first use, with the bindings and options', async (t) => {
  const { lines, logger } = capture();
  let children = 0;
  const parent = new Proxy(logger, {
    get(target, key, receiver) {
      if (key === 'child') return (b: Record<string, unknown>, o: object) => { children++; return target.child(b, o); };
      return Reflect.get(target, key, receiver);
    },
  });
  const log = lazyChildLogger(parent, { requestId: 'r1' }, { level: 'warn' });
  t.equal(log.level, 'warn', 'level from the options before any line');
  log.info('dropped: below warn');
  log.debug('dropped');
  log.trace('dropped');
  log.silent('dropped');
  t.equal(children, 1, 'built on first use');
  log.warn({ a: 1 }, 'kept');
  log.error('kept too');
  log.fatal('and this');
  t.equal(children, 1, 'built once');
  log.level = 'info';
  t.equal(log.level, 'info');
  log.info('now kept');
  const grandchild = log.child({ part: 'x' });
  grandchild.info('from a grandchild');
  t.match(lines.map((l) => [l.requestId, l.msg]), [['r1', 'kept'], ['r1', 'kept too'], ['r1', 'and this'], ['r1', 'now kept'], ['r1', 'from a grandchild']]);
  t.equal(lazyChildLogger(logger, { requestId: 'r2' }, {}).level, 'info', 'level inherited without options');
});

t.test('CORS headers only for requests with an Origin; others get Vary: Origin', async (t) => {
  const { app, auth } = await buildTestApp({ corsOrigins: ['https://app.omnigen.test'] });
  t.teardown(() => app.close());
  const none = await app.inject({ method: 'GET', url: '/api/v1/usage', headers: auth('alice') });
  t.equal(none.statusCode, 200);
  t.notOk(none.headers['access-control-allow-origin']);
  t.notOk(none.headers['access-control-expose-headers']);
  t.match(none.headers.vary, /origin/i);
  const allowed = await app.inject({ method: 'GET', url: '/api/v1/usage', headers: { ...auth('alice'), origin: 'https://app.omnigen.test' } });
  t.equal(allowed.headers['access-control-allow-origin'], 'https://app.omnigen.test');
  t.match(allowed.headers['access-control-expose-headers'], /x-request-id/);
  t.match(allowed.headers.vary, /origin/i);
  const other = await app.inject({ method: 'GET', url: '/api/v1/usage', headers: { ...auth('alice'), origin: 'https://evil.test' } });
  t.notOk(other.headers['access-control-allow-origin']);
  const bareOptions = await app.inject({ method: 'OPTIONS', url: '/api/v1/jobs' });
  t.equal(bareOptions.statusCode, 204, 'OPTIONS without Origin still answered by @fastify/cors');
});
