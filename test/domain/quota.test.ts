import t from 'tap';
import { periodEnd, periodOf, quotaOf } from '../../src/domain/quota.ts';

t.test('periodOf is the UTC calendar month', async (t) => {
  t.equal(periodOf(new Date('2026-11-27T10:30:45.123Z')), '2026-11');
  t.equal(periodOf(new Date('2026-11-01T00:00:00.000Z')), '2026-11');
  t.equal(periodOf(new Date('2026-11-30T23:59:59.999Z')), '2026-11');
  // 23:30 on 30 November in New York is already December in UTC.
  t.equal(periodOf(new Date('2026-11-30T23:30:00.000-05:00')), '2026-12');
  t.equal(periodOf(new Date('2027-01-01T00:00:00.000Z')), '2027-01');
});

t.test('periodEnd is the first instant of the next month, across December → January', async (t) => {
  t.equal(periodEnd('2026-11').toISOString(), '2026-12-01T00:00:00.000Z');
  t.equal(periodEnd('2026-12').toISOString(), '2027-01-01T00:00:00.000Z');
  t.equal(periodEnd('2027-01').toISOString(), '2027-02-01T00:00:00.000Z');
  t.equal(periodEnd('2028-02').toISOString(), '2028-03-01T00:00:00.000Z', 'a leap February');
  // The end of one period is the start of the next.
  t.equal(periodOf(periodEnd('2026-12')), '2027-01');
  t.equal(periodOf(new Date(periodEnd('2026-12').getTime() - 1)), '2026-12');
});

t.test('quotaOf reports used, limit, remaining, period and reset', async (t) => {
  const at = new Date('2026-12-15T08:00:00.000Z');
  t.same(quotaOf(3, 10, at), { used: 3, limit: 10, remaining: 7, period: '2026-12', resetsAt: '2027-01-01T00:00:00.000Z' });
  t.equal(quotaOf(0, 10, at).remaining, 10);
  t.equal(quotaOf(10, 10, at).remaining, 0);
});

t.test('remaining is never negative, even if more were counted than the limit (limit lowered)', async (t) => {
  const q = quotaOf(12, 10, new Date('2026-11-27T10:00:00.000Z'));
  t.equal(q.remaining, 0);
  t.equal(q.used, 12, 'the true count is still reported');
});
