import { microToUsd } from '../domain/job-options.ts';
import { periodOf, quotaOf, type Quota } from '../domain/quota.ts';
import type { Clock } from './ports/clock.ts';
import type { UsageLedger } from './ports/usage-ledger.ts';

export interface Usage extends Quota {
  /** The month's estimated costs of the jobs counted (USD). */
  spentUsd: number;
  /** SPEND_LIMIT_USD_PER_MONTH, when the operator set one. */
  spendLimitUsd?: number;
}

export class GetUsage {
  private readonly deps: { usage: UsageLedger; clock: Clock; quotaPerMonth: number; spendLimitUsdPerMonth?: number };
  constructor(deps: { usage: UsageLedger; clock: Clock; quotaPerMonth: number; spendLimitUsdPerMonth?: number }) {
    this.deps = deps;
  }

  async execute(input: { userId: string }): Promise<Usage> {
    const now = this.deps.clock.now();
    const period = periodOf(now);
    const [used, spent] = await Promise.all([this.deps.usage.used(input.userId, period), this.deps.usage.spentMicroUsd(input.userId, period)]);
    const limit = this.deps.spendLimitUsdPerMonth;
    return { ...quotaOf(used, this.deps.quotaPerMonth, now), spentUsd: microToUsd(spent), ...(limit === undefined ? {} : { spendLimitUsd: limit }) };
  }
}
