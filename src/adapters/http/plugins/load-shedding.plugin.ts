import underPressure from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { getHeapStatistics } from 'node:v8';
import { errorBody } from '../http-error.js';

export interface LoadSheddingOptions {
  /** Shed when the event loop lags more than this (ms). */
  maxEventLoopDelayMs?: number;
  /** Shed when the heap grows past this; default 90 % of V8's heap limit. */
  maxHeapUsedBytes?: number;
  retryAfterSeconds?: number;
}

/**
 * Under pressure, answer 503 SERVICE_UNAVAILABLE quickly (with Retry-After, in the contract's body) instead
 * of queueing requests until they time out. Liveness (/api/v1/health) is never shed: an overloaded task
 * should be relieved by the ALB's retries and autoscaling, not killed and replaced mid-burst.
 */
export const loadSheddingPlugin = fp(
  async (app: FastifyInstance, opts: LoadSheddingOptions) => {
    const retryAfter = opts.retryAfterSeconds ?? 5;
    await app.register(underPressure, {
      maxEventLoopDelay: opts.maxEventLoopDelayMs ?? 1000,
      maxHeapUsedBytes: opts.maxHeapUsedBytes ?? Math.floor(getHeapStatistics().heap_size_limit * 0.9),
      retryAfter,
      pressureHandler: (request, reply, type, value) => {
        if (request.url === '/api/v1/health') return;
        request.log.warn({ type, value }, 'shedding load');
        request.errorCode = 'SERVICE_UNAVAILABLE';
        reply
          .code(503)
          .header('retry-after', String(retryAfter))
          .type('application/json; charset=utf-8')
          .send(errorBody('SERVICE_UNAVAILABLE', 'The service is under heavy load; please retry shortly'));
      },
    });
  },
  { name: 'load-shedding' },
);
