import type { FastifyRateLimitStore } from '@fastify/rate-limit';
import type { RateDecision } from '../../../domain/rate-window.ts';

/** What @fastify/rate-limit asks of a store: `incr` (and `child`), plus what the app needs to run it. */
export interface RateLimitStore extends FastifyRateLimitStore {
  /** Readiness: rejects when the store cannot answer. */
  check(): Promise<void>;
  /** Stops timers and connections it owns. */
  close(): Promise<void>;
}

export interface StoreResult {
  current: number;
  ttl: number;
}

/**
 * The plugin's `{ current, ttl }` for one decision of the sliding window. The plugin refuses when
 * `current > max` and sends `ceil(ttl / 1000)` as x-ratelimit-reset (and Retry-After on a 429), so an
 * allowed request reports the requests in the window and when the window empties, a refused one
 * `limit + 1` and when the oldest request leaves it (when the next one is allowed).
 */
export function toStoreResult(decision: RateDecision): StoreResult {
  return decision.allowed
    ? { current: decision.limit - decision.remaining, ttl: decision.resetSeconds * 1000 }
    : { current: decision.limit + 1, ttl: decision.retryAfterSeconds * 1000 };
}
