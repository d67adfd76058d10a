import type { IdempotencyRecord, IdempotencyStore } from '../../application/ports/idempotency-store.ts';

const SWEEP_EVERY = 1024;

/** Idempotency claims in memory; expired claims count as absent and are swept now and then. */
export class InMemoryIdempotencyStore implements IdempotencyStore {
  private readonly records = new Map<string, IdempotencyRecord>();
  private writes = 0;

  async reserve(record: IdempotencyRecord, now: Date): Promise<IdempotencyRecord | undefined> {
    const id = `${record.userId}\0${record.key}`;
    const held = this.records.get(id);
    if (held && Date.parse(held.expiresAt) > now.getTime()) return held;
    this.records.set(id, { ...record });
    if (++this.writes % SWEEP_EVERY === 0) this.sweep(now);
    return undefined;
  }

  async release(userId: string, key: string, jobId: string): Promise<void> {
    const id = `${userId}\0${key}`;
    if (this.records.get(id)?.jobId === jobId) this.records.delete(id);
  }

  private sweep(now: Date): void {
    for (const [id, record] of this.records) {
      if (Date.parse(record.expiresAt) <= now.getTime()) this.records.delete(id);
    }
  }
}
