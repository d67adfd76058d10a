import type { FastifyRequest } from 'fastify';
import { Unauthorized } from '../../../domain/errors.js';
import type { Principal, TokenVerifier } from '../auth/principal.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

// RFC 6750: "Bearer" is case-insensitive; a token longer than any real Cognito token is refused unread.
const BEARER = /^bearer +([A-Za-z0-9._~+/=-]+) *$/i;
const MAX_TOKEN_LENGTH = 8192;

/** An onRequest hook: the caller's identity is the verified token's `sub`, or the request ends in 401. */
export function authenticate(verifier: TokenVerifier) {
  return async function authenticateRequest(request: FastifyRequest): Promise<void> {
    const header = request.headers.authorization;
    if (!header) throw new Unauthorized('Missing bearer token');
    if (authorizationFields(request.raw.rawHeaders) > 1) throw new Unauthorized('Send exactly one Authorization header');
    if (header.length > MAX_TOKEN_LENGTH + 7) throw new Unauthorized('Bearer token is too long');
    const match = BEARER.exec(header);
    if (!match?.[1]) throw new Unauthorized('Authorization header must be "Bearer <token>"');
    request.principal = await verifier.verify(match[1]);
  };
}

/**
 * Node keeps the first of several Authorization fields and drops the rest, while a proxy in front may
 * act on another one: two fields are malformed (RFC 9110 §5.3, Authorization is not a list), so refuse.
 */
function authorizationFields(rawHeaders: string[]): number {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    if (name.length === 13 && name.toLowerCase() === 'authorization') count++;
  }
  return count;
}

export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Unauthorized();
  return request.principal;
}
