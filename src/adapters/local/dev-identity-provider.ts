import { createHash, createPublicKey, generateKeyPair, randomBytes, randomUUID, timingSafeEqual, type KeyObject } from 'node:crypto';
import { createSigner } from 'fast-jwt';

export interface DevIdentityProviderOptions {
  /** The `iss` of every token; the service's public URL, where /.well-known/jwks.json is served. */
  issuer: string;
  clientId: string;
  tokenTtlSeconds?: number;
  /** Allowed redirect/logout URIs; by default any URL on the issuer's origin. */
  redirectUris?: string[];
  now?: () => number;
  /**
   * The RSA private key tokens are signed with, or the promise of it (a key being generated or loaded).
   * By default a new key made in the background for this process: tokens end with it.
   */
  signingKey?: KeyObject | Promise<KeyObject>;
}

export interface IssuedTokens {
  accessToken: string;
  idToken: string;
  refreshToken: string;
  expiresIn: number;
}

export interface DevUser {
  userId: string;
  email?: string;
}

export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
}

export interface CodeRedemption {
  code: string;
  clientId: string;
  redirectUri: string;
  codeVerifier: string;
}

/** OAuth2's invalid_grant (RFC 6749 §5.2): the code or refresh token is unknown, used, expired or not this client's. */
export class InvalidGrant extends Error {
  override readonly name = 'InvalidGrant';
}

const CODE_TTL_MS = 5 * 60 * 1000;
const MAX_PENDING = 10_000;
// RFC 7636 §4.1/§4.2: verifier 43..128 unreserved characters; the S256 challenge is 43 base64url characters.
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;
export const CODE_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

interface PendingCode extends AuthorizationRequest {
  user: DevUser;
  expiresAt: number;
}

/**
 * Local mode's stand-in for Cognito: its own RSA key pair, Cognito-shaped tokens and single-use PKCE
 * authorization codes, so the very same JwksTokenVerifier and OAuthClient work against it.
 */
export class DevIdentityProvider {
  private readonly signing: Promise<Signing>;
  private readonly codes = new Map<string, PendingCode>();
  private readonly refreshTokens = new Map<string, DevUser & { clientId: string }>();
  private readonly now: () => number;
  private readonly ttl: number;

  private readonly options: DevIdentityProviderOptions;
  constructor(options: DevIdentityProviderOptions) {
    this.options = options;
    // Never awaited here: generating a key takes 50..500 ms, and nothing needs it before the first token.
    this.signing = Promise.resolve(options.signingKey ?? generateKey()).then(signingWith);
    // Marks the promise handled; a key that failed still fails every call that needs it.
    this.signing.catch(() => undefined);
    this.now = options.now ?? Date.now;
    this.ttl = options.tokenTtlSeconds ?? 3600;
  }

  /** The `kid` of the signing key: its RFC 7638 thumbprint, so the same key has the same id after a restart. */
  async keyId(): Promise<string> {
    return (await this.signing).kid;
  }

  get clientId(): string {
    return this.options.clientId;
  }

  async jwks(): Promise<{ keys: Array<Record<string, unknown>> }> {
    return { keys: [(await this.signing).publicJwk] };
  }

  async issueTokens(user: DevUser): Promise<IssuedTokens> {
    const { sign } = await this.signing;
    const iat = Math.floor(this.now() / 1000);
    const common = { sub: user.userId, iss: this.options.issuer, iat, exp: iat + this.ttl };
    const accessToken = sign({
      ...common, client_id: this.options.clientId, token_use: 'access', scope: 'openid', username: user.userId, jti: randomUUID(),
    });
    const idToken = sign({ ...common, aud: this.options.clientId, token_use: 'id', ...(user.email ? { email: user.email } : {}) });
    const refreshToken = randomBytes(32).toString('base64url');
    remember(this.refreshTokens, refreshToken, { ...user, clientId: this.options.clientId });
    return { accessToken, idToken, refreshToken, expiresIn: this.ttl };
  }

  /** Why the request cannot be served (a sentence), or undefined when client and redirect URI are acceptable. */
  rejectClient(clientId: string, redirectUri: string): { field: string; message: string } | undefined {
    if (clientId !== this.options.clientId) return { field: 'client_id', message: 'client_id is not a known client' };
    if (!this.allowsRedirect(redirectUri)) return { field: 'redirect_uri', message: 'redirect_uri is not allowed for this client' };
    return undefined;
  }

  allowsRedirect(uri: string): boolean {
    if (this.options.redirectUris) return this.options.redirectUris.includes(uri);
    try {
      return new URL(uri).origin === new URL(this.options.issuer).origin;
    } catch {
      return false;
    }
  }

  /** Step 1 of the code flow: the caller has checked the client and the redirect URI. */
  createCode(request: AuthorizationRequest, user: DevUser): string {
    const now = this.now();
    for (const [code, pending] of this.codes) if (pending.expiresAt <= now) this.codes.delete(code);
    const code = randomBytes(32).toString('base64url');
    remember(this.codes, code, { ...request, user, expiresAt: now + CODE_TTL_MS });
    return code;
  }

  /** Step 2: a code is redeemed once (even a failed attempt burns it), within 5 minutes, by its own client, redirect URI and verifier. */
  async redeemCode(redemption: CodeRedemption): Promise<IssuedTokens> {
    const pending = this.codes.get(redemption.code);
    this.codes.delete(redemption.code);
    if (
      !pending ||
      pending.expiresAt <= this.now() ||
      pending.clientId !== redemption.clientId ||
      pending.redirectUri !== redemption.redirectUri ||
      !VERIFIER.test(redemption.codeVerifier) ||
      !sameText(challengeOf(redemption.codeVerifier), pending.codeChallenge)
    ) {
      throw new InvalidGrant('Authorization code is invalid, expired, already used or not issued to this client');
    }
    return this.issueTokens(pending.user);
  }

  /** Cognito's refresh_token grant: new access and id tokens (and here a new refresh token too). */
  async refresh(refreshToken: string, clientId: string): Promise<IssuedTokens> {
    const known = this.refreshTokens.get(refreshToken);
    if (!known || known.clientId !== clientId) throw new InvalidGrant('Refresh token is invalid');
    this.refreshTokens.delete(refreshToken);
    return this.issueTokens({ userId: known.userId, ...(known.email ? { email: known.email } : {}) });
  }
}

interface Signing {
  kid: string;
  publicJwk: Record<string, unknown>;
  sign: (payload: Record<string, unknown>) => string;
}

function generateKey(): Promise<KeyObject> {
  return new Promise((resolve, reject) => {
    generateKeyPair('rsa', { modulusLength: 2048 }, (err, _publicKey, privateKey) => (err ? reject(err) : resolve(privateKey)));
  });
}

function signingWith(privateKey: KeyObject): Signing {
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  // RFC 7638: the SHA-256 of the required members in lexicographic order.
  const kid = createHash('sha256').update(JSON.stringify({ e: jwk.e, kty: jwk.kty, n: jwk.n })).digest('base64url');
  const signer = createSigner({ key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), algorithm: 'RS256', kid });
  return { kid, publicJwk: { ...jwk, kid, alg: 'RS256', use: 'sig' }, sign: (payload) => signer(payload) };
}

export function challengeOf(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** A dev server must not grow without bound: the oldest entries go first. */
function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.set(key, value);
  if (map.size > MAX_PENDING) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
}
