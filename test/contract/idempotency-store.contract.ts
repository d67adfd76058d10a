// The IdempotencyStore port's contract: every adapter of it must pass this suite.
import type { Test } from 'tap';
import type { IdempotencyRecord, IdempotencyStore } from '../../src/application/ports/idempotency-store.ts';

const NOW = new Date('2026-11-27T10:00:00.000Z');
const HOUR = 3_600_000;

function record(jobId: string, overrides: Partial<IdempotencyRecord> = {}): IdempotencyRecord {
  return { userId: 'alice', key: 'key-1', fingerprint: 'f1', jobId, expiresAt: new Date(NOW.getTime() + 24 * HOUR).toISOString(), ...overrides };
}

export function idempotencyStoreContract(t: Test, makeStore: () => Promise<IdempotencyStore>): void {
  t.test('the first reserve claims the key; later ones get the holder', async (t) => {
    const store = await makeStore();
    const first = record('job-1');
    t.equal(await store.reserve(first, NOW), undefined);
    t.same(await store.reserve(record('job-2', { fingerprint: 'f2' }), NOW), first);
    t.equal(await store.reserve(record('job-3', { userId: 'bob' }), NOW), undefined, 'the same key of another user is separate');
    t.equal(await store.reserve(record('job-4', { key: 'key-2' }), NOW), undefined, 'another key is separate');
  });

  t.test('20 concurrent reserves of one key: one wins, the rest see the winner', async (t) => {
    const store = await makeStore();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.reserve(record(`job-${i}`), NOW)));
    const winners = results.flatMap((held, i) => (held === undefined ? [`job-${i}`] : []));
    t.equal(winners.length, 1);
    const seen = new Set(results.filter((held) => held !== undefined).map((held) => held.jobId));
    t.same([...seen], winners, 'every loser got the winner\'s record');
    t.same(await store.reserve(record('late'), NOW), record(winners[0] as string));
  });

  t.test('an expired claim is replaced', async (t) => {
    const store = await makeStore();
    const old = record('old', { expiresAt: new Date(NOW.getTime() + HOUR).toISOString() });
    t.equal(await store.reserve(old, NOW), undefined);
    const justBefore = new Date(NOW.getTime() + HOUR - 1);
    t.same(await store.reserve(record('new'), justBefore), old, 'still live a millisecond before it expires');
    const atExpiry = new Date(NOW.getTime() + HOUR);
    const fresh = record('new', { fingerprint: 'f2', expiresAt: new Date(atExpiry.getTime() + 24 * HOUR).toISOString() });
    t.equal(await store.reserve(fresh, atExpiry), undefined, 'expired at its expiresAt');
    t.same(await store.reserve(record('newer'), atExpiry), fresh);
  });

  t.test('release drops the claim only for the job that holds it', async (t) => {
    const store = await makeStore();
    const held = record('job-1');
    await store.reserve(held, NOW);
    await store.release('alice', 'key-1', 'job-2');
    t.same(await store.reserve(record('job-3'), NOW), held, 'another job cannot release it');
    await store.release('alice', 'key-1', 'job-1');
    t.equal(await store.reserve(record('job-4'), NOW), undefined, 'the holder can');
    await store.release('alice', 'never-used', 'job-1');
    t.pass('releasing an unknown key is not an error');
  });
}
