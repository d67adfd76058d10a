// The UsageLedger port's contract: every adapter of it must pass this suite.
import type { Test } from 'tap';
import type { UsageLedger } from '../../src/application/ports/usage-ledger.js';

export function usageLedgerContract(t: Test, makeLedger: () => Promise<UsageLedger>): void {
  t.test('consume counts per user and period until the limit', async (t) => {
    const ledger = await makeLedger();
    t.equal(await ledger.used('alice', '2026-11'), 0);
    t.equal(await ledger.consume('alice', '2026-11', 2), true);
    t.equal(await ledger.consume('alice', '2026-11', 2), true);
    t.equal(await ledger.consume('alice', '2026-11', 2), false, 'the third of two is refused');
    t.equal(await ledger.used('alice', '2026-11'), 2, 'a refusal counts nothing');
    t.equal(await ledger.consume('alice', '2026-12', 2), true, 'a new month starts afresh');
    t.equal(await ledger.consume('bob', '2026-11', 2), true, 'users are counted apart');
    t.equal(await ledger.used('alice', '2026-12'), 1);
    t.equal(await ledger.used('bob', '2026-11'), 1);
  });

  t.test('a limit of zero allows nothing', async (t) => {
    const ledger = await makeLedger();
    t.equal(await ledger.consume('alice', '2026-11', 0), false);
    t.equal(await ledger.used('alice', '2026-11'), 0);
  });

  t.test('50 concurrent consumes against a limit of 10: exactly 10 succeed', async (t) => {
    const ledger = await makeLedger();
    const results = await Promise.all(Array.from({ length: 50 }, () => ledger.consume('alice', '2026-11', 10)));
    t.equal(results.filter(Boolean).length, 10);
    t.equal(await ledger.used('alice', '2026-11'), 10);
  });

  t.test('refund gives a unit back and never goes below zero', async (t) => {
    const ledger = await makeLedger();
    await ledger.consume('alice', '2026-11', 5);
    await ledger.consume('alice', '2026-11', 5);
    await ledger.refund('alice', '2026-11');
    t.equal(await ledger.used('alice', '2026-11'), 1);
    await ledger.refund('alice', '2026-11');
    await ledger.refund('alice', '2026-11');
    await ledger.refund('bob', '2026-11');
    t.equal(await ledger.used('alice', '2026-11'), 0);
    t.equal(await ledger.used('bob', '2026-11'), 0);
    // Had a refund gone to -1, a limit of 1 would now allow two.
    t.equal(await ledger.consume('alice', '2026-11', 1), true);
    t.equal(await ledger.consume('alice', '2026-11', 1), false);
    t.equal(await ledger.consume('bob', '2026-11', 1), true);
    t.equal(await ledger.consume('bob', '2026-11', 1), false);
  });
}
