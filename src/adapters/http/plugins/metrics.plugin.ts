import type { EmfMetrics } from '../../observability/emf-metrics.ts';
import type { ResponseObserver } from './request-context.plugin.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The contract error code this request ended with, set by the error handler (for ErrorCount). */
    errorCode?: string;
  }
}

/**
 * Feeds every response into the EMF aggregator: RequestCount/RequestDuration by route pattern and status,
 * ErrorCount by contract code. It runs inside the request-context plugin's onResponse hook, which has
 * the route pattern at hand already: a second hook cost a hook step and a second `request.routeOptions`
 * (an object Fastify builds on each read) per request.
 */
export function metricsObserver(metrics: EmfMetrics): ResponseObserver {
  return (request, endpoint, statusCode, durationMs) => {
    metrics.recordRequest(endpoint, statusCode, durationMs);
    if (request.errorCode) metrics.recordError(request.errorCode);
  };
}
