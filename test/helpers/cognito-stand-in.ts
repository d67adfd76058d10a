// The OAuth2 side of a Cognito user pool, as the API sees it: oauth2-mock-server (a real OAuth2/OIDC server
// from npm) answering on Cognito's hosted-UI paths and signing tokens with Cognito's claims. A thin shim in
// front of it covers where Cognito differs from generic OIDC: the logout parameters, and `invalid_grant`
// (not `invalid_request`) for a reused code, a wrong PKCE verifier, redirect URI or client.
// https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-access-token.html
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { OAuth2Issuer, OAuth2Service, type MutableRedirectUri, type MutableToken, type TokenRequestIncomingMessage } from 'oauth2-mock-server';

export type TokenUse = 'access' | 'id';

export interface CognitoStandInOptions {
  /** The app client the pool knows; authorize and the code exchange refuse any other. */
  clientId: string;
  host?: string;
  port?: number;
}

interface IssuedCode {
  username: string;
  redirectUri: string;
  codeChallenge?: string;
}

const DEFAULT_USER = 'demo';

/** Cognito's `sub` is a UUID; here it is derived from the user name, so the same name is the same user. */
export function subOf(username: string): string {
  const h = createHash('sha256').update(`cognito-stand-in:${username}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h.charAt(16), 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The claims Cognito puts in its access and id tokens (besides iss, iat, exp). */
export function cognitoClaims(use: TokenUse, clientId: string, username: string | undefined): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  const common = { sub: username ? subOf(username) : clientId, token_use: use, auth_time: now, jti: randomUUID(), origin_jti: randomUUID() };
  if (use === 'access') return { ...common, client_id: clientId, scope: 'openid email', ...(username ? { username } : {}) };
  return { ...common, aud: clientId, 'cognito:username': username ?? clientId, email: `${username ?? clientId}@example.com`, email_verified: true };
}

export class CognitoStandIn {
  readonly issuer = new OAuth2Issuer();
  readonly service: OAuth2Service;
  /** The issuer URL (JWT_ISSUER) and hosted-UI base URL (COGNITO_DOMAIN) at once. */
  url = '';
  private readonly codes = new Map<string, IssuedCode>();
  private readonly signedInAs = new WeakMap<IncomingMessage, string>();
  private readonly tokensBuilt = new WeakMap<IncomingMessage, number>();
  private server: Server | undefined;

  readonly clientId: string;
  private constructor(clientId: string) {
    this.clientId = clientId;
    this.service = new OAuth2Service(this.issuer, {
      jwks: '/.well-known/jwks.json',
      authorize: '/oauth2/authorize',
      token: '/oauth2/token',
      userinfo: '/oauth2/userInfo',
      revoke: '/oauth2/revoke',
      endSession: '/logout',
    });
    this.service.on('beforeAuthorizeRedirect', (redirect: MutableRedirectUri, req: IncomingMessage) => this.remember(redirect, req));
    this.service.on('beforeTokenSigning', (token: MutableToken, req: TokenRequestIncomingMessage) => this.shape(token, req));
  }

  static async start(options: CognitoStandInOptions): Promise<CognitoStandIn> {
    const idp = new CognitoStandIn(options.clientId);
    await idp.issuer.keys.generate('RS256');
    const server = createServer((req, res) => void idp.handle(req, res).catch((err: unknown) => idp.reply(res, 500, { error: 'server_error', error_description: String(err) })));
    const host = options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => resolve());
    });
    idp.server = server;
    idp.url = `http://${host}:${(server.address() as AddressInfo).port}`;
    idp.issuer.url = idp.url;
    return idp;
  }

  /** A token as the hosted UI issues it after `username` signs in; `claims` override (to test refusals). */
  token(username: string, options: { use?: TokenUse; claims?: Record<string, unknown>; expiresIn?: number } = {}): Promise<string> {
    const claims = { ...cognitoClaims(options.use ?? 'access', this.clientId, username), ...options.claims };
    return this.issuer.buildToken({
      expiresIn: options.expiresIn ?? 3600,
      scopesOrTransform: (_header, payload) => {
        delete (payload as Record<string, unknown>).nbf; // Cognito sets no nbf
        Object.assign(payload, claims);
      },
    });
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server?.listening) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    if (req.method === 'GET' && url.pathname === '/oauth2/authorize' && url.searchParams.get('client_id') !== this.clientId) {
      return this.reply(res, 400, { error: 'invalid_request', error_description: 'Client does not exist' });
    }
    if (req.method === 'GET' && url.pathname === '/logout') {
      // Cognito: /logout?client_id=…&logout_uri=…; the mock's end-session endpoint names it post_logout_redirect_uri.
      const logoutUri = url.searchParams.get('logout_uri');
      if (url.searchParams.get('client_id') !== this.clientId || !logoutUri) return this.reply(res, 400, { error: 'invalid_request' });
      req.url = `/logout?${new URLSearchParams({ post_logout_redirect_uri: logoutUri })}`;
    }
    if (req.method === 'POST' && url.pathname === '/oauth2/token') {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const raw = Buffer.concat(chunks);
      const body = Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
      // The body is consumed, and the mock (9.x, on node:http) reads its own: it gets a request that replays it.
      const replay = Object.assign(Readable.from([raw]), { method: req.method, url: req.url, headers: req.headers }) as unknown as IncomingMessage;
      const refusal = this.checkGrant(replay, body);
      if (refusal) return this.reply(res, 400, { error: refusal });
      return this.service.requestHandler(replay, res);
    }
    this.service.requestHandler(req, res);
  }

  /** Cognito answers invalid_grant for every bad code exchange; it also redeems a code once. */
  private checkGrant(req: IncomingMessage, body: Record<string, string>): string | undefined {
    if (body.grant_type === 'password' && body.username) this.signedInAs.set(req, body.username);
    if (body.grant_type !== 'authorization_code') return undefined;
    const code = body.code ?? '';
    const issued = this.codes.get(code);
    this.codes.delete(code);
    if (!issued || issued.redirectUri !== body.redirect_uri || this.clientOf(req, body) !== this.clientId) return 'invalid_grant';
    if (issued.codeChallenge) {
      const challenge = createHash('sha256').update(body.code_verifier ?? '').digest('base64url');
      if (challenge !== issued.codeChallenge) return 'invalid_grant';
    }
    this.signedInAs.set(req, issued.username);
    return undefined;
  }

  /** The hosted UI's sign-in, automated: whoever `?username=` names (default "demo") signs in at once. */
  private remember(redirect: MutableRedirectUri, req: IncomingMessage): void {
    const query = new URL(req.url ?? '/', this.url).searchParams;
    const code = redirect.url.searchParams.get('code');
    if (!code) return;
    const codeChallenge = query.get('code_challenge_method') === 'S256' ? (query.get('code_challenge') ?? undefined) : undefined;
    this.codes.set(code, { username: query.get('username') || DEFAULT_USER, redirectUri: query.get('redirect_uri') ?? '', codeChallenge });
  }

  /** The token endpoint builds the access token first, then the id token. */
  private shape(token: MutableToken, req: TokenRequestIncomingMessage): void {
    const built = this.tokensBuilt.get(req) ?? 0;
    this.tokensBuilt.set(req, built + 1);
    const use: TokenUse = built === 0 ? 'access' : 'id';
    const payload = token.payload as Record<string, unknown>;
    const nonce = payload.nonce;
    // The mock's own claims (nbf, amr, sub "johndoe", …) give way to Cognito's.
    for (const claim of ['nbf', 'amr', 'aud', 'scope', 'sub', 'nonce']) delete payload[claim];
    const claims = cognitoClaims(use, this.clientOf(req, req.body) ?? this.clientId, this.signedInAs.get(req));
    Object.assign(payload, claims, use === 'id' && nonce !== undefined ? { nonce } : {});
  }

  private clientOf(req: IncomingMessage, body: { client_id?: unknown }): string | undefined {
    const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (basic) return decodeURIComponent(Buffer.from(basic, 'base64').toString('utf8').split(':')[0] ?? '');
    return typeof body.client_id === 'string' ? body.client_id : undefined;
  }

  private reply(res: ServerResponse, status: number, body: Record<string, unknown>): void {
    if (res.headersSent) return;
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  }
}
