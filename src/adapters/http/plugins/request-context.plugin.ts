import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

/** A client's own request id is kept if it is sane; anything else gets a fresh UUID. */
const SANE_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

export function requestIdOf(request: { headers: Record<string, string | string[] | undefined> }, fresh: () => string): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && SANE_ID.test(given) ? given : fresh();
}

function endpointOf(request: FastifyRequest): string {
  return request.routeOptions.url ?? 'unmatched';
}

/**
 * One log line per request, with the fields the CloudWatch Logs Insights queries use: endpoint (the
 * route pattern, never the raw URL), statusCode, duration (ms), userId, requestId, method.
 * Also echoes x-request-id on every response.
 */
export const requestContextPlugin = fp(
  async (app: FastifyInstance) => {
    app.addHook('onRequest', async (request, reply) => {
      reply.header('x-request-id', request.id);
    });
    app.addHook('onResponse', async (request, reply) => {
      const statusCode = reply.statusCode;
      // requestId is already on request.log's bindings (requestIdLogLabel).
      const line = {
        method: request.method,
        endpoint: endpointOf(request),
        statusCode,
        duration: Math.round(reply.elapsedTime * 100) / 100,
        userId: request.user?.userId,
      };
      if (statusCode >= 500) request.log.error(line, 'request failed');
      else request.log.info(line, 'request completed');
    });
  },
  { name: 'request-context' },
);
