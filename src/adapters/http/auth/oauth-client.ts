export interface OAuthClientOptions {
  /** Cognito's hosted UI base URL (COGNITO_DOMAIN), or the local public URL where the dev IdP answers. */
  domain: string;
  clientId: string;
  clientSecret?: string;
  redirectUri: string;
  logoutUri?: string;
  timeoutMs?: number;
}

export interface OAuthTokens {
  accessToken: string;
  idToken: string;
  refreshToken: string;
  expiresIn: number;
}

/** The identity provider refused the code (RFC 6749 §5.2 invalid_grant): the user must log in again. */
export class OAuthGrantRejected extends Error {
  readonly oauthError: string;
  constructor(oauthError: string) {
    super(`Identity provider rejected the authorization code (${oauthError})`);
    this.oauthError = oauthError;
    this.name = 'OAuthGrantRejected';
  }
}

/** The identity provider did not answer usefully (network, timeout, 5xx, throttling): retry later. */
export class IdentityProviderUnavailable extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IdentityProviderUnavailable';
  }
}

/**
 * A client of Cognito's hosted UI (authorization code + PKCE). The dev identity provider serves the
 * same paths, so local mode exercises this exact code.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/authorization-endpoint.html
 * https://docs.aws.amazon.com/cognito/latest/developerguide/token-endpoint.html
 * https://docs.aws.amazon.com/cognito/latest/developerguide/logout-endpoint.html
 */
export class OAuthClient {
  private readonly domain: string;

  private readonly options: OAuthClientOptions;
  constructor(options: OAuthClientOptions) {
    this.options = options;
    this.domain = options.domain.replace(/\/+$/, '');
  }

  authorizeUrl({ state, codeChallenge }: { state: string; codeChallenge: string }): string {
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: this.options.clientId,
      redirect_uri: this.options.redirectUri,
      scope: 'openid email',
      state,
      code_challenge: codeChallenge,
      code_challenge_method: 'S256',
    });
    return `${this.domain}/oauth2/authorize?${query}`;
  }

  logoutUrl(): string {
    const query = new URLSearchParams({ client_id: this.options.clientId });
    if (this.options.logoutUri) query.set('logout_uri', this.options.logoutUri);
    return `${this.domain}/logout?${query}`;
  }

  async exchangeCode({ code, codeVerifier }: { code: string; codeVerifier: string }): Promise<OAuthTokens> {
    const form = new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: this.options.redirectUri,
      client_id: this.options.clientId,
      code_verifier: codeVerifier,
    });
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    if (this.options.clientSecret) {
      // RFC 6749 §2.3.1: form-encode each part before joining them for Basic authentication.
      const credentials = `${encodeURIComponent(this.options.clientId)}:${encodeURIComponent(this.options.clientSecret)}`;
      headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
    }
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${this.domain}/oauth2/token`, {
        method: 'POST', headers, body: form, signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
      });
      text = await response.text();
    } catch (err) {
      throw new IdentityProviderUnavailable('Identity provider token endpoint is unreachable', { cause: err });
    }
    const body = parseObject(text);
    if (response.status >= 500 || response.status === 429) {
      throw new IdentityProviderUnavailable(`Identity provider token endpoint answered ${response.status}`);
    }
    if (!response.ok) {
      const error = typeof body.error === 'string' ? body.error : `http_${response.status}`;
      if (error === 'invalid_grant') throw new OAuthGrantRejected(error);
      // invalid_client, unauthorized_client, …: our configuration is wrong, not the user's request.
      throw new Error(`Identity provider refused the token request: ${error}`);
    }
    const { access_token: accessToken, id_token: idToken, refresh_token: refreshToken, expires_in: expiresIn } = body;
    if (typeof accessToken !== 'string' || typeof idToken !== 'string' || typeof refreshToken !== 'string' || typeof expiresIn !== 'number') {
      throw new Error('Identity provider token response is missing access_token, id_token, refresh_token or expires_in');
    }
    return { accessToken, idToken, refreshToken, expiresIn };
  }
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
