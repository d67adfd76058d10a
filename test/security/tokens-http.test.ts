// Bearer tokens through the real local composition over HTTP. The verifier's own attacks (alg none,
// HS256 with the public key, foreign keys, exp/nbf/iss/aud/token_use, broken segments, the JWKS
// fetch budget) are in test/auth/jwks-token-verifier.test.ts; this file covers what only the HTTP
// edge sees: the Authorization header itself, its size and spelling, and that a refusal changes nothing.
import t from 'tap';
import { startLocalServer } from '../helpers/local-server.ts';
import { contractProblem } from './fixtures/contract.ts';
import { rawRequest } from './fixtures/raw-http.ts';

const JOB = JSON.stringify({ prompt: 'A neon city at night, synthwave', category: 'music-video' });

t.test('odd, oversized and duplicated Authorization headers: 401 in the contract body, and nothing happens', async (t) => {
  const server = await startLocalServer();
  t.teardown(() => server.close());
  const token = await server.tokenFor('alice');
  const [h, p, s] = token.split('.') as [string, string, string];
  const padded = `${h}.${p}${'A'.repeat(10 * 1024)}.${s}`;
  const cases: Record<string, string[]> = {
    'no header': [],
    'Bearer alone': ['Authorization: Bearer'],
    'Bearer and spaces only': ['Authorization: Bearer    '],
    'no scheme': [`Authorization: ${token}`],
    'Basic scheme': [`Authorization: Basic ${Buffer.from('alice:secret').toString('base64')}`],
    'Bearer glued to the token': [`Authorization: Bearer${token}`],
    'a tab instead of a space': [`Authorization: Bearer\t${token}`],
    'a tab inside the token': [`Authorization: Bearer ${h}.\t${p}.${s}`],
    'two tokens': [`Authorization: Bearer ${token} ${token}`],
    'two tokens, comma-joined': [`Authorization: Bearer ${token}, Bearer ${token}`],
    'two Authorization headers, good one first': [`Authorization: Bearer ${token}`, 'Authorization: Bearer x.y.z'],
    'two Authorization headers, good one last': ['Authorization: Bearer x.y.z', `Authorization: Bearer ${token}`],
    'two identical Authorization headers': [`Authorization: Bearer ${token}`, `Authorization: Bearer ${token}`],
    'non-ASCII (latin1) in the token': [`Authorization: Bearer ${token}\u00e9`],
    'non-ASCII (UTF-8 bytes) in the token': [`Authorization: Bearer ${h}.${Buffer.from('\u{1F600}', 'utf8').toString('latin1')}${p}.${s}`],
    'quoted token': [`Authorization: Bearer "${token}"`],
    'a 10 KB token': [`Authorization: Bearer ${padded}`],
    'a 10 KB token of dots': [`Authorization: Bearer ${'.'.repeat(10 * 1024)}`],
    'token with its signature cut off': [`Authorization: Bearer ${h}.${p}.`],
    'token with a fourth segment': [`Authorization: Bearer ${token}.${s}`],
    'token in the query string only': [],
  };
  let tried = 0;
  for (const [name, headers] of Object.entries(cases)) {
    const path = name === 'token in the query string only' ? `/api/v1/jobs?access_token=${token}` : '/api/v1/jobs';
    for (const [method, target, body] of [['POST', path, JOB], ['GET', path, ''], ['GET', '/api/v1/usage', '']] as const) {
      const head = [`${method} ${target} HTTP/1.1`, ...headers, ...(body ? ['Content-Type: application/json'] : [])];
      const res = await rawRequest(server.base, head, body);
      tried++;
      const problem = res.status !== 401 ? `status ${res.status}`
        : contractProblem(res.status, res.contentType, res.body)
          ?? (JSON.parse(res.body).code !== 'UNAUTHORIZED' ? 'code' : undefined)
          ?? (res.headers['www-authenticate'] !== 'Bearer' ? 'no WWW-Authenticate: Bearer' : undefined)
          ?? (res.headers['x-request-id'] ? undefined : 'no x-request-id');
      t.equal(problem, undefined, `${name} (${method} ${target.split('?')[0]}): 401 UNAUTHORIZED in the contract body`);
    }
  }
  t.comment(`${tried} refused requests`);

  // Nothing happened on alice's behalf: no job, no quota unit.
  const auth = { authorization: `Bearer ${token}` };
  const usage = (await (await fetch(`${server.base}/api/v1/usage`, { headers: auth })).json()) as { used: number };
  t.equal(usage.used, 0, 'no quota used');
  const list = (await (await fetch(`${server.base}/api/v1/jobs`, { headers: auth })).json()) as { jobs: unknown[] };
  t.same(list.jobs, [], 'no job created');
});

t.test('RFC 7235 spellings that are still one well-formed token are accepted as the same user, and only as them', async (t) => {
  const server = await startLocalServer();
  t.teardown(() => server.close());
  const token = await server.tokenFor('bob');
  // The auth scheme is case-insensitive (RFC 7235 §2.1) and 1*SP separates it from the token.
  for (const header of [`bearer ${token}`, `BEARER ${token}`, `Bearer   ${token}`, `Bearer ${token}   `]) {
    const res = await rawRequest(server.base, ['GET /api/v1/usage HTTP/1.1', `Authorization: ${header}`]);
    t.equal(res.status, 200, JSON.stringify(header.replace(token, '<token>')));
  }
  const created = await rawRequest(server.base, ['POST /api/v1/jobs HTTP/1.1', `Authorization: BEARER ${token}`, 'Content-Type: application/json'], JOB);
  t.equal(created.status, 202);
  const list = (await (await fetch(`${server.base}/api/v1/jobs`, { headers: { authorization: `Bearer ${token}` } })).json()) as { jobs: Array<{ jobId: string }> };
  t.equal(list.jobs.length, 1, "the job is bob's");
});

t.test('a header block over the server limit (a 20 KB token) still gets the contract body', async (t) => {
  const server = await startLocalServer();
  t.teardown(() => server.close());
  for (const size of [20 * 1024, 64 * 1024]) {
    const res = await rawRequest(server.base, ['GET /api/v1/jobs HTTP/1.1', `Authorization: Bearer ${'a'.repeat(size)}`]);
    t.equal(res.status, 431, `${size} bytes: 431 Request Header Fields Too Large`);
    t.equal(contractProblem(400, res.contentType, res.body), undefined, `${size} bytes: the contract's error body (code INVALID_REQUEST)`);
  }
  // A control character in a header value is refused by Node's parser before any route runs.
  const control = await rawRequest(server.base, ['GET /api/v1/jobs HTTP/1.1', `Authorization: Bearer ${await server.tokenFor('alice')}\u0001`]);
  t.equal(control.status, 400, 'a control character in the Authorization header is 400');
  t.equal(contractProblem(400, control.contentType, control.body), undefined, "a control character: the contract's error body");
  t.ok(control.headers['x-request-id'], 'with a request id');
  const broken = await rawRequest(server.base, ['GET /api/v1/jobs HTTP/9.9 nonsense']);
  t.equal(broken.status, 400, 'a broken request line is 400');
  t.equal(contractProblem(400, broken.contentType, broken.body), undefined, "a broken request line: the contract's error body");
  // The server is still serving.
  const health = await fetch(`${server.base}/api/v1/health`);
  t.equal(health.status, 200);
});
