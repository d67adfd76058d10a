import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { runWithLogContext, type LogContext } from '../../observability/log-context.ts';
import { lazyChildLogger } from './lazy-child-logger.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Writes the request's line now. For a hijacked stream (SSE) whose client left first: Fastify runs
     * onResponse only when the response finished, so such a request would otherwise leave no line.
     */
    requestEnded(request: FastifyRequest, reply: FastifyReply): void;
  }
  interface FastifyRequest {
    /** What this request's log lines carry (its id, the job it is about); a route adds the job it made. */
    logContext: LogContext;
  }
}

/** Routes under this prefix are about the job their `:id` names. */
const JOB_ROUTE = '/api/v1/jobs/:id';

/** A client's own request id is kept if it is sane; anything else gets a fresh UUID. */
const SANE_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

export function requestIdOf(request: { headers: Record<string, string | string[] | undefined> }, fresh: () => string): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && SANE_ID.test(given) ? given : fresh();
}

/** Told of every response, in the same hook as the log line (the metrics). */
export type ResponseObserver = (request: FastifyRequest, endpoint: string, statusCode: number, durationMs: number) => void;

export interface RequestContextOptions {
  /** Headers every response carries (the security headers), set in the same hook as x-request-id. */
  headers?: Readonly<Record<string, string>>;
  observe?: ResponseObserver;
}

/**
 * One log line per request, with the fields the CloudWatch Logs Insights queries use: endpoint (the
 * route pattern, never the raw URL), statusCode, duration (ms), userId, requestId, method, and jobId
 * when the request is about one job (`/jobs/:id…`, or the job POST /jobs made).
 * The rest of the request runs in its log context (observability/log-context.ts): every line a use case
 * writes meanwhile carries the requestId too, and a workflow it starts is given it (docs/deploying.md).
 * Also sets x-request-id (and the fixed response headers) on every response, and tells `observe` (the
 * metrics) of each response from the same hook.
 *
 * The line is written by the root logger with requestId as a field, and `request.log` is a child that
 * pino only builds when a handler logs something else: a pino child per request (its bindings
 * serialized) was a cost every request paid for a logger almost none of them use (docs/performance.md).
 */
export const requestContextPlugin = fp(
  async (app: FastifyInstance, opts: RequestContextOptions) => {
    const root: FastifyBaseLogger = app.log;
    app.setChildLoggerFactory(lazyChildLogger);
    // Declared up front so every request object has the same shape (set in onRequest below).
    app.decorateRequest('logContext', null as unknown as LogContext);
    const fixed = opts.headers ?? {};
    const observe = opts.observe;
    app.addHook('onRequest', (request, reply, done) => {
      reply.headers(fixed);
      reply.header('x-request-id', request.id);
      const context: LogContext = { requestId: request.id };
      request.logContext = context;
      runWithLogContext(context, done);
    });
    const ended = (request: FastifyRequest, reply: FastifyReply): void => {
      const statusCode = reply.statusCode;
      const endpoint = request.routeOptions.url ?? 'unmatched';
      const elapsed = reply.elapsedTime;
      const line = {
        requestId: request.id,
        method: request.method,
        endpoint,
        statusCode,
        duration: Math.round(elapsed * 100) / 100,
        userId: request.user?.userId,
        jobId: request.logContext.jobId ?? (endpoint.startsWith(JOB_ROUTE) ? (request.params as { id?: string }).id : undefined),
      };
      if (statusCode >= 500) root.error(line, 'request failed');
      else root.info(line, 'request completed');
      observe?.(request, endpoint, statusCode, elapsed);
    };
    app.decorate('requestEnded', ended);
    app.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done) => {
      ended(request, reply);
      done();
    });
  },
  { name: 'request-context' },
);
