import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OmniGen } from '../client.ts';
import { OmniGenError } from '../errors.ts';
import type { Credentials } from './credentials.ts';

/** Local mode: POST /auth/dev-token; undefined when the service has no dev sign-in (aws mode answers 404). */
export async function devLogin(baseUrl: string, userId: string): Promise<Credentials | undefined> {
  try {
    const token = await new OmniGen({ baseUrl }).devToken(userId);
    return { accessToken: token.accessToken, expiresAt: Date.now() + token.expiresIn * 1000, devUser: userId };
  } catch (err) {
    if (err instanceof OmniGenError && err.status === 404) return undefined;
    throw err;
  }
}

interface TokenAnswer { access_token: string; refresh_token?: string; expires_in: number }

/**
 * aws mode, the way `gh auth login` works: the OAuth2 code flow with PKCE (RFC 7636) through the system
 * browser and a loopback redirect (RFC 8252 §7.3). The identity provider's authorize URL and client id are
 * read from the service's own GET /auth/login redirect; the token endpoint is Cognito's /oauth2/token
 * beside it. The app client must list http://127.0.0.1:<port>/callback as a callback URL (Cognito matches
 * ports exactly: pass the registered one with --port).
 */
export async function browserLogin(baseUrl: string, options: { port: number; log: (line: string) => void; open?: (url: string) => void }): Promise<Credentials> {
  const login = await fetch(`${baseUrl}/api/v1/auth/login`, { redirect: 'manual' });
  const location = login.headers.get('location');
  if (login.status !== 302 || !location) throw new Error(`${baseUrl}/api/v1/auth/login did not redirect to an identity provider (HTTP ${login.status})`);
  const authorize = new URL(location);
  const clientId = authorize.searchParams.get('client_id');
  if (!clientId) throw new Error('the identity provider redirect names no client_id');
  const tokenEndpoint = new URL('/oauth2/token', authorize).toString();

  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const { port, code, close } = await loopback(options.port, state);
  try {
    const redirectUri = `http://127.0.0.1:${port}/callback`;
    for (const [name, value] of Object.entries({
      response_type: 'code', client_id: clientId, redirect_uri: redirectUri, state, scope: 'openid email',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
    })) authorize.searchParams.set(name, value);
    options.log(`Opening ${authorize.origin} in your browser to sign in. If it does not open, visit:\n${authorize}`);
    (options.open ?? openBrowser)(authorize.toString());
    const answer = await tokenRequest(tokenEndpoint, { grant_type: 'authorization_code', client_id: clientId, code: await code, redirect_uri: redirectUri, code_verifier: verifier });
    return { accessToken: answer.access_token, expiresAt: Date.now() + answer.expires_in * 1000, refreshToken: answer.refresh_token, tokenEndpoint, clientId };
  } finally {
    close();
  }
}

/** A new access token from the refresh token (the refresh token itself is kept: Cognito does not rotate it). */
export async function refresh(credentials: Credentials): Promise<Credentials> {
  if (!credentials.refreshToken || !credentials.tokenEndpoint || !credentials.clientId) throw new Error('the sign-in has expired: run omnigen login');
  const answer = await tokenRequest(credentials.tokenEndpoint, { grant_type: 'refresh_token', client_id: credentials.clientId, refresh_token: credentials.refreshToken });
  return { ...credentials, accessToken: answer.access_token, expiresAt: Date.now() + answer.expires_in * 1000, refreshToken: answer.refresh_token ?? credentials.refreshToken };
}

async function tokenRequest(endpoint: string, form: Record<string, string>): Promise<TokenAnswer> {
  const response = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });
  const body = (await response.json().catch(() => ({}))) as Partial<TokenAnswer> & { error?: string };
  if (!response.ok || !body.access_token || !body.expires_in) throw new Error(`the identity provider refused the sign-in (${body.error ?? `HTTP ${response.status}`})`);
  return body as TokenAnswer;
}

/** The loopback redirect target: resolves with the code once the browser comes back with our state. */
async function loopback(port: number, state: string): Promise<{ port: number; code: Promise<string>; close(): void }> {
  let settle: { resolve(code: string): void; reject(err: Error): void } | undefined;
  const code = new Promise<string>((resolve, reject) => (settle = { resolve, reject }));
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/callback') return void res.writeHead(404).end();
    const ok = url.searchParams.get('state') === state && url.searchParams.get('code');
    res.writeHead(ok ? 200 : 400, { 'content-type': 'text/plain; charset=utf-8' }).end(ok ? 'Signed in to OmniGen. You can close this tab.\n' : 'Sign-in failed; see the terminal.\n');
    if (ok) settle?.resolve(url.searchParams.get('code') ?? '');
    else settle?.reject(new Error(`sign-in failed: ${url.searchParams.get('error') ?? 'state mismatch'}`));
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, code, close: () => server.close() };
}

function openBrowser(url: string): void {
  const [command, args] = process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', url]] : ['xdg-open', [url]];
  // No browser (a server over SSH): the URL printed above is the way in.
  spawn(command as string, args as string[], { stdio: 'ignore', detached: true }).on('error', () => {}).unref();
}
