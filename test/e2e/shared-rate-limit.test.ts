// Two real server processes sharing one Redis (RATE_LIMIT_STORE=redis): one user's requests spread over
// both count against one limit, so the request over it is refused whichever process gets it.
import t from 'tap';
import { redisMissing, startRedis } from '../helpers/redis-server.ts';
import { startServerProcess } from '../helpers/server-process.ts';

const LIMIT = 10;

// A skipped test, not the root's plan: in a whole-suite run this file shares its process (test/helpers/group.ts).
t.test('the limit holds across two processes', { skip: redisMissing ?? false }, async (t) => {
  const redis = await startRedis();
  t.teardown(() => redis.stop());
  const env = { APP_MODE: 'local', RATE_LIMIT_STORE: 'redis', REDIS_URL: redis.url, RATE_LIMIT_PER_MIN: String(LIMIT), LOCAL_WORKFLOW_DURATION_MS: '300' };
  const servers = await Promise.all([startServerProcess(env), startServerProcess(env)]);
  t.teardown(() => servers.forEach((s) => s.kill()));

  const ready = await Promise.all(servers.map(async (s) => (await fetch(`${s.base}/api/v1/health/ready`)).json()));
  for (const body of ready) t.match(body, { status: 'ok', checks: { rateLimitStore: 'ok' } });

  // Each process signs its own dev token for the same user: the limit is per `sub`, not per token.
  const tokens = await Promise.all(servers.map(async (s) => {
    const res = await fetch(`${s.base}/api/v1/auth/dev-token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'erin' }) });
    return ((await res.json()) as { accessToken: string }).accessToken;
  }));
  const get = (i: number) => fetch(`${servers[i % 2]?.base}/api/v1/usage`, { headers: { authorization: `Bearer ${tokens[i % 2]}` } });

  const remaining: string[] = [];
  for (let i = 0; i < LIMIT; i++) {
    const res = await get(i);
    t.equal(res.status, 200, `request ${i + 1} (process ${(i % 2) + 1})`);
    remaining.push(res.headers.get('x-ratelimit-remaining') ?? '');
  }
  t.same(remaining, ['9', '8', '7', '6', '5', '4', '3', '2', '1', '0'], `one count across both processes: ${remaining.join(' ')}`);
  for (const i of [0, 1]) {
    const refused = await get(i);
    t.equal(refused.status, 429, `over the limit on process ${i + 1}`);
    t.match(await refused.json(), { code: 'RATE_LIMITED' });
    t.ok(Number(refused.headers.get('retry-after')) >= 1, 'with Retry-After');
  }
  const other = await fetch(`${servers[1]?.base}/api/v1/usage`, {
    headers: { authorization: `Bearer ${await (await fetch(`${servers[1]?.base}/api/v1/auth/dev-token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'frank' }) })).json().then((b) => (b as { accessToken: string }).accessToken)}` },
  });
  t.equal(other.status, 200, 'another user is not limited');
});
