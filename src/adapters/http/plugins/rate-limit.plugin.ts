import rateLimit, { type FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { RateLimited } from '../../../domain/errors.ts';
import { WINDOW_MS } from '../../../domain/rate-window.ts';
import type { RateLimitStore } from '../rate-limit/rate-limit-store.ts';

export interface RateLimitPluginOptions {
  /** Requests per sliding minute per caller. */
  max: number;
  store: RateLimitStore;
}

/**
 * @fastify/rate-limit, applied by scope (app.ts adds `app.rateLimit()` as an onRequest hook after
 * authentication), so /health stays outside every limit. Per user when signed in, else per client IP.
 */
async function limits(app: FastifyInstance, { max, store }: RateLimitPluginOptions): Promise<void> {
  await app.register(rateLimit, {
    global: false,
    max,
    timeWindow: WINDOW_MS,
    // The plugin takes a store class and calls `new` on it: a function returning the instance does.
    store: function useStore() {
      return store;
    } as unknown as FastifyRateLimitStoreCtor,
    keyGenerator: (request) => (request.user ? `u:${request.user.userId}` : `ip:${request.ip}`),
    // The contract's 429 body; the error handler adds Retry-After from it.
    errorResponseBuilder: (_request, context) => new RateLimited(context.max, Math.max(1, Math.ceil(context.ttl / 1000))),
    // A store that cannot answer lets the request through (fail-open, see docs/rate-limits.md); the
    // Redis store has already logged and counted it.
    skipOnError: true,
  });
}

export const rateLimitPlugin = fp(limits, { name: 'rate-limit', fastify: '5.x' });
