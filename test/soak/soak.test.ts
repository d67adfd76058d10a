// The short soak inside `npm test`: the same load and invariants as `npm run soak` (test/soak/run.mjs),
// ~10 s against the local composition in this process. It asserts the invariants, not timings: zero
// 5xx, zero network errors, every accepted job found by id and in its owner's listing.
import t from 'tap';
import { startLocalServer } from '../helpers/local-server.ts';
import { soak, violations } from './soak-lib.mjs';

t.test('short soak: zero 5xx, zero lost jobs', async (t) => {
  const server = await startLocalServer({
    RATE_LIMIT_PER_MIN: '1000000', QUOTA_PER_MONTH: '1000000', LOCAL_WORKFLOW_DURATION_MS: '500',
  });
  t.teardown(() => server.close());
  const result = await soak({
    base: server.base, users: 300, durationMs: 10_000, concurrency: 32, rss: () => process.memoryUsage().rss,
    log: (line) => t.comment(line),
  });
  t.comment(`${result.requests} requests, ${result.rps.toFixed(0)} req/s, statuses ${JSON.stringify(result.statuses)}, ${result.accepted} jobs accepted for ${result.owners} users`);
  t.same(violations(result), [], 'no violations');
  t.ok(result.statuses['202'] && result.statuses['200'], 'creates and reads both ran');
});
