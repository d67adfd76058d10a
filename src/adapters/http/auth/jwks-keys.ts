import buildGetJwks, { type GetJwks } from 'get-jwks';

export interface JwksKeysOptions {
  /** The one issuer trusted: get-jwks' whitelist holds exactly it. */
  issuer: string;
  /** Always derived from the configured issuer, never from a token (no SSRF through `iss` or `jku`). */
  jwksUrl: string;
  now: () => number;
  timeoutMs: number;
}

export const KEYS_TTL_MS = 60 * 60 * 1000;
export const REFETCH_INTERVAL_MS = 60 * 1000;
const MAX_KEYS = 50;
const ALG = 'RS256';

type Jwk = Record<string, unknown> & { kid: string };

/**
 * The issuer's signing keys as PEM, by `kid`: get-jwks holds the JWKs, checks the issuer against its
 * whitelist and turns a JWK into a PEM. What it cannot do is wrapped here, one reason each:
 * - one fetch learns every key: get-jwks fetches per unknown `kid`, and Cognito signs id and access
 *   tokens with two keys, so the second kid would wait for the next minute's fetch allowance;
 * - at most one fetch a minute: get-jwks refetches on every unknown `kid`, so a flood of forged kids
 *   would be a flood of fetches;
 * - a real timeout: its `fetchOptions.timeout` is ignored by Node's fetch, a per-fetch AbortSignal is not;
 * - freshness on the injected clock and the keys kept when a fetch fails (its cache runs on real time);
 * - the PEM memoised per kid (the issuer is fixed per instance): get-jwks rebuilds it on every call.
 * Keys are fresh for one hour (AWS's guidance for key rotation:
 * https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-tokens-verifying-a-jwt.html).
 */
export class JwksKeys {
  private readonly jwks: GetJwks;
  private pems = new Map<string, string>();
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private attemptedAt = Number.NEGATIVE_INFINITY;
  private inflight: Promise<void> | undefined;

  private readonly options: JwksKeysOptions;
  constructor(options: JwksKeysOptions) {
    this.options = options;
    this.jwks = buildGetJwks({ issuersWhitelist: [options.issuer], max: MAX_KEYS, ttl: 2 * KEYS_TTL_MS });
  }

  /** The key's PEM if `kid` is known and the set is fresh: what a cache hit may rely on. */
  peek(kid: string): string | undefined {
    if (this.options.now() - this.fetchedAt >= KEYS_TTL_MS) return undefined;
    return this.pems.get(kid);
  }

  /** The key's PEM, fetching the JWKS when the kid is unknown or the set is stale (if allowed). */
  async lookup(kid: string): Promise<string | undefined> {
    const fresh = this.peek(kid);
    if (fresh) return fresh;
    if (this.inflight) {
      await this.inflight.catch(() => undefined);
    } else if (this.options.now() - this.attemptedAt >= REFETCH_INTERVAL_MS) {
      await this.refresh().catch(() => undefined);
    }
    return this.pems.get(kid);
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
      signal: AbortSignal.timeout(this.options.timeoutMs),
    });
    if (!response.ok) throw new Error(`JWKS endpoint answered ${response.status}`);
    const body = (await response.json()) as { keys?: unknown };
    if (!Array.isArray(body.keys)) throw new Error('JWKS response has no keys array');
    const signing = (body.keys.slice(0, MAX_KEYS) as Array<Record<string, unknown>>).filter(isSigningKey);
    const next = new Map<string, string>();
    for (const jwk of signing) {
      const pem = await this.pemOf(jwk);
      if (pem) next.set(jwk.kid, pem);
    }
    if (next.size === 0) throw new Error('JWKS has no usable RS256 signing key');
    this.pems = next;
    this.fetchedAt = this.options.now();
  }

  private async pemOf(jwk: Jwk): Promise<string | undefined> {
    const { issuer } = this.options;
    // Handed to get-jwks under its own cache key, so getPublicKey finds it instead of fetching per kid.
    this.jwks.cache.set(this.jwks.generateCacheKey(ALG, jwk.kid, issuer.endsWith('/') ? issuer : `${issuer}/`), jwk as never);
    try {
      return await this.jwks.getPublicKey({ domain: issuer, alg: ALG, kid: jwk.kid });
    } catch {
      return undefined; // one malformed key must not take the others down
    }
  }
}

function isSigningKey(jwk: Record<string, unknown>): jwk is Jwk {
  const { kty, kid, n, e, alg, use } = jwk;
  if (kty !== 'RSA' || typeof kid !== 'string' || kid === '' || typeof n !== 'string' || typeof e !== 'string') return false;
  return (alg === undefined || alg === ALG) && (use === undefined || use === 'sig');
}
