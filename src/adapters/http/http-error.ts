import { Type, type Static } from '@sinclair/typebox';

/** The contract's one error body, for every non-2xx response. */
export const ErrorBody = Type.Object(
  {
    error: Type.String({ description: 'For people' }),
    code: Type.String({ description: 'For programs: VALIDATION_ERROR, NOT_FOUND, …' }),
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    timestamp: Type.String({ format: 'date-time' }),
  },
  { title: 'Error' },
);
export type ErrorBody = Static<typeof ErrorBody>;

export function errorBody(code: string, error: string, details?: Record<string, unknown>): ErrorBody {
  return details === undefined
    ? { error, code, timestamp: new Date().toISOString() }
    : { error, code, details, timestamp: new Date().toISOString() };
}

/** An HTTP-level failure raised at the edge (not a domain rule): the error handler renders it as is. */
export class HttpError extends Error {
  readonly statusCode: number;
  readonly code: string;
  readonly details?: Record<string, unknown>;
  readonly headers?: Record<string, string>;
  constructor(
    statusCode: number,
    code: string,
    message: string,
    details?: Record<string, unknown>,
    headers?: Record<string, string>,
  ) {
    super(message);
    this.statusCode = statusCode;
    this.code = code;
    this.details = details;
    this.headers = headers;
    this.name = 'HttpError';
  }
}
