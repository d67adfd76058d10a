import underPressure from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { getHeapStatistics } from 'node:v8';
import { errorBody } from '../http-error.ts';

export interface LoadSheddingOptions {
  /** Shed when the event loop lags more than this (ms). */
  maxEventLoopDelayMs?: number;
  /** Shed when the heap grows past this; default 90 % of V8's heap limit. */
  maxHeapUsedBytes?: number;
  retryAfterSeconds?: number;
  /** How often the pressure is sampled (ms). */
  sampleIntervalMs?: number;
  /** Where the figures come from: under-pressure's `app.memoryUsage()` unless a test gives its own. */
  readPressure?: (app: FastifyInstance) => { eventLoopDelay: number; heapUsed: number };
}

const LIVENESS = '/api/v1/health';

/**
 * Under pressure, answer 503 SERVICE_UNAVAILABLE quickly (with Retry-After, in the contract's body) instead
 * of queueing requests until they time out. Liveness (/api/v1/health) is never shed: an overloaded task
 * should be relieved by the ALB's retries and autoscaling, not killed and replaced mid-burst.
 *
 * @fastify/under-pressure samples the event-loop delay and the heap on its timer; the verdict is taken
 * on a timer too, so a request pays one boolean test. (Given thresholds, under-pressure adds its own
 * onRequest hook, which builds `request.routeOptions` for every request to look up a per-route handler.)
 */
export const loadSheddingPlugin = fp(
  async (app: FastifyInstance, opts: LoadSheddingOptions) => {
    const retryAfter = String(opts.retryAfterSeconds ?? 5);
    const maxDelay = opts.maxEventLoopDelayMs ?? 1000;
    const maxHeap = opts.maxHeapUsedBytes ?? Math.floor(getHeapStatistics().heap_size_limit * 0.9);
    const sampleInterval = opts.sampleIntervalMs ?? 1000;
    // No thresholds: under-pressure only samples (and decorates app.memoryUsage()).
    await app.register(underPressure, { sampleInterval });

    let pressure: { type: string; value: number } | undefined;
    // Startup (module loading, schema compiling, composing) blocks the loop before the server is ready,
    // and under-pressure's first samples count it: judge the loop's delay only from one whole sample after
    // ready, or a freshly started task would shed its first requests for nothing.
    let delayJudgedFrom = Infinity;
    app.addHook('onReady', async () => {
      delayJudgedFrom = Date.now() + 2 * sampleInterval;
    });
    const readPressure = opts.readPressure ?? ((a: FastifyInstance) => a.memoryUsage());
    const judge = () => {
      const { eventLoopDelay, heapUsed } = readPressure(app);
      if (eventLoopDelay > maxDelay && Date.now() >= delayJudgedFrom) pressure = { type: 'eventLoopDelay', value: eventLoopDelay };
      else if (heapUsed > maxHeap) pressure = { type: 'heapUsedBytes', value: heapUsed };
      else pressure = undefined;
    };
    // Twice per sample, so a verdict is at most half an interval behind under-pressure's figures.
    const timer = setInterval(judge, Math.max(10, sampleInterval / 2)).unref();
    app.addHook('onClose', async () => clearInterval(timer));

    app.addHook('onRequest', (request, reply, done) => {
      if (pressure === undefined || request.url === LIVENESS) return done();
      request.log.warn(pressure, 'shedding load');
      request.errorCode = 'SERVICE_UNAVAILABLE';
      reply
        .code(503)
        .header('retry-after', retryAfter)
        .type('application/json; charset=utf-8')
        .send(errorBody('SERVICE_UNAVAILABLE', 'The service is under heavy load; please retry shortly'));
    });
  },
  { name: 'load-shedding' },
);
