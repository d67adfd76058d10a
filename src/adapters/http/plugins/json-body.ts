import type { FastifyInstance } from 'fastify';
import sjson from 'secure-json-parse';
import { HttpError } from '../http-error.js';

export const BODY_LIMIT = 64 * 1024;

/**
 * JSON bodies: an empty body is "no body" (clients often send Content-Type on a bodiless POST), and
 * `__proto__` / `constructor.prototype` keys are dropped, so no payload can reach Object.prototype.
 */
export function useJsonBodies(app: FastifyInstance): void {
  // JSON is the only body this API takes: anything else is 415 (Fastify would otherwise parse text/plain).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_req, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, sjson.parse(text, undefined, { protoAction: 'remove', constructorAction: 'remove' }));
    } catch {
      done(new HttpError(400, 'INVALID_REQUEST', 'Invalid request: body is not valid JSON'), undefined);
    }
  });
}
