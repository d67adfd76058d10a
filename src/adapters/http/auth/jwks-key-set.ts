import { createPublicKey } from 'node:crypto';
import { createVerifier } from 'fast-jwt';

/** Verifies one token's signature with one key and returns its claims; throws on a bad signature. */
export type SignatureCheck = (token: string) => Record<string, unknown>;

export interface JwksKeySetOptions {
  /** Always derived from the configured issuer, never from a token (no SSRF through `iss` or `jku`). */
  jwksUrl: string;
  now: () => number;
  timeoutMs: number;
}

export const KEYS_TTL_MS = 60 * 60 * 1000;
export const REFETCH_INTERVAL_MS = 60 * 1000;
const MAX_KEYS = 50;

interface Key {
  n: string;
  e: string;
  check: SignatureCheck;
}

/**
 * The issuer's signing keys, by `kid`. One fetch returns the whole JWKS and refreshes every key at
 * once — Cognito signs id and access tokens with two different keys, so a per-kid fetch (get-jwks'
 * getJwk) would spend the once-a-minute refetch allowance on the first and refuse the second. Each
 * key's fast-jwt verifier (and its KeyObject) is built once, not per request.
 *
 * Rules: keys are fresh for one hour; at most one fetch a minute, whatever the kids asked for; if a
 * fetch fails the keys already known keep working (AWS's guidance for key rotation:
 * https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-tokens-verifying-a-jwt.html).
 */
export class JwksKeySet {
  private keys = new Map<string, Key>();
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private attemptedAt = Number.NEGATIVE_INFINITY;
  private inflight: Promise<void> | undefined;

  constructor(private readonly options: JwksKeySetOptions) {}

  /** The key's check if `kid` is known and the set is fresh: what a cache hit may rely on. */
  peek(kid: string): SignatureCheck | undefined {
    if (this.options.now() - this.fetchedAt >= KEYS_TTL_MS) return undefined;
    return this.keys.get(kid)?.check;
  }

  /** The key's check, fetching the JWKS when the kid is unknown or the set is stale (if allowed). */
  async lookup(kid: string): Promise<SignatureCheck | undefined> {
    const fresh = this.peek(kid);
    if (fresh) return fresh;
    if (this.inflight) {
      await this.inflight.catch(() => undefined);
    } else if (this.options.now() - this.attemptedAt >= REFETCH_INTERVAL_MS) {
      await this.refresh().catch(() => undefined);
    }
    return this.keys.get(kid)?.check;
  }

  /** For the readiness probe: rejects if the JWKS cannot be fetched (one fetch a minute at most while it works). */
  async check(): Promise<void> {
    if (this.options.now() - this.fetchedAt < REFETCH_INTERVAL_MS) return;
    await (this.inflight ?? this.refresh());
  }

  private refresh(): Promise<void> {
    this.attemptedAt = this.options.now();
    this.inflight = this.fetchKeys().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  private async fetchKeys(): Promise<void> {
    const response = await fetch(this.options.jwksUrl, {
      headers: { accept: 'application/json' },
      // get-jwks' own `timeout` option is ignored by Node's global fetch; a signal is what bounds it.
      signal: AbortSignal.timeout(this.options.timeoutMs),
    });
    if (!response.ok) throw new Error(`JWKS endpoint answered ${response.status}`);
    const body = (await response.json()) as { keys?: unknown };
    if (!Array.isArray(body.keys)) throw new Error('JWKS response has no keys array');
    const next = new Map<string, Key>();
    for (const jwk of body.keys.slice(0, MAX_KEYS) as Array<Record<string, unknown>>) {
      const key = this.toKey(jwk);
      if (key && typeof jwk.kid === 'string') next.set(jwk.kid, key);
    }
    if (next.size === 0) throw new Error('JWKS has no usable RS256 signing key');
    this.keys = next;
    this.fetchedAt = this.options.now();
  }

  private toKey(jwk: Record<string, unknown>): Key | undefined {
    const { kty, kid, n, e, alg, use } = jwk;
    if (kty !== 'RSA' || typeof kid !== 'string' || typeof n !== 'string' || typeof e !== 'string') return undefined;
    if ((alg !== undefined && alg !== 'RS256') || (use !== undefined && use !== 'sig')) return undefined;
    const known = this.keys.get(kid);
    if (known && known.n === n && known.e === e) return known;
    try {
      const pem = createPublicKey({ key: { kty, n, e }, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
      // Expiry and not-before are checked by the caller against its injectable clock.
      const verify = createVerifier({ key: pem.toString(), algorithms: ['RS256'], ignoreExpiration: true, ignoreNotBefore: true });
      return { n, e, check: (token) => verify(token) as Record<string, unknown> };
    } catch {
      return undefined; // one malformed key must not take the others down
    }
  }
}
