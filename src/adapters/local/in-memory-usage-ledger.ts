import type { ConsumeResult, SpendCharge, UsageLedger } from '../../application/ports/usage-ledger.js';

interface Month {
  used: number;
  spent: number;
}

/** Counts and spend per user and month. Each call runs to completion on the event loop, so consume is atomic. */
export class InMemoryUsageLedger implements UsageLedger {
  private readonly months = new Map<string, Month>();

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

  async used(userId: string, period: string): Promise<number> {
    return this.months.get(`${period}\0${userId}`)?.used ?? 0;
  }

  async spentMicroUsd(userId: string, period: string): Promise<number> {
    return this.months.get(`${period}\0${userId}`)?.spent ?? 0;
  }
}
