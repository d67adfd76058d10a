import { periodOf, quotaOf, type Quota } from '../domain/quota.js';
import type { Clock } from './ports/clock.js';
import type { UsageLedger } from './ports/usage-ledger.js';

export class GetUsage {
  constructor(private readonly deps: { usage: UsageLedger; clock: Clock; quotaPerMonth: number }) {}

  async execute(input: { userId: string }): Promise<Quota> {
    const now = this.deps.clock.now();
    const used = await this.deps.usage.used(input.userId, periodOf(now));
    return quotaOf(used, this.deps.quotaPerMonth, now);
  }
}
