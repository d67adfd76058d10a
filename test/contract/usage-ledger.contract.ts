// The UsageLedger port's contract: every adapter of it must pass this suite.
import type { Test } from 'tap';
import type { UsageLedger } from '../../src/application/ports/usage-ledger.ts';

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

  t.test('spend: the cost is added with the unit, and a cost that would pass the cap is refused, counting nothing', async (t) => {
    const ledger = await makeLedger();
    const cap = { limitMicroUsd: 1_000_000 };
    t.equal(await ledger.consume('sam', '2026-11', 10, { costMicroUsd: 700_000, ...cap }), true);
    t.equal(await ledger.consume('sam', '2026-11', 10, { costMicroUsd: 350_000, ...cap }), 'spend');
    t.equal(await ledger.consume('sam', '2026-11', 10, { costMicroUsd: 300_000, ...cap }), true, 'exactly up to the cap');
    t.equal(await ledger.used('sam', '2026-11'), 2);
    t.equal(await ledger.spentMicroUsd('sam', '2026-11'), 1_000_000);
    t.equal(await ledger.consume('sam', '2026-11', 2, { costMicroUsd: 0, ...cap }), false, 'the job quota is still the job quota');
    t.equal(await ledger.consume('new', '2026-11', 10, { costMicroUsd: 2_000_000, ...cap }), 'spend', 'one job over the cap alone');
    t.equal(await ledger.spentMicroUsd('new', '2026-11'), 0);
    await ledger.refund('sam', '2026-11', 700_000);
    t.equal(await ledger.spentMicroUsd('sam', '2026-11'), 300_000);
    t.equal(await ledger.used('sam', '2026-11'), 1);
    t.equal(await ledger.consume('sam', '2026-11', 10, { costMicroUsd: 123 }), true, 'no cap: any cost');
    t.equal(await ledger.spentMicroUsd('sam', '2026-11'), 300_123);
  });

  t.test('settle: the reserved estimate is replaced by the actual cost, exactly, once per job', async (t) => {
    const ledger = await makeLedger();
    const reserve = (cost: number) => ledger.consume('sam', '2026-11', 10, { costMicroUsd: cost });
    await reserve(350_000);
    await reserve(700_000);
    await reserve(720_000);
    t.equal(await ledger.spentMicroUsd('sam', '2026-11'), 1_770_000);
    await ledger.settle('sam', '2026-11', 'job-cheaper', 700_000, 412_345);
    t.equal(await ledger.spentMicroUsd('sam', '2026-11'), 1_482_345, 'a job that ran cheaper: its actual cost, to the micro-dollar');
    await ledger.settle('sam', '2026-11', 'job-cheaper', 700_000, 412_345);
    t.equal(await ledger.spentMicroUsd('sam', '2026-11'), 1_482_345, 'settled again (a retried step): nothing changes');
    await ledger.settle('sam', '2026-11', 'job-failed', 350_000, 0);
    t.equal(await ledger.spentMicroUsd('sam', '2026-11'), 1_132_345, 'a failed or canceled job gives its reservation back');
    await ledger.settle('sam', '2026-11', 'job-dearer', 720_000, 801_000);
    t.equal(await ledger.spentMicroUsd('sam', '2026-11'), 1_213_345, 'a job that cost more than estimated (billed by run time) adds the difference');
    await Promise.all(Array.from({ length: 20 }, () => ledger.settle('sam', '2026-11', 'job-raced', 100_000, 0)));
    t.equal(await ledger.spentMicroUsd('sam', '2026-11'), 1_113_345, '20 concurrent settlements of one job: applied once');
    t.equal(await ledger.used('sam', '2026-11'), 3, 'the job count is not touched');
    await ledger.settle('nobody', '2026-11', 'job-x', 350_000, 0);
    t.equal(await ledger.spentMicroUsd('nobody', '2026-11'), 0, 'nothing reserved in that month: nothing to settle');
    await ledger.consume('nobody', '2026-11', 10, { costMicroUsd: 350_000 });
    await ledger.settle('nobody', '2026-11', 'job-x', 350_000, 0);
    t.equal(await ledger.spentMicroUsd('nobody', '2026-11'), 0, 'a settlement that found nothing reserved was not recorded as done');
    await ledger.consume('low', '2026-11', 10, { costMicroUsd: 100 });
    await ledger.settle('low', '2026-11', 'job-z', 500, 0);
    t.equal(await ledger.spentMicroUsd('low', '2026-11'), 100, 'never below zero: a give-back larger than the month is not applied');
  });

  t.test('50 concurrent consumes against a spend cap: the month is exact', async (t) => {
    const ledger = await makeLedger();
    // 0.35 USD each against 3.50 USD: exactly ten fit, and the sum is exactly the cap.
    const results = await Promise.all(Array.from({ length: 50 }, () => ledger.consume('race', '2026-11', 1000, { costMicroUsd: 350_000, limitMicroUsd: 3_500_000 })));
    t.equal(results.filter((r) => r === true).length, 10);
    t.equal(results.filter((r) => r === 'spend').length, 40);
    t.equal(await ledger.spentMicroUsd('race', '2026-11'), 3_500_000);
    t.equal(await ledger.used('race', '2026-11'), 10);
  });
}
