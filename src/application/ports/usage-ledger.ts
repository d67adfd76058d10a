/** What a job costs the month, beside its quota unit: its estimated cost and the user's spend limit (micro-USD). */
export interface SpendCharge {
  costMicroUsd: number;
  /** The month's cap on the sum of costs; no cap when absent. */
  limitMicroUsd?: number;
}

/** true: counted; false: the job quota is reached; 'spend': the spend limit would be passed. */
export type ConsumeResult = boolean | 'spend';

/** Jobs counted per user and UTC month, for the monthly quota, and their costs, for the spend limit. */
export interface UsageLedger {
  /**
   * Atomically counts one job in `period` if fewer than `limit` are counted and, with `spend`, adds its
   * cost if the month's sum stays within the spend limit — both in one conditional write, or neither.
   * Concurrent calls never push the count past `limit` nor the sum past the spend limit.
   * `jobId` names the job the unit is for: a ledger that outlives the process (SQLite) remembers the unit
   * until that job is saved or the unit refunded, and gives it back at the next start if the process died
   * between the two writes.
   */
  consume(userId: string, period: string, limit: number, spend?: SpendCharge, jobId?: string): Promise<ConsumeResult>;
  /** Gives one unit (and `costMicroUsd`) back (a job that could not be saved or started). Never goes below zero. */
  refund(userId: string, period: string, costMicroUsd?: number, jobId?: string): Promise<void>;
  /**
   * A job ended: the month's spend drops its reserved estimate and takes its actual cost instead
   * (`actualMicroUsd - reservedMicroUsd` is added), once per `jobId` however often it is called, and only
   * where something was reserved in `period`. Never goes below zero: a larger give-back is not applied.
   */
  settle(userId: string, period: string, jobId: string, reservedMicroUsd: number, actualMicroUsd: number): Promise<void>;
  used(userId: string, period: string): Promise<number>;
  /** The month's spend in micro-USD: ended jobs' actual costs (once settled), the others' estimates. */
  spentMicroUsd(userId: string, period: string): Promise<number>;
}
