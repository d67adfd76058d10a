// Property-based bad input against every route of the real local composition, through app.inject:
// random methods, paths, path params, query strings, headers and bodies (JSON and not). Whatever comes
// in, the answer is a documented status with the contract's error body, never a 5xx, and nothing that
// arrives can reach Object.prototype.
import fc from 'fast-check';
import t from 'tap';
import { fuzzSeed } from '../helpers/fuzz.ts';
import { startLocalServer } from '../helpers/local-server.ts';
import { contractProblem } from './fixtures/contract.ts';

const SUCCESS = new Set([200, 202, 204, 206, 302, 304]);
const UUID = '3f1c2a4e-8b7d-4c1a-9e2f-0a1b2c3d4e5f';

// Every route the local composition serves, with :id where a path parameter goes.
const ROUTES: ReadonlyArray<readonly [string, string]> = [
  ['GET', '/api/v1/health'], ['GET', '/api/v1/health/ready'],
  ['GET', '/api/v1/auth/login'], ['POST', '/api/v1/auth/login'], ['GET', '/api/v1/auth/callback'],
  ['POST', '/api/v1/auth/logout'], ['POST', '/api/v1/auth/dev-token'],
  ['GET', '/.well-known/jwks.json'], ['GET', '/oauth2/authorize'], ['POST', '/oauth2/token'], ['GET', '/logout'],
  ['POST', '/api/v1/jobs'], ['GET', '/api/v1/jobs'], ['GET', '/api/v1/jobs/:id'], ['GET', '/api/v1/jobs/:id/video'],
  ['POST', '/api/v1/jobs/:id/cancel'], ['GET', '/api/v1/jobs/:id/events'], ['GET', '/api/v1/usage'],
  ['GET', '/api/v1/videos/videos/:id.mp4'], ['GET', '/'], ['GET', '/app.js'], ['GET', '/api/v1/docs/json'], ['GET', '/docs'],
];

const POLLUTING_QUERIES = [
  '__proto__[polluted]=yes', '__proto__.polluted=yes', 'constructor[prototype][polluted]=yes',
  'constructor.prototype.polluted=yes', '__proto__=yes', 'constructor=yes', 'prototype[polluted]=yes',
];
const POLLUTING_BODIES = [
  '{"__proto__":{"polluted":"yes"},"prompt":"A neon city at night","category":"music-video"}',
  '{"constructor":{"prototype":{"polluted":"yes"}},"prompt":"A neon city at night","category":"music-video"}',
  '{"prompt":"A neon city at night","category":"music-video","__proto__":{"polluted":"yes"}}',
  '{"userId":"mallory","__proto__":{"polluted":"yes"}}',
  '[{"__proto__":{"polluted":"yes"}}]',
  '__proto__[polluted]=yes&grant_type=authorization_code',
  '{"__proto__":{"__proto__":{"polluted":"yes"}}}',
];

const text = (max: number) => fc.string({ maxLength: max, unit: 'binary' });
const printable = (max: number) => fc.string({ maxLength: max, unit: 'binary-ascii' }).map((s) => s.replace(/[^\x20-\x7e]/g, ''));

const idArb = fc.oneof(
  fc.constant(UUID), fc.uuid().map((u) => u.toUpperCase()), fc.uuid(),
  printable(40), text(12).map(encodeURIComponent),
  fc.constantFrom('a'.repeat(101), 'f'.repeat(5000), '..', '%2e%2e', '%00', '%', '%zz', '__proto__', 'constructor', 'a/b', '%2F', '😀', ' ', 'null', '-1', '1e309'),
);

const queryArb = fc.oneof(
  fc.constant(''),
  fc.constantFrom(...POLLUTING_QUERIES),
  fc.array(
    fc.tuple(
      fc.oneof(fc.constantFrom('limit', 'cursor', 'status', 'code', 'state', 'error', 'client_id', 'redirect_uri', 'expires', 'signature', 'limit[]', 'status[0]'), printable(10)),
      fc.oneof(printable(30), fc.integer().map(String), fc.constantFrom('', '0', '101', '1.5', 'completed', 'NaN', '[]', '%', 'x'.repeat(2000)), text(10).map(encodeURIComponent)),
    ),
    { maxLength: 4 },
  ).map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${v}`).join('&')),
);

const contentTypeArb = fc.oneof(
  fc.constantFrom(
    'application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/json; charset=latin1',
    'application/json;', 'application/json; charset="utf-8"; x=y', 'application/jsonx', 'application/vnd.api+json',
    'text/plain', 'text/html', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '', '*/*', ';',
  ),
  printable(40),
);

const bodyArb = fc.oneof(
  fc.constant(undefined),
  fc.json({ maxDepth: 3 }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.constantFrom(...POLLUTING_BODIES),
  text(60),
  fc.record({ prompt: fc.oneof(text(40), fc.string({ minLength: 10, maxLength: 600 })), category: fc.oneof(fc.constantFrom('music-video', 'ad-creative'), text(12)) }, { requiredKeys: [] })
    .chain((base) => fc.dictionary(printable(8), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 2 }).map((extra) => JSON.stringify({ ...base, ...extra }))),
  fc.constantFrom('{"prompt": ', '{', 'null', '[]', '"string"', '1e999', '{"prompt":"\\ud800 lone surrogate here","category":"music-video"}', '\u0000', '{}'.repeat(5000)),
);

const headersArb = (authorization: string) => fc.record(
  {
    authorization: fc.oneof(fc.constant(authorization), fc.constant(authorization), printable(60), fc.constant('Bearer ')),
    'content-type': contentTypeArb,
    'idempotency-key': fc.oneof(printable(300), text(20), fc.constant('k'.repeat(256))),
    'x-request-id': fc.oneof(printable(140), text(20)),
    'content-encoding': fc.constantFrom('gzip', 'br', 'identity', 'x'),
    accept: fc.constantFrom('application/json', 'text/event-stream', '*/*', 'image/png'),
    range: fc.constantFrom('bytes=0-10', 'bytes=-1', 'bytes=5-1', 'bytes=a-b', 'lines=1-2'),
    origin: fc.constantFrom('http://evil.example', 'null', ''),
  },
  { requiredKeys: [] },
);

function pollutionProbe(): string | undefined {
  const probe = {} as Record<string, unknown>;
  if (probe.polluted !== undefined) return 'Object.prototype.polluted is set';
  const names = Object.getOwnPropertyNames(Object.prototype).sort().join(',');
  return names === BASELINE ? undefined : `Object.prototype now has: ${names}`;
}
const BASELINE = Object.getOwnPropertyNames(Object.prototype).sort().join(',');

t.test('random requests to every route: documented statuses, the contract body, no 5xx, Object.prototype untouched', async (t) => {
  const server = await startLocalServer({ RATE_LIMIT_PER_MIN: '1000000', QUOTA_PER_MONTH: '1000000' });
  t.teardown(() => server.close());
  const token = await server.tokenFor('fuzz-user');
  const authorization = `Bearer ${token}`;
  const statuses = new Map<number, number>();
  let runs = 0;

  const check = async (method: string, url: string, headers: Record<string, string>, payload: string | undefined): Promise<string | undefined> => {
    runs++;
    let res;
    try {
      res = await server.app.inject({ method: method as 'GET', url, headers, ...(payload === undefined ? {} : { payload }) });
    } catch (err) {
      // light-my-request refuses some inputs itself (an invalid URL); that is the client, not the server.
      if (err instanceof TypeError || (err as { code?: string }).code === 'ERR_INVALID_URL') return undefined;
      throw err;
    }
    statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
    const polluted = pollutionProbe();
    if (polluted) return polluted;
    if (res.statusCode >= 500) return `${res.statusCode}: ${res.body.slice(0, 200)}`;
    if (SUCCESS.has(res.statusCode)) return undefined;
    // The dev identity provider's token endpoint answers OAuth2 clients in RFC 6749's error format.
    if (url.startsWith('/oauth2/token') && res.statusCode === 400 && 'error' in res.json()) return undefined;
    if (method === 'HEAD') return res.body === '' ? undefined : 'HEAD with a body';
    // The local video files stand in for S3: their route documents 403 FORBIDDEN (a bad or expired link,
    // like S3's AccessDenied) and 416 RANGE_NOT_SATISFIABLE, in the contract's body shape.
    const local = url.startsWith('/api/v1/videos/') && ((res.statusCode === 403 && res.json().code === 'FORBIDDEN') || (res.statusCode === 416 && res.json().code === 'RANGE_NOT_SATISFIABLE'));
    const problem = local ? undefined : contractProblem(res.statusCode, res.headers['content-type'] as string | undefined, res.body);
    if (problem) return `${res.statusCode} ${problem}`;
    if (!res.headers['x-request-id']) return 'no x-request-id';
    return undefined;
  };

  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...ROUTES), fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'), fc.nat(9),
      idArb, queryArb, headersArb(authorization), bodyArb,
      async ([routeMethod, path], otherMethod, dice, id, query, headers, body) => {
        const method = dice < 7 ? routeMethod : otherMethod;
        const url = path.replace(':id', id) + (query ? `?${query}` : '');
        const payload = method === 'GET' || method === 'HEAD' ? undefined : body;
        const problem = await check(method, url, headers as Record<string, string>, payload);
        if (problem) throw new Error(`${method} ${url} → ${problem}`);
      },
    ),
    { numRuns: 3000, seed: fuzzSeed, endOnFailure: true },
  );

  // Pollution attempts in header names, which a generator of header values does not reach.
  for (const name of ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString']) {
    const headers = JSON.parse(`{"${name}": "polluted", "authorization": ${JSON.stringify(authorization)}, "content-type": "application/json"}`) as Record<string, string>;
    for (const [method, url] of [['GET', '/api/v1/jobs'], ['POST', '/api/v1/jobs'], ['GET', '/api/v1/usage']] as const) {
      const payload = method === 'POST' ? '{"prompt":"A neon city at night","category":"music-video"}' : undefined;
      const problem = await check(method, url, headers, payload);
      t.equal(problem, undefined, `header named ${name}: ${method} ${url}`);
    }
  }
  t.equal(pollutionProbe(), undefined, 'Object.prototype untouched');
  const health = await server.app.inject({ method: 'GET', url: '/api/v1/health' });
  t.equal(health.statusCode, 200, 'still serving');
  t.comment(`${runs} requests; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`);
  t.ok(statuses.size >= 6, 'the generators reached a spread of outcomes');
});

t.test('POST /jobs bodies: valid ones are accepted as given, every other one is a 4xx naming the problem', async (t) => {
  const server = await startLocalServer({ RATE_LIMIT_PER_MIN: '1000000', QUOTA_PER_MONTH: '1000000' });
  t.teardown(() => server.close());
  const authorization = `Bearer ${await server.tokenFor('body-fuzz')}`;
  let accepted = 0;
  let refused = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.record({ prompt: fc.string({ minLength: 0, maxLength: 520, unit: 'grapheme' }), category: fc.constantFrom('music-video', 'ad-creative', 'podcast') }),
        fc.record({ prompt: fc.string({ minLength: 10, maxLength: 60, unit: 'grapheme' }).filter((p) => [...p.trim()].length >= 10), category: fc.constantFrom('music-video', 'ad-creative') }),
        fc.dictionary(fc.constantFrom('prompt', 'category', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'extra'), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
        fc.record({ prompt: fc.constant('A neon city at night'), category: fc.constant('music-video'), constructor: fc.record({ prototype: fc.jsonValue({ maxDepth: 1 }) }) }),
      ),
      async (body: Record<string, unknown>) => {
        const res = await server.app.inject({ method: 'POST', url: '/api/v1/jobs', headers: { authorization, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
        const { prompt, category } = body as { prompt?: unknown; category?: unknown };
        // Every key is a field, `__proto__` and `constructor` included: anything but prompt and category is refused.
        const keys = Object.keys(body);
        const trimmed = typeof prompt === 'string' ? [...prompt.trim()].length : -1;
        const valid = typeof prompt === 'string' && trimmed >= 10 && trimmed <= 500 && (category === 'music-video' || category === 'ad-creative')
          && keys.every((k) => k === 'prompt' || k === 'category');
        if (valid) {
          accepted++;
          if (res.statusCode !== 202) throw new Error(`valid body refused: ${res.statusCode} ${res.body}`);
          if (res.json().prompt !== (prompt as string).trim()) throw new Error('prompt not stored as given (trimmed)');
          return;
        }
        refused++;
        if (res.statusCode !== 400) throw new Error(`invalid body → ${res.statusCode} ${res.body}`);
        const problem = contractProblem(400, res.headers['content-type'] as string, res.body);
        if (problem) throw new Error(problem);
        const details = res.json().details as { field?: string } | undefined;
        if (!details?.field) throw new Error(`no details.field: ${res.body}`);
      },
    ),
    { numRuns: 400, seed: fuzzSeed, endOnFailure: true },
  );
  t.equal(pollutionProbe(), undefined, 'Object.prototype untouched');
  t.comment(`${accepted} accepted, ${refused} refused`);
  t.ok(accepted > 20 && refused > 20, 'both kinds were tried');
});

t.test('__proto__ and constructor.prototype keys are refused as unknown fields, naming the key', async (t) => {
  const server = await startLocalServer();
  t.teardown(() => server.close());
  const token = await server.tokenFor('alice');
  const post = (body: string) => server.app.inject({ method: 'POST', url: '/api/v1/jobs', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: body });
  const cases: Array<[string, string]> = [
    ['{"__proto__":{"polluted":"yes"},"prompt":"A neon city at night","category":"music-video"}', '__proto__'],
    ['{"prompt":"A neon city at night","category":"music-video","\\u005f_proto__":{"polluted":"yes"}}', '__proto__'],
    ['{"prompt":"A neon city at night","category":"music-video","nested":{"__proto__":{"polluted":"yes"}}}', '__proto__'],
    ['{"constructor":{"prototype":{"polluted":"yes"}},"prompt":"A neon city at night","category":"music-video"}', 'constructor'],
    ['{"constructor":{"name":"x"},"prompt":"A neon city at night","category":"music-video"}', 'constructor'],
  ];
  for (const [body, field] of cases) {
    const res = await post(body);
    t.equal(res.statusCode, 400, body);
    t.match(res.json(), { code: 'VALIDATION_ERROR', details: { field, constraint: 'additionalProperties' } }, body);
  }
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'nothing reached Object.prototype');
  const usage = await server.app.inject({ method: 'GET', url: '/api/v1/usage', headers: { authorization: `Bearer ${token}` } });
  t.equal(usage.json().used, 0, 'no job was created');
  const bad = await post('{"prompt": ');
  t.match(bad.json(), { code: 'INVALID_REQUEST' }, 'broken JSON is still INVALID_REQUEST');
});
