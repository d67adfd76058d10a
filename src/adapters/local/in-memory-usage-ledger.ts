import type { UsageLedger } from '../../application/ports/usage-ledger.js';

/** Counts per user and month. Each call runs to completion on the event loop, so consume is atomic. */
export class InMemoryUsageLedger implements UsageLedger {
  private readonly counts = new Map<string, number>();

  async consume(userId: string, period: string, limit: number): Promise<boolean> {
    const key = `${period}\0${userId}`;
    const used = this.counts.get(key) ?? 0;
    if (used >= limit) return false;
    this.counts.set(key, used + 1);
    return true;
  }

  async refund(userId: string, period: string): Promise<void> {
    const key = `${period}\0${userId}`;
    const used = this.counts.get(key) ?? 0;
    if (used <= 1) this.counts.delete(key);
    else this.counts.set(key, used - 1);
  }

  async used(userId: string, period: string): Promise<number> {
    return this.counts.get(`${period}\0${userId}`) ?? 0;
  }
}
