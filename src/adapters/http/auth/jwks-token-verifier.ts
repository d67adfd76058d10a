// Why fast-jwt directly and not @fastify/jwt: the app needs one onRequest hook that turns a bearer
// token into a Principal. @fastify/jwt adds request/reply decorators, its own error types (which would
// have to be mapped back to UNAUTHORIZED) and a per-request key callback; calling fast-jwt ourselves
// keeps one verifier per key, built once, and the whole trust policy readable in this one file.
import { createDecoder } from 'fast-jwt';
import { Unauthorized } from '../../../domain/errors.js';
import { JwksKeySet, type SignatureCheck } from './jwks-key-set.js';
import type { Principal, TokenVerifier } from './principal.js';
import { TokenCache } from './token-cache.js';

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

interface Verified {
  principal: Principal;
  /** Seconds since the epoch, as in the token. */
  exp: number;
  nbf?: number;
  kid: string;
  /** The key that verified it: a hit is only trusted while the key set still holds this very key. */
  check: SignatureCheck;
}

const decodeComplete = createDecoder({ complete: true });

/**
 * The one TokenVerifier of both modes: Cognito's JWKS in aws mode, the dev identity provider's in
 * local mode. Every refusal is the domain's Unauthorized, so nothing here can become a 500.
 */
export class JwksTokenVerifier implements TokenVerifier {
  private readonly keys: JwksKeySet;
  private readonly cache: TokenCache<Verified>;
  private readonly now: () => number;

  constructor(private readonly options: JwksTokenVerifierOptions) {
    this.now = options.now ?? Date.now;
    this.keys = new JwksKeySet({
      jwksUrl: options.jwksUrl ?? `${options.issuer.replace(/\/+$/, '')}/.well-known/jwks.json`,
      now: this.now,
      timeoutMs: options.jwksTimeoutMs ?? 3000,
    });
    this.cache = new TokenCache(options.cacheSize ?? 10_000);
  }

  async verify(token: string): Promise<Principal> {
    const now = this.now();
    const hit = this.cache.get(token);
    if (hit) {
      // A hit must never accept what a fresh verification would refuse: time moved on, or the key left the JWKS.
      if (isCurrent(hit, now) && this.keys.peek(hit.kid) === hit.check) return hit.principal;
      this.cache.delete(token);
    }
    const kid = this.keyIdOf(token);
    const check = await this.keys.lookup(kid);
    if (!check) throw new Unauthorized('Token is signed by an unknown key');
    let claims: Record<string, unknown>;
    try {
      claims = check(token);
    } catch {
      throw new Unauthorized('Token signature is invalid');
    }
    const verified = { ...this.trust(claims, this.now()), kid, check };
    this.cache.set(token, verified);
    return verified.principal;
  }

  /** Readiness: rejects when the JWKS cannot be fetched. */
  check(): Promise<void> {
    return this.keys.check();
  }

  private keyIdOf(token: string): string {
    let header: Record<string, unknown>;
    try {
      header = (decodeComplete(token) as { header: Record<string, unknown> }).header;
    } catch {
      throw new Unauthorized('Token is malformed');
    }
    // Only RS256: `none` and HS* (the classic "public key as HMAC secret" confusion) never get near a key.
    if (header.alg !== 'RS256') throw new Unauthorized('Token algorithm must be RS256');
    if (typeof header.kid !== 'string' || header.kid === '') throw new Unauthorized('Token has no kid');
    return header.kid;
  }

  /** The trust policy of CONTRACT.md, on claims whose signature is already verified. */
  private trust(claims: Record<string, unknown>, now: number): Omit<Verified, 'kid' | 'check'> {
    const { iss, token_use: use, client_id: clientId, aud, exp, nbf, sub, email } = claims;
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
    const verified = { principal: { userId: sub, ...(typeof email === 'string' ? { email } : {}) }, exp, nbf };
    if (now >= exp * 1000) throw new Unauthorized('Token has expired');
    if (!isCurrent(verified, now)) throw new Unauthorized('Token is not valid yet');
    return verified;
  }
}

/** RFC 7519 §4.1.4/§4.1.5: valid from `nbf` (inclusive) until `exp` (exclusive). */
function isCurrent(token: { exp: number; nbf?: number }, now: number): boolean {
  return now < token.exp * 1000 && (token.nbf === undefined || now >= token.nbf * 1000);
}
