import t from 'tap';
import { RateWindow, WINDOW_MS } from '../../src/domain/rate-window.ts';

/** Hits `n` times at `at` ms; returns how many were allowed. */
function burst(window: RateWindow, n: number, at: number): number {
  let allowed = 0;
  for (let i = 0; i < n; i++) if (window.hit(at).allowed) allowed++;
  return allowed;
}

t.test('exactly `limit` requests are allowed in 60 s; the next is refused with a retry time', async (t) => {
  const w = new RateWindow(100);
  const first = w.hit(0);
  t.match(first, { allowed: true, limit: 100, remaining: 99, retryAfterSeconds: 0 });
  t.equal(burst(w, 98, 1_000), 98);
  const last = w.hit(10_000);
  t.match(last, { allowed: true, remaining: 0, retryAfterSeconds: 0 });
  const refused = w.hit(20_000);
  t.match(refused, { allowed: false, limit: 100, remaining: 0 });
  // The oldest request (t = 0) leaves the window at t = 60 s, 40 s from now.
  t.equal(refused.retryAfterSeconds, 40);
  t.equal(w.hit(59_999).allowed, false, 'still refused just before the first request slides out');
  t.equal(w.hit(59_999).retryAfterSeconds, 1, 'never 0 while refused');
});

t.test('a sliding window, not a fixed one', async (t) => {
  const w = new RateWindow(100);
  t.equal(burst(w, 50, 0), 50);
  t.equal(burst(w, 50, 30_000), 50);
  const refused = w.hit(59_000);
  t.equal(refused.allowed, false, 'a fixed window starting at 0 would still count these 100');
  t.equal(refused.retryAfterSeconds, 1);
  t.equal(burst(w, 60, 60_001), 50, 'the first 50 slid out: 50 more, and no more');
  t.equal(w.hit(89_999).allowed, false, 'the 30 s batch is still in the window');
  t.equal(w.hit(90_000).retryAfterSeconds, 0, 'and at 90 s it has slid out too');
});

t.test('refused requests are not recorded: a caller hammering while blocked is not punished longer', async (t) => {
  const w = new RateWindow(3);
  t.equal(burst(w, 3, 0), 3);
  t.equal(burst(w, 1_000, 30_000), 0, 'all refused');
  t.equal(burst(w, 5, WINDOW_MS), 3, 'one window after the allowed requests, the full budget is back');
});

t.test('resetSeconds counts down to when the window holds none of the current requests', async (t) => {
  const w = new RateWindow(10);
  t.equal(w.hit(0).resetSeconds, 60);
  t.equal(w.hit(15_000).resetSeconds, 60, 'the newest request sets the reset');
  t.equal(burst(w, 8, 20_000), 8);
  const refused = w.hit(50_500);
  t.equal(refused.allowed, false);
  t.equal(refused.resetSeconds, 30, '20 s + 60 s - 50.5 s, rounded up');
  t.equal(refused.retryAfterSeconds, 10, 'while one slot frees at 60 s');
});

t.test('isIdle: true only once nothing in the window is recent', async (t) => {
  const w = new RateWindow(5);
  t.ok(w.isIdle(0), 'a new window is idle');
  w.hit(1_000);
  t.notOk(w.isIdle(1_000));
  t.notOk(w.isIdle(60_999));
  t.ok(w.isIdle(61_000));
  const full = new RateWindow(1);
  full.hit(0);
  full.hit(30_000); // refused: must not keep the window alive
  t.ok(full.isIdle(60_000));
});

t.test('memory stays bounded over a long, busy life, and decisions stay exact', async (t) => {
  const limit = 10;
  const w = new RateWindow(limit);
  const stored = () => (w as unknown as { hits: number[] }).hits.length;
  // A naive model: the last `limit` allowed timestamps, the window recounted on each request.
  const allowedAt: number[] = [];
  let allowed = 0;
  let disagreements = 0;
  let most = 0;
  // Ten hours: busy spells at one request per 100 ms (six times the limit), then slow spells.
  for (let ms = 0; ms < 10 * 3_600_000; ms += ms % 600_000 < 300_000 ? 100 : 7_000) {
    const inWindow = allowedAt.filter((at) => at > ms - WINDOW_MS).length;
    const decision = w.hit(ms);
    if (decision.allowed !== inWindow < limit) disagreements++;
    if (decision.allowed) {
      allowedAt.push(ms);
      if (allowedAt.length > limit) allowedAt.shift(); // an older one can never count again
      allowed++;
    }
    most = Math.max(most, stored());
  }
  t.equal(disagreements, 0, 'every decision matches the naive model');
  t.ok(allowed > 5_000, `${allowed} allowed: the window kept sliding`);
  t.ok(most <= 2 * limit + 40, `at most ${most} timestamps held for a limit of ${limit} over ${allowed} allowed`);
});
