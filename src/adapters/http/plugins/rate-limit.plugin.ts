import type { FastifyReply, FastifyRequest } from 'fastify';
import { RateLimited } from '../../../domain/errors.js';
import { RateWindow, type RateDecision } from '../../../domain/rate-window.js';

const SWEEP_EVERY_MS = 60_000;

/**
 * One sliding window per caller (the domain's RateWindow). Idle windows are dropped every minute, so
 * memory follows the callers active in the last minute, not every caller ever seen.
 */
export class RateLimiter {
  private readonly windows = new Map<string, RateWindow>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly limit: number,
    private readonly now: () => number = Date.now,
  ) {
    this.timer = setInterval(() => this.sweep(), SWEEP_EVERY_MS).unref();
  }

  hit(key: string): RateDecision {
    let window = this.windows.get(key);
    if (!window) this.windows.set(key, (window = new RateWindow(this.limit)));
    return window.hit(this.now());
  }

  get size(): number {
    return this.windows.size;
  }

  sweep(): void {
    const now = this.now();
    for (const [key, window] of this.windows) if (window.isIdle(now)) this.windows.delete(key);
  }

  close(): void {
    clearInterval(this.timer);
  }
}

/** onRequest hook, after authentication: per user when signed in, else per client IP. */
export function rateLimit(limiter: RateLimiter) {
  return async function limitRequest(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const key = request.principal ? `u:${request.principal.userId}` : `ip:${request.ip}`;
    const decision = limiter.hit(key);
    reply.header('x-ratelimit-limit', decision.limit);
    reply.header('x-ratelimit-remaining', decision.remaining);
    reply.header('x-ratelimit-reset', decision.resetSeconds);
    if (!decision.allowed) throw new RateLimited(decision.limit, decision.retryAfterSeconds);
  };
}
