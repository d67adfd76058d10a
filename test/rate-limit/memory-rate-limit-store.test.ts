import t from 'tap';
import { MemoryRateLimitStore } from '../../src/adapters/http/rate-limit/memory-rate-limit-store.ts';
import type { StoreResult } from '../../src/adapters/http/rate-limit/rate-limit-store.ts';
import { FakeClock } from '../helpers/fake-clock.ts';

const incr = (s: MemoryRateLimitStore, key: string, max = 2, windowMs = 60_000) => {
  let out: StoreResult | undefined;
  s.incr(key, (_e, r) => (out = r), windowMs, max);
  return out as StoreResult;
};

t.test('the plugin sees the sliding window: counts, then limit + 1 with the time until a place frees', async (t) => {
  const clock = new FakeClock();
  const store = new MemoryRateLimitStore(clock.nowMs);
  t.teardown(() => store.close());
  t.same(incr(store, 'a'), { current: 1, ttl: 60_000 });
  clock.advance(10_000);
  t.same(incr(store, 'a'), { current: 2, ttl: 60_000 });
  clock.advance(15_000);
  t.same(incr(store, 'a'), { current: 3, ttl: 35_000 }, 'refused: the first request leaves in 35 s');
  t.equal(store.child(), store, 'one store for every route');
  await store.check();
});

t.test('idle windows are swept, so memory follows the active callers', async (t) => {
  const clock = new FakeClock();
  const store = new MemoryRateLimitStore(clock.nowMs);
  t.teardown(() => store.close());
  for (let i = 0; i < 1000; i++) incr(store, `ip:${i}`);
  clock.advance(30_000);
  incr(store, 'ip:active');
  t.equal(store.size, 1001);
  clock.advance(30_000);
  store.sweep();
  t.equal(store.size, 1, 'only the caller seen in the last minute is kept');
});

t.test('a different limit for a key starts a new window (the limit changed)', async (t) => {
  const store = new MemoryRateLimitStore(new FakeClock().nowMs);
  t.teardown(() => store.close());
  incr(store, 'k', 1);
  t.equal(incr(store, 'k', 1).current, 2);
  t.equal(incr(store, 'k', 5).current, 1);
});
