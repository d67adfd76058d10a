// A sliding 60-second window per caller: it keeps the times of the requests it allowed in the last
// window, so "more than `limit` requests in the last 60 s" is exact, not a fixed-window estimate.
// Memory is bounded by `limit` timestamps per caller; refused requests are not recorded, so a caller
// that backs off gets its budget back as its own old requests slide out.

export const WINDOW_MS = 60_000;

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until at least one more request is allowed (0 when some remain). */
  retryAfterSeconds: number;
  /** Seconds until the window holds none of the current requests (the x-ratelimit-reset header). */
  resetSeconds: number;
}

export class RateWindow {
  private readonly hits: number[] = [];
  private head = 0;

  readonly limit: number;
  readonly windowMs: number;

  constructor(limit: number, windowMs = WINDOW_MS) {
    this.limit = limit;
    this.windowMs = windowMs;
  }

  hit(nowMs: number): RateDecision {
    this.prune(nowMs);
    const count = this.hits.length - this.head;
    const allowed = count < this.limit;
    if (allowed) this.hits.push(nowMs);
    const used = this.hits.length - this.head;
    const oldest = this.hits[this.head];
    const newest = this.hits[this.hits.length - 1];
    const untilOldestExpires = oldest === undefined ? 0 : oldest + this.windowMs - nowMs;
    const untilAllExpire = newest === undefined ? this.windowMs : newest + this.windowMs - nowMs;
    return {
      allowed,
      limit: this.limit,
      remaining: Math.max(0, this.limit - used),
      retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil(untilOldestExpires / 1000)),
      resetSeconds: Math.max(1, Math.ceil(untilAllExpire / 1000)),
    };
  }

  /** True when nothing in the window is recent: the caller's window can be dropped. */
  isIdle(nowMs: number): boolean {
    const newest = this.hits[this.hits.length - 1];
    return newest === undefined || newest <= nowMs - this.windowMs;
  }

  private prune(nowMs: number): void {
    const cutoff = nowMs - this.windowMs;
    while (this.head < this.hits.length && (this.hits[this.head] as number) <= cutoff) this.head++;
    // Compact now and then instead of shifting on every request.
    if (this.head > 32 && this.head * 2 > this.hits.length) {
      this.hits.splice(0, this.head);
      this.head = 0;
    }
  }
}
