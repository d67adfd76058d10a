import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { EmfMetrics } from '../../observability/emf-metrics.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The contract error code this request ended with, set by the error handler (for ErrorCount). */
    errorCode?: string;
  }
}

/** Feeds every response into the EMF aggregator: RequestCount/RequestDuration by route pattern and status. */
export const metricsPlugin = fp(
  async (app: FastifyInstance, { metrics }: { metrics: EmfMetrics }) => {
    app.addHook('onResponse', async (request, reply) => {
      metrics.recordRequest(request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime);
      if (request.errorCode) metrics.recordError(request.errorCode);
    });
  },
  { name: 'metrics' },
);
