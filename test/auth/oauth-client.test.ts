import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { IdentityProviderUnavailable, OAuthClient, OAuthGrantRejected } from '../../src/adapters/http/auth/oauth-client.ts';

type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => void;

async function tokenEndpoint(t: { teardown: (fn: () => unknown) => void }, handler: Handler): Promise<string> {
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => handler(request, body, response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const options = { clientId: 'client id', redirectUri: 'https://app.example/api/v1/auth/callback', timeoutMs: 300 };
const json = (response: ServerResponse, status: number, body: unknown) =>
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

t.test('URLs follow the Cognito hosted UI', async (t) => {
  const client = new OAuthClient({ ...options, domain: 'https://auth.example.com/', logoutUri: 'https://app.example/' });
  const authorize = new URL(client.authorizeUrl({ state: 'st', codeChallenge: 'ch' }));
  t.equal(`${authorize.origin}${authorize.pathname}`, 'https://auth.example.com/oauth2/authorize');
  t.same(Object.fromEntries(authorize.searchParams), {
    response_type: 'code', client_id: 'client id', redirect_uri: options.redirectUri, scope: 'openid email',
    state: 'st', code_challenge: 'ch', code_challenge_method: 'S256',
  });
  t.equal(client.logoutUrl(), 'https://auth.example.com/logout?client_id=client+id&logout_uri=https%3A%2F%2Fapp.example%2F');
});

t.test('exchangeCode posts a form, with Basic auth when there is a secret', async (t) => {
  let seen: { auth?: string; type?: string; form?: Record<string, string> } = {};
  const domain = await tokenEndpoint(t, (request, body, response) => {
    seen = { auth: request.headers.authorization, type: request.headers['content-type'], form: Object.fromEntries(new URLSearchParams(body)) };
    json(response, 200, { access_token: 'a', id_token: 'i', refresh_token: 'r', expires_in: 3600, token_type: 'Bearer' });
  });
  const client = new OAuthClient({ ...options, domain, clientSecret: 's:cret' });
  t.same(await client.exchangeCode({ code: 'c0de', codeVerifier: 'ver' }), { accessToken: 'a', idToken: 'i', refreshToken: 'r', expiresIn: 3600 });
  t.equal(seen.type, 'application/x-www-form-urlencoded');
  t.equal(seen.auth, `Basic ${Buffer.from('client%20id:s%3Acret').toString('base64')}`);
  t.same(seen.form, { grant_type: 'authorization_code', code: 'c0de', redirect_uri: options.redirectUri, client_id: 'client id', code_verifier: 'ver' });
  await new OAuthClient({ ...options, domain }).exchangeCode({ code: 'c', codeVerifier: 'v' });
  t.equal(seen.auth, undefined, 'a public client sends no secret');
});

t.test('exchangeCode tells a refused code from an unavailable or misconfigured provider', async (t) => {
  const answers: Array<(response: ServerResponse) => void> = [];
  const domain = await tokenEndpoint(t, (_request, _body, response) => answers.shift()?.(response));
  const client = new OAuthClient({ ...options, domain });
  const exchange = () => client.exchangeCode({ code: 'c', codeVerifier: 'v' });

  answers.push((r) => json(r, 400, { error: 'invalid_grant' }));
  await t.rejects(exchange(), OAuthGrantRejected);
  for (const status of [500, 503, 429]) {
    answers.push((r) => json(r, status, { message: 'busy' }));
    await t.rejects(exchange(), IdentityProviderUnavailable, `${status}`);
  }
  answers.push(() => undefined); // never answers
  await t.rejects(exchange(), IdentityProviderUnavailable, 'timeout');
  answers.push((r) => json(r, 400, { error: 'invalid_client' }));
  await t.rejects(exchange(), { message: /invalid_client/, name: 'Error' });
  answers.push((r) => json(r, 200, { access_token: 'a' }));
  await t.rejects(exchange(), { message: /missing/ });
  await t.rejects(new OAuthClient({ ...options, domain: 'http://127.0.0.1:1' }).exchangeCode({ code: 'c', codeVerifier: 'v' }), IdentityProviderUnavailable);
});
