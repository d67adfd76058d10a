import t from 'tap';
import { QuotaExceeded } from '../../src/domain/errors.ts';
import { createFor, setup } from './fixtures/use-cases.ts';

t.test('a new user: nothing used, the whole quota left', async (t) => {
  const s = setup({ quotaPerMonth: 10 });
  t.same(await s.getUsage.execute({ userId: 'alice' }), {
    used: 0,
    limit: 10,
    remaining: 10,
    period: '2026-11',
    resetsAt: '2026-12-01T00:00:00.000Z',
    spentUsd: 0,
  });
});

t.test('accepted jobs are counted; a job whose workflow never started is not', async (t) => {
  const s = setup({ quotaPerMonth: 10 });
  await createFor(s, 'alice');
  await createFor(s, 'alice');
  await createFor(s, 'bob');
  s.workflow.refuse = true;
  await t.rejects(createFor(s, 'alice'));
  t.match(await s.getUsage.execute({ userId: 'alice' }), { used: 2, remaining: 8 });
  t.match(await s.getUsage.execute({ userId: 'bob' }), { used: 1, remaining: 9 });
});

t.test('a used-up quota shows 0 remaining', async (t) => {
  const s = setup({ quotaPerMonth: 2 });
  await createFor(s, 'alice');
  await createFor(s, 'alice');
  await t.rejects(createFor(s, 'alice'), QuotaExceeded);
  t.match(await s.getUsage.execute({ userId: 'alice' }), { used: 2, limit: 2, remaining: 0 });
});

t.test('a new month starts afresh, December → January included', async (t) => {
  const s = setup({ quotaPerMonth: 2 });
  s.clock.set('2026-12-31T23:59:59.999Z');
  await createFor(s, 'alice');
  await createFor(s, 'alice');
  t.same(await s.getUsage.execute({ userId: 'alice' }), {
    used: 2,
    limit: 2,
    remaining: 0,
    period: '2026-12',
    resetsAt: '2027-01-01T00:00:00.000Z',
    spentUsd: 1.4,
  });
  s.clock.advance(1);
  t.same(await s.getUsage.execute({ userId: 'alice' }), {
    used: 0,
    limit: 2,
    remaining: 2,
    period: '2027-01',
    resetsAt: '2027-02-01T00:00:00.000Z',
    spentUsd: 0,
  });
  await createFor(s, 'alice');
  t.match(await s.getUsage.execute({ userId: 'alice' }), { used: 1, remaining: 1 }, 'and jobs can be created again');
});
