import type { FastifyInstance } from 'fastify';
import sjson from 'secure-json-parse';
import { ValidationError } from '../../../domain/errors.ts';
import { HttpError } from '../http-error.ts';

export const BODY_LIMIT = 64 * 1024;

const FORBIDDEN = 'Object contains forbidden prototype property';

/**
 * JSON bodies: an empty body is "no body" (clients often send Content-Type on a bodiless POST). A
 * `__proto__` key, or `constructor.prototype`, is refused as an unknown field (400 VALIDATION_ERROR
 * naming it), as any other unknown field is, rather than silently dropped: the client learns its body
 * was not taken as sent, and nothing can reach Object.prototype.
 */
export function useJsonBodies(app: FastifyInstance): void {
  // JSON is the only body this API takes: anything else is 415 (Fastify would otherwise parse text/plain).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_req, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, sjson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }));
    } catch (error) {
      if ((error as Error).message !== FORBIDDEN) {
        return done(new HttpError(400, 'INVALID_REQUEST', 'Invalid request: body is not valid JSON'), undefined);
      }
      const field = forbiddenKey(text);
      done(new ValidationError(field, 'additionalProperties', `unknown field ${field} is not allowed`), undefined);
    }
  });
}

/** Which key secure-json-parse refused: `__proto__` when that alone is refused, else `constructor`. */
function forbiddenKey(text: string): string {
  try {
    sjson.parse(text, undefined, { protoAction: 'error', constructorAction: 'ignore' });
    return 'constructor';
  } catch {
    return '__proto__';
  }
}
