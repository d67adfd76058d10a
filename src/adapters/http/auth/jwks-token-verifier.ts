import type { FastifyJWTOptions } from '@fastify/jwt';
import type { FastifyRequest } from 'fastify';
import { Unauthorized } from '../../../domain/errors.ts';
import { JwksKeys } from './jwks-keys.ts';
import type { Principal } from './principal.ts';
import { TokenCache } from './token-cache.ts';

export interface JwksTokenVerifierOptions {
  /** The exact `iss` trusted; its `/.well-known/jwks.json` holds the signing keys. */
  issuer: string;
  /** The app client: `client_id` of access tokens, `aud` of id tokens. */
  clientId: string;
  now?: () => number;
  /** Verified tokens kept (LRU); 0 turns the cache off. */
  cacheSize?: number;
  jwksTimeoutMs?: number;
  /** Where to fetch the keys when the issuer's own URL is not reachable from here (local mode behind a proxy). */
  jwksUrl?: string;
}

export interface VerifiedToken {
  principal: Principal;
  /** Seconds since the epoch, as in the token. */
  exp: number;
  nbf?: number;
  kid: string;
  /** The key that verified it: a hit is only trusted while the key set still holds this very key. */
  pem: string;
}

/**
 * The trust policy of both modes (Cognito's JWKS in aws mode, the dev identity provider's in local
 * mode), as @fastify/jwt options plus what @fastify/jwt does not do: the claims rules on the injected
 * clock, and a cache of verified tokens (see auth.plugin.ts for why it is ours and not fast-jwt's).
 */
export class JwksTokenVerifier {
  readonly keys: JwksKeys;
  readonly now: () => number;
  private readonly cache: TokenCache<VerifiedToken>;

  private readonly options: JwksTokenVerifierOptions;
  constructor(options: JwksTokenVerifierOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
    this.keys = new JwksKeys({
      issuer: options.issuer,
      jwksUrl: options.jwksUrl ?? `${options.issuer.replace(/\/+$/, '')}/.well-known/jwks.json`,
      now: this.now,
      timeoutMs: options.jwksTimeoutMs ?? 3000,
    });
    this.cache = new TokenCache(options.cacheSize ?? 10_000);
  }

  /** A token verified before and still trusted now: no decoding, no signature check. */
  cached(token: string): Principal | undefined {
    const hit = this.cache.get(token);
    if (!hit) return undefined;
    // A hit must never accept what a fresh verification would refuse: time moved on, or the key left the JWKS.
    if (isCurrent(hit, this.now()) && this.keys.peek(hit.kid) === hit.pem) return hit.principal;
    this.cache.delete(token);
    return undefined;
  }

  /**
   * @fastify/jwt's options: verification only, RS256 only, the key by `kid` from the issuer's JWKS.
   * A token that passes every rule is remembered, so its next requests skip all of this.
   */
  jwtOptions(extractToken: (request: FastifyRequest) => string): FastifyJWTOptions {
    const keyOf = new WeakMap<FastifyRequest, { kid: string; pem: string }>();
    return {
      secret: async (request: FastifyRequest, decoded: unknown) => {
        const { alg, kid } = (decoded as { header: Record<string, unknown> }).header;
        // Only RS256: `none` and HS* (the classic "public key as HMAC secret" confusion) never get near a key.
        if (alg !== 'RS256') throw new Unauthorized('Token algorithm must be RS256');
        if (typeof kid !== 'string' || kid === '') throw new Unauthorized('Token has no kid');
        const pem = await this.keys.lookup(kid);
        if (!pem) throw new Unauthorized('Token is signed by an unknown key');
        keyOf.set(request, { kid, pem });
        return pem;
      },
      decode: { complete: true },
      // exp and nbf are checked in trust() on the injectable clock; fast-jwt's own cache is off (see auth.plugin.ts).
      verify: { algorithms: ['RS256'], allowedIss: this.options.issuer, ignoreExpiration: true, ignoreNotBefore: true, cache: false, extractToken },
      trusted: async (request, claims) => {
        const key = keyOf.get(request) as { kid: string; pem: string };
        this.cache.set(extractToken(request), { ...this.trust(claims), ...key });
        return true;
      },
      formatUser: (claims) => principalOf(claims as Record<string, unknown>),
    };
  }

  /** Readiness: rejects when the JWKS cannot be fetched. */
  check(): Promise<void> {
    return this.keys.check();
  }

  /** The trust policy, on claims whose signature and issuer fast-jwt already verified. */
  private trust(claims: Record<string, unknown>): Omit<VerifiedToken, 'kid' | 'pem'> {
    const { iss, token_use: use, client_id: clientId, aud, exp, nbf, sub } = claims;
    if (iss !== this.options.issuer) throw new Unauthorized('Token issuer is not trusted');
    if (use === 'access') {
      if (clientId !== this.options.clientId) throw new Unauthorized('Token was issued to another client');
    } else if (use === 'id') {
      const audiences = Array.isArray(aud) ? aud : [aud];
      if (!audiences.includes(this.options.clientId)) throw new Unauthorized('Token was issued to another client');
    } else {
      throw new Unauthorized('Token must be an access or id token');
    }
    if (typeof exp !== 'number' || !Number.isFinite(exp)) throw new Unauthorized('Token has no expiry');
    if (nbf !== undefined && (typeof nbf !== 'number' || !Number.isFinite(nbf))) throw new Unauthorized('Token nbf is invalid');
    if (typeof sub !== 'string' || sub === '') throw new Unauthorized('Token has no subject');
    const verified = { principal: principalOf(claims), exp, nbf: nbf as number | undefined };
    const now = this.now();
    if (now >= exp * 1000) throw new Unauthorized('Token has expired');
    if (!isCurrent(verified, now)) throw new Unauthorized('Token is not valid yet');
    return verified;
  }
}

function principalOf(claims: Record<string, unknown>): Principal {
  const { sub, email } = claims;
  return { userId: sub as string, ...(typeof email === 'string' ? { email } : {}) };
}

/** RFC 7519 §4.1.4/§4.1.5: valid from `nbf` (inclusive) until `exp` (exclusive). */
function isCurrent(token: { exp: number; nbf?: number }, now: number): boolean {
  return now < token.exp * 1000 && (token.nbf === undefined || now >= token.nbf * 1000);
}
