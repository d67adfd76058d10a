import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** What the login step must remember until the callback: the CSRF `state` and the PKCE verifier. */
export interface LoginSession {
  state: string;
  codeVerifier: string;
}

export const LOGIN_COOKIE = 'omnigen_login';
export const LOGIN_TTL_SECONDS = 600;

/** A fresh state and PKCE pair (RFC 7636 §4.1: 32 random octets → a 43-character verifier). */
export function newLoginSession(): LoginSession & { codeChallenge: string } {
  const codeVerifier = randomBytes(32).toString('base64url');
  return {
    state: randomBytes(24).toString('base64url'),
    codeVerifier,
    codeChallenge: createHash('sha256').update(codeVerifier).digest('base64url'),
  };
}

/**
 * The login session travels in one HMAC-signed cookie, so the service stays stateless (any instance
 * can serve the callback). Signed, not encrypted: the verifier is useless without the code, which
 * only the browser that started the login receives; the expiry inside also bounds a copied cookie.
 */
export class LoginCookie {
  private readonly secret: string;
  private readonly options: { path: string; secure: boolean; now?: () => number };
  constructor(
    secret: string,
    options: { path: string; secure: boolean; now?: () => number },
  ) {
    this.secret = secret;
    this.options = options;
  }

  serialize(session: LoginSession): string {
    const expiresAt = this.now() + LOGIN_TTL_SECONDS * 1000;
    const payload = Buffer.from(JSON.stringify({ s: session.state, v: session.codeVerifier, x: expiresAt })).toString('base64url');
    return this.attributes(`${LOGIN_COOKIE}=${payload}.${this.sign(payload)}`, LOGIN_TTL_SECONDS);
  }

  clear(): string {
    return this.attributes(`${LOGIN_COOKIE}=`, 0);
  }

  /** The session from the request's Cookie header, or undefined when missing, forged or expired. */
  read(cookieHeader: string | undefined): LoginSession | undefined {
    const value = cookieValue(cookieHeader, LOGIN_COOKIE);
    const [payload, signature, extra] = value?.split('.') ?? [];
    if (!payload || !signature || extra !== undefined || !sameText(signature, this.sign(payload))) return undefined;
    try {
      const parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { s?: unknown; v?: unknown; x?: unknown };
      if (typeof parsed.s !== 'string' || typeof parsed.v !== 'string' || typeof parsed.x !== 'number') return undefined;
      if (parsed.x <= this.now()) return undefined;
      return { state: parsed.s, codeVerifier: parsed.v };
    } catch {
      return undefined;
    }
  }

  private sign(payload: string): string {
    // A label keeps this MAC apart from anything else the same secret signs (list cursors).
    return createHmac('sha256', this.secret).update(`login-cookie.v1.${payload}`).digest('base64url');
  }

  private attributes(pair: string, maxAge: number): string {
    const secure = this.options.secure ? '; Secure' : '';
    return `${pair}; Path=${this.options.path}; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${secure}`;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}

export function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
