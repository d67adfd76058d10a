import type { ConsumeResult, SpendCharge, UsageLedger } from '../../application/ports/usage-ledger.ts';

interface Month {
  used: number;
  spent: number;
}

/** Counts and spend per user and month (and the jobs settled). Each call runs to completion on the event loop, so consume is atomic. */
export class InMemoryUsageLedger implements UsageLedger {
  private readonly months = new Map<string, Month>();
  /** Jobs whose spend was settled: each is settled once. */
  private readonly settled = new Set<string>();

  async consume(userId: string, period: string, limit: number, spend?: SpendCharge): Promise<ConsumeResult> {
    const key = `${period}\0${userId}`;
    const month = this.months.get(key) ?? { used: 0, spent: 0 };
    if (month.used >= limit) return false;
    const cost = spend?.costMicroUsd ?? 0;
    if (spend?.limitMicroUsd !== undefined && month.spent + cost > spend.limitMicroUsd) return 'spend';
    this.months.set(key, { used: month.used + 1, spent: month.spent + cost });
    return true;
  }

  async refund(userId: string, period: string, costMicroUsd = 0): Promise<void> {
    const key = `${period}\0${userId}`;
    const month = this.months.get(key);
    if (!month || month.used === 0) return;
    this.months.set(key, { used: month.used - 1, spent: Math.max(0, month.spent - costMicroUsd) });
  }

  async settle(userId: string, period: string, jobId: string, reservedMicroUsd: number, actualMicroUsd: number): Promise<void> {
    const key = `${period}\0${userId}`;
    const month = this.months.get(key);
    const spent = (month?.spent ?? 0) + actualMicroUsd - reservedMicroUsd;
    // Nothing reserved that month, settled already, or a give-back larger than the month: not applied.
    if (!month || this.settled.has(jobId) || spent < 0) return;
    this.settled.add(jobId);
    this.months.set(key, { used: month.used, spent });
  }

  async used(userId: string, period: string): Promise<number> {
    return this.months.get(`${period}\0${userId}`)?.used ?? 0;
  }

  async spentMicroUsd(userId: string, period: string): Promise<number> {
    return this.months.get(`${period}\0${userId}`)?.spent ?? 0;
  }
}
