// The shared store against a real Redis (test/helpers/redis-server.ts): the window is exact and sliding,
// keys expire, many clients share one limit, and a Redis that stops answering costs no request.
import t, { type Test } from 'tap';
import type { StoreResult } from '../../src/adapters/http/rate-limit/rate-limit-store.ts';
import { createRedisClient, RedisRateLimitStore } from '../../src/adapters/http/rate-limit/redis-rate-limit-store.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { redisMissing, startRedis, type TestRedis } from '../helpers/redis-server.ts';
import { startLocalServer } from '../helpers/local-server.ts';
import { buildTestApp } from '../helpers/test-app.ts';

// A skipped test, not the root's plan: in a whole-suite run this file shares its process (test/helpers/group.ts).
if (redisMissing) {
  t.test('the shared rate-limit store against a real Redis', { skip: redisMissing }, () => {});
} else {
  const redis = await startRedis();
  t.teardown(() => redis.stop());
  registerTests(redis);
}

function registerTests(redis: TestRedis) {
  let n = 0;
  // A command timeout far above any answer's time on a busy machine (four test files at once on two cores
  // stretched one past 150 ms, which failed the request open and the test with it); the stall test
  // shortens it on its client when it stalls Redis.
  async function store(t: Test, options: { now?: () => number; timeoutMs?: number; prefix?: string } = {}) {
    const warnings: unknown[] = [];
    let failOpen = 0;
    const prefix = options.prefix ?? `test${++n}:`;
    const client = createRedisClient(redis.url, options.timeoutMs ?? 10_000);
    const s = new RedisRateLimitStore({
      redis: client,
      now: options.now,
      prefix,
      logger: { info() {}, error() {}, warn: (obj) => void warnings.push(obj) },
      onFailOpen: () => void failOpen++,
    });
    await s.connect();
    t.teardown(() => s.close());
    return { store: s, client, warnings, failOpen: () => failOpen, prefix };
  }
  const incr = (s: RedisRateLimitStore, key: string, windowMs: number, max: number) =>
    new Promise<StoreResult>((resolve, reject) => s.incr(key, (error, result) => (error ? reject(error) : resolve(result as StoreResult)), windowMs, max));

  t.test('exactly the limit in a window, then refusals with the time until the oldest leaves', async (t) => {
    const clock = new FakeClock();
    const { store: s } = await store(t, { now: clock.nowMs });
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await incr(s, 'u:alice', 60_000, 5));
    t.same(results.map((r) => r.current), [1, 2, 3, 4, 5]);
    t.equal(results[0]?.ttl, 60_000, 'reset: the window empties 60 s after the newest request');
    clock.advance(20_000);
    t.same(await incr(s, 'u:alice', 60_000, 5), { current: 6, ttl: 40_000 }, 'refused: retry when the first leaves, 40 s on');
    t.equal((await incr(s, 'u:bob', 60_000, 5)).current, 1, 'per key');
  });

  t.test('the window slides: a request frees its place exactly one window later', async (t) => {
    const clock = new FakeClock();
    const { store: s } = await store(t, { now: clock.nowMs });
    await incr(s, 'k', 60_000, 3);
    clock.advance(30_000);
    await incr(s, 'k', 60_000, 3);
    await incr(s, 'k', 60_000, 3);
    t.equal((await incr(s, 'k', 60_000, 3)).current, 4, 'full');
    clock.advance(29_999);
    t.equal((await incr(s, 'k', 60_000, 3)).current, 4, 'the first request is still in the window');
    clock.advance(1);
    t.equal((await incr(s, 'k', 60_000, 3)).current, 3, 'it left: one place, taken');
    t.equal((await incr(s, 'k', 60_000, 3)).current, 4, 'and only one');
  });

  t.test('keys expire one window after their newest request; refusals do not extend them', async (t) => {
    // The window's contents on a fake clock, so no real time can empty it between the calls below.
    const clock = new FakeClock();
    const { store: s, prefix } = await store(t, { now: clock.nowMs });
    await incr(s, 'long', 60_000, 1);
    const ttl = Number(redis.cli('PTTL', `${prefix}long`));
    t.ok(ttl > 0 && ttl <= 60_000, `an allowed request sets the expiry to the window (PTTL ${ttl} ms)`);
    // Shorten the expiry by hand: a refusal that re-armed it would put it back near 60 s, and real time
    // passing can only lower it, so this holds however slow the machine is.
    redis.cli('PEXPIRE', `${prefix}long`, '30000');
    await incr(s, 'long', 60_000, 1); // refused: not recorded
    t.equal(redis.cli('ZCARD', `${prefix}long`), '1', 'the refusal is not recorded');
    const after = Number(redis.cli('PTTL', `${prefix}long`));
    t.ok(after > 0 && after <= 30_000, `the refusal does not extend the expiry (PTTL ${after} ms)`);

    // Redis's own expiry, on its own clock: a 300 ms window, then poll until the key is gone (bounded, generous).
    await incr(s, 'short', 300, 1);
    let exists = redis.cli('EXISTS', `${prefix}short`);
    for (let i = 0; i < 400 && exists !== '0'; i++) {
      await new Promise((r) => setTimeout(r, 25));
      exists = redis.cli('EXISTS', `${prefix}short`);
    }
    t.equal(exists, '0', 'the key is gone: no memory kept for idle callers');
  });

  t.test('many clients (as many processes) hitting one key concurrently share one exact limit', async (t) => {
    const clock = new FakeClock();
    // Six stores, each with its own connection, over the same keys: six processes as far as Redis knows.
    const stores = await Promise.all(Array.from({ length: 6 }, () => store(t, { now: clock.nowMs, prefix: 'shared:' })));
    const results = await Promise.all(Array.from({ length: 300 }, (_, i) => incr(stores[i % stores.length]?.store as RedisRateLimitStore, 'u:carol', 60_000, 100)));
    t.equal(results.filter((r) => r.current <= 100).length, 100, 'exactly 100 of 300 allowed');
    t.same([...new Set(results.filter((r) => r.current <= 100).map((r) => r.current))].length, 100, 'each allowed request saw its own count');
  });

  t.test('Redis stalls, then goes away: requests pass (fail-open) fast, readiness is 503, one warning', async (t) => {
    const clock = new FakeClock();
    const { store: s, client, warnings, failOpen } = await store(t, { now: clock.nowMs });
    const { app, auth } = await buildTestApp({ rateLimitPerMin: 2, rateLimitStore: s, readiness: { rateLimitStore: () => s.check() } });
    t.teardown(() => app.close());
    const get = () => app.inject({ method: 'GET', url: '/api/v1/usage', headers: auth('dave') });
    t.same([(await get()).statusCode, (await get()).statusCode, (await get()).statusCode], [200, 200, 429], 'limited while Redis answers');

    // The production client's timeout (150 ms here) from now on: ioredis reads it for every command it sends.
    client.options.commandTimeout = 150;
    redis.stall();
    t.teardown(() => redis.resume());
    let started = Date.now();
    // Redis never answers while stalled: these requests end at all only because the command times out.
    const slow = await Promise.all([get(), get(), get()]);
    t.same(slow.map((r) => r.statusCode), [200, 200, 200], 'a slow Redis: let through, never a 500');
    t.comment(`the three requests took ${Date.now() - started} ms (command timeout 150 ms)`);
    t.equal((await app.inject({ method: 'GET', url: '/api/v1/health/ready' })).statusCode, 503, 'readiness names it');

    redis.cut();
    started = Date.now();
    const gone = await Promise.all([get(), get()]);
    t.same(gone.map((r) => r.statusCode), [200, 200], 'Redis unreachable: let through');
    t.comment(`unreachable: ${Date.now() - started} ms`);
    const ready = await app.inject({ method: 'GET', url: '/api/v1/health/ready' });
    t.equal(ready.statusCode, 503);
    t.match(ready.json().error, /rateLimitStore/);
    t.ok(failOpen() >= 5, `every request let through was counted (${failOpen()})`);
    t.equal(warnings.length, 1, 'logged once, not once per request');

    redis.resume();
    client.options.commandTimeout = 10_000;
    clock.advance(60_001);
    // The client reconnects on its own schedule (up to 2 s between attempts): poll, bounded generously.
    let back = 'down';
    for (let i = 0; i < 500 && back !== 'up'; i++) {
      await new Promise((r) => setTimeout(r, 20));
      back = await s.check().then(() => 'up', () => 'down');
    }
    t.equal(back, 'up', 'Redis back: the client reconnected by itself');
    t.same([(await get()).statusCode, (await get()).statusCode, (await get()).statusCode], [200, 200, 429], 'and limiting again');
  });

  t.test('RATE_LIMIT_STORE=redis in the composition: readiness checks it, the limit is kept in Redis', async (t) => {
    const server = await startLocalServer({ RATE_LIMIT_STORE: 'redis', REDIS_URL: redis.url, RATE_LIMIT_PER_MIN: '3' });
    t.teardown(() => server.close());
    const ready = await fetch(`${server.base}/api/v1/health/ready`);
    t.match(await ready.json(), { status: 'ok', checks: { rateLimitStore: 'ok' } });
    const token = await server.tokenFor('gina');
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await fetch(`${server.base}/api/v1/usage`, { headers: { authorization: `Bearer ${token}` } })).status);
    t.same(statuses, [200, 200, 200, 429]);
    t.equal(redis.cli('ZCARD', 'omnigen:rate:u:gina'), '3', "gina's window is a sorted set in Redis");
  });
}
