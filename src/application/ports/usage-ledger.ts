/** Jobs counted per user and UTC month, for the monthly quota. */
export interface UsageLedger {
  /**
   * Atomically counts one job in `period` if fewer than `limit` are counted. Returns false, counting
   * nothing, when the limit is reached. Concurrent calls never push the count past `limit`.
   */
  consume(userId: string, period: string, limit: number): Promise<boolean>;
  /** Gives one unit back (a job that could not be started). Never goes below zero. */
  refund(userId: string, period: string): Promise<void>;
  used(userId: string, period: string): Promise<number>;
}
