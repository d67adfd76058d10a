import { RateWindow } from '../../../domain/rate-window.ts';
import { type RateLimitStore, type StoreResult, toStoreResult } from './rate-limit-store.ts';

const SWEEP_EVERY_MS = 60_000;

/**
 * One process's store: one domain RateWindow (an exact sliding window) per key. @fastify/rate-limit's
 * own LocalStore counts fixed windows, so a caller could send twice the limit across a window edge.
 * Idle windows are dropped every minute, so memory follows the callers active in the last minute.
 */
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly windows = new Map<string, RateWindow>();
  private readonly timer: NodeJS.Timeout;

  private readonly now: () => number;
  constructor(now: () => number = Date.now) {
    this.now = now;
    this.timer = setInterval(() => this.sweep(), SWEEP_EVERY_MS).unref();
  }

  incr(key: string, callback: (error: Error | null, result?: StoreResult) => void, timeWindow: number, max: number): void {
    let window = this.windows.get(key);
    if (!window || window.limit !== max || window.windowMs !== timeWindow) {
      this.windows.set(key, (window = new RateWindow(max, timeWindow)));
    }
    callback(null, toStoreResult(window.hit(this.now())));
  }

  /** One store for every route: the limit is per caller, not per route. */
  child(): RateLimitStore {
    return this;
  }

  get size(): number {
    return this.windows.size;
  }

  sweep(): void {
    const now = this.now();
    for (const [key, window] of this.windows) if (window.isIdle(now)) this.windows.delete(key);
  }

  async check(): Promise<void> {}

  async close(): Promise<void> {
    clearInterval(this.timer);
  }
}
