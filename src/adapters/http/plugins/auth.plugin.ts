import fastifyJwt from '@fastify/jwt';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Unauthorized } from '../../../domain/errors.ts';
import { JwksTokenVerifier } from '../auth/jwks-token-verifier.ts';
import type { Principal, TokenVerifier } from '../auth/principal.ts';

declare module '@fastify/jwt' {
  interface FastifyJWT {
    user: Principal;
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** onRequest hook: `request.user` is the verified token's principal, or the request ends in 401. */
    authenticate(request: FastifyRequest): Promise<void>;
  }
}

export interface AuthPluginOptions {
  /** The JWKS trust policy (through @fastify/jwt), or a stand-in that names callers in tests. */
  verifier: JwksTokenVerifier | TokenVerifier;
}

// RFC 6750: "Bearer" is case-insensitive; a token longer than any real Cognito token is refused unread.
const BEARER = /^bearer +([A-Za-z0-9._~+/=-]+) *$/i;
const MAX_TOKEN_LENGTH = 8192;

/**
 * Tokens are verified by @fastify/jwt (verification only; `formatUser` gives the domain's Principal as
 * `request.user`) with keys from get-jwks. A verified token is kept in our own LRU, checked first:
 * fast-jwt's `verify.cache` sits behind @fastify/jwt's per-request decode, key callback and option
 * merging, so a hit there still pays for them (150 → 201 µs CPU per GET through app.inject when it
 * replaced ours); it also accepts a token during its `exp` second and keeps trusting it after its
 * key left the JWKS, which the trust policy does not.
 */
async function auth(app: FastifyInstance, { verifier }: AuthPluginOptions): Promise<void> {
  if (!(verifier instanceof JwksTokenVerifier)) {
    app.decorateRequest('user', null as unknown as Principal);
    app.decorate('authenticate', async (request: FastifyRequest) => {
      request.user = await verifier.verify(bearerToken(request));
    });
    return;
  }
  const tokens = new WeakMap<FastifyRequest, string>();
  await app.register(fastifyJwt, verifier.jwtOptions((request) => tokens.get(request) ?? ''));
  app.decorate('authenticate', async (request: FastifyRequest) => {
    const token = bearerToken(request);
    const known = verifier.cached(token);
    if (known) {
      request.user = known;
      return;
    }
    tokens.set(request, token);
    try {
      await request.jwtVerify();
    } catch (error) {
      // Our own refusals keep their reason; @fastify/jwt's and fast-jwt's (bad signature, malformed, wrong
      // iss) become a plain 401 too, never its 400 or a 500.
      throw error instanceof Unauthorized ? error : new Unauthorized('Token is invalid');
    }
  });
}

export const authPlugin = fp(auth, { name: 'auth', fastify: '5.x' });

function bearerToken(request: FastifyRequest): string {
  const header = request.headers.authorization;
  if (!header) throw new Unauthorized('Missing bearer token');
  if (authorizationFields(request.raw.rawHeaders) > 1) throw new Unauthorized('Send exactly one Authorization header');
  if (header.length > MAX_TOKEN_LENGTH + 7) throw new Unauthorized('Bearer token is too long');
  const match = BEARER.exec(header);
  if (!match?.[1]) throw new Unauthorized('Authorization header must be "Bearer <token>"');
  return match[1];
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
  if (!request.user) throw new Unauthorized();
  return request.user;
}
