import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { DomainError, type DomainErrorCode, RateLimited, ServiceUnavailable } from '../../domain/errors.ts';
import { errorBody, HttpError } from './http-error.ts';
import { describeValidation } from './validation.ts';
import './plugins/metrics.plugin.ts';

/** The one place where domain error codes become HTTP statuses. */
const STATUS: Record<DomainErrorCode, number> = {
  VALIDATION_ERROR: 400,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  JOB_NOT_READY: 409,
  JOB_FINISHED: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  QUOTA_EXCEEDED: 429,
  RATE_LIMITED: 429,
  SERVICE_UNAVAILABLE: 503,
  // Retries of optimistic writes ran out: transient by nature, so the client may retry.
  CONCURRENT_UPDATE: 503,
};

/** Fastify's own errors, by code. */
const FASTIFY: Record<string, [number, string, string]> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'UNSUPPORTED_MEDIA_TYPE', 'Unsupported media type: send application/json'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'PAYLOAD_TOO_LARGE', 'Request body is larger than 64 KiB'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'INVALID_REQUEST', 'Invalid request: content-length does not match the body'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'INVALID_REQUEST', 'Invalid request: body is empty'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'INVALID_REQUEST', 'Invalid request: body is not valid JSON'],
};

function send(reply: FastifyReply, status: number, code: string, message: string, details?: Record<string, unknown>) {
  reply.request.errorCode = code;
  return reply.code(status).type('application/json; charset=utf-8').send(errorBody(code, message, details));
}

export function useErrorFormat(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) =>
    send(reply, 404, 'NOT_FOUND', `Route ${request.method} ${request.url.split('?')[0]} not found`),
  );

  app.setErrorHandler((error: FastifyError | Error, request, reply) => {
    if (error instanceof DomainError) {
      if (error instanceof RateLimited || error instanceof ServiceUnavailable) {
        reply.header('retry-after', String(error.retryAfterSeconds));
      }
      if (error.code === 'CONCURRENT_UPDATE') reply.header('retry-after', '1');
      if (error.code === 'UNAUTHORIZED') reply.header('www-authenticate', 'Bearer');
      const status = STATUS[error.code];
      if (status >= 500) request.log.warn({ err: error }, error.message);
      return send(reply, status, error.code, error.message, error.details);
    }
    if (error instanceof HttpError) {
      if (error.headers) reply.headers(error.headers);
      return send(reply, error.statusCode, error.code, error.message, error.details);
    }
    const fastifyError = error as FastifyError;
    if (fastifyError.validation) {
      const problem = describeValidation(fastifyError.validation as never, fastifyError.validationContext);
      return send(reply, 400, 'VALIDATION_ERROR', `Invalid request: ${problem.message}`, {
        field: problem.field,
        constraint: problem.constraint,
      });
    }
    const known = fastifyError.code ? FASTIFY[fastifyError.code] : undefined;
    if (known) return send(reply, known[0], known[1], known[2]);
    const status = fastifyError.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return send(reply, status, status === 404 ? 'NOT_FOUND' : 'INVALID_REQUEST', `Invalid request: ${error.message}`);
    }
    // Anything else is ours: the log has the stack, the body reveals nothing.
    request.log.error({ err: error }, 'unhandled error');
    return send(reply, 500, 'INTERNAL_ERROR', 'Internal server error');
  });
}

/**
 * Fastify's `frameworkErrors`: a path that is not valid percent-encoding, or a path parameter past the
 * router's length limit, is refused before any hook runs, so Fastify's own body (code FST_ERR_BAD_URL)
 * would go out instead of the contract's, without x-request-id. Fastify ignores what it returns; the reply
 * is a thenable only for an `await` (it settles when the response is written), and nothing awaits it here,
 * so `void` leaves no promise whose rejection could go unseen.
 */
export function frameworkErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  reply.header('x-request-id', request.id);
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    void send(reply, 400, 'VALIDATION_ERROR', 'Invalid request: a path parameter is too long', { field: 'path', constraint: 'maxLength' });
    return;
  }
  void send(reply, 400, 'INVALID_REQUEST', 'Invalid request: the path is not a valid URL');
}

/** Node's HTTP parser failures, by code: [status, message]. Anything else it refuses is a plain 400. */
const CLIENT_ERRORS: Record<string, [number, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Invalid request: the request headers are larger than the server accepts'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Invalid request: the request was not received in time'],
};

/**
 * Fastify's `clientErrorHandler`: requests Node's parser refuses (a broken request line, a bad header
 * byte, headers over 16 KiB) never reach a route, and Fastify's default answers them in its own body.
 * This answers in the contract's body, with a request id, then closes the connection as Node would.
 */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, message] = CLIENT_ERRORS[err.code ?? ''] ?? [400, 'Invalid request: the request is not valid HTTP'];
  if (socket.writable) {
    const body = JSON.stringify(errorBody('INVALID_REQUEST', message));
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n`
        + `Content-Length: ${Buffer.byteLength(body)}\r\nx-request-id: ${randomUUID()}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}
