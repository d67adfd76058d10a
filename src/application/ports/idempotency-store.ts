export interface IdempotencyRecord {
  userId: string;
  key: string;
  /** Hash of the request body the key was first used with. */
  fingerprint: string;
  jobId: string;
  /** ISO time after which the key may be used afresh (24 h). */
  expiresAt: string;
}

export interface IdempotencyStore {
  /**
   * Claims `record.key` for `record.userId`, atomically. Returns undefined when this call claimed it,
   * or the live record that already holds it (an expired record counts as absent and is replaced).
   */
  reserve(record: IdempotencyRecord, now: Date): Promise<IdempotencyRecord | undefined>;
  /** Drops the claim, only if it still points at `jobId` (compensation when creation fails). */
  release(userId: string, key: string, jobId: string): Promise<void>;
}
