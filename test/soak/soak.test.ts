// The short soak inside `npm test`: the same load and invariants as `npm run soak` (test/soak/run.mjs),
// against the local composition in this process. A fixed amount of work (1,200 requests, drawn from a
// seeded source), not a time: a slow machine runs the same load longer instead of a smaller one. It
// asserts the invariants, not timings: zero 5xx, zero network errors, every accepted job found by id
// and in its owner's listing.
import t from 'tap';
import { startLocalServer } from '../helpers/local-server.ts';
import { fuzzSeed } from '../helpers/fuzz.ts';
import { seededRandom, soak, violations } from './soak-lib.mjs';

t.test('short soak: zero 5xx, zero lost jobs', async (t) => {
  const server = await startLocalServer({
    RATE_LIMIT_PER_MIN: '1000000', QUOTA_PER_MONTH: '1000000', LOCAL_WORKFLOW_DURATION_MS: '500',
  });
  t.teardown(() => server.close());
  const result = await soak({
    base: server.base, users: 300, maxRequests: 1_200, durationMs: 100_000, concurrency: 32, random: seededRandom(fuzzSeed),
    rss: () => process.memoryUsage().rss,
    log: (line) => t.comment(line),
  });
  t.comment(`${result.requests} requests, ${result.rps.toFixed(0)} req/s, statuses ${JSON.stringify(result.statuses)}, ${result.accepted} jobs accepted for ${result.owners} users`);
  t.equal(result.requests, 1_200, 'the whole load ran (the time limit is only a guard)');
  t.same(violations(result), [], 'no violations');
  t.ok(result.statuses['202'] && result.statuses['200'], 'creates and reads both ran');
});
