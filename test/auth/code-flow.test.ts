// The whole local sign-in over real HTTP, as a browser would do it: login → dev IdP → callback → tokens,
// then the tokens are checked by the very verifier the API uses.
import t from 'tap';
import { JwksTokenVerifier } from '../../src/adapters/http/auth/jwks-token-verifier.ts';
import { OAuthClient } from '../../src/adapters/http/auth/oauth-client.ts';
import { authRoutes } from '../../src/adapters/http/routes/auth.routes.ts';
import { devIdpRoutes } from '../../src/adapters/http/routes/dev-idp.routes.ts';
import { DevIdentityProvider } from '../../src/adapters/local/dev-identity-provider.ts';
import { buildTestApp } from '../helpers/test-app.ts';
import { listenFirst } from '../helpers/front-server.ts';
import { buildAuthApp, verifierOverHttp } from './fixtures/auth-fixtures.ts';

async function listening(t: { teardown: (fn: () => unknown) => void }) {
  // The issuer and redirect URIs name the app's own URL: listen first (port 0), then build.
  const front = await listenFirst();
  const publicUrl = front.base;
  const built = await buildAuthApp({ publicUrl });
  await front.serve(built.app);
  t.teardown(async () => {
    await front.close();
    await built.app.close();
  });
  return { ...built, publicUrl };
}

const get = (url: string, cookie?: string) => fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });

/** Login then sign in as `username` at the dev IdP: the callback URL the IdP redirects to, and the login cookie. */
async function signIn(publicUrl: string, username: string) {
  const login = await get(`${publicUrl}/api/v1/auth/login`);
  const setCookie = login.headers.get('set-cookie') ?? '';
  const cookie = setCookie.split(';')[0] ?? '';
  const authorize = new URL(login.headers.get('location') ?? '');
  authorize.searchParams.set('username', username);
  const approved = await get(authorize.toString());
  return { login, setCookie, cookie, authorize, approved, callback: approved.headers.get('location') ?? '' };
}

t.test('local code flow: login → authorize → callback → tokens the verifier trusts', async (t) => {
  const { publicUrl, idp } = await listening(t);
  const { login, setCookie, cookie, authorize, approved, callback } = await signIn(publicUrl, 'alice');

  t.equal(login.status, 302);
  t.equal(authorize.origin + authorize.pathname, `${publicUrl}/oauth2/authorize`);
  t.equal(authorize.searchParams.get('response_type'), 'code');
  t.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
  t.equal(authorize.searchParams.get('scope'), 'openid email');
  t.equal(authorize.searchParams.get('redirect_uri'), `${publicUrl}/api/v1/auth/callback`);
  t.match(setCookie, /^omnigen_login=[\w-]+\.[\w-]+; Path=\/api\/v1\/auth; Max-Age=600; HttpOnly; SameSite=Lax$/);
  t.notMatch(setCookie, /Secure/, 'plain http in this test: secureCookies is false');

  const page = await get(`${publicUrl}${authorize.pathname}?${new URLSearchParams([...authorize.searchParams].filter(([k]) => k !== 'username'))}`);
  t.equal(page.status, 200);
  t.match(page.headers.get('content-type'), /^text\/html/);
  const html = await page.text();
  t.match(html, /<label for="username">/);
  t.match(html, /<input id="username" name="username"/);
  t.match(html, /<button type="submit">/);
  t.match(html, new RegExp(`name="state" value="${authorize.searchParams.get('state')}"`), 'the form carries the request on');

  t.equal(approved.status, 302);
  const back = new URL(callback);
  t.equal(back.origin + back.pathname, `${publicUrl}/api/v1/auth/callback`);
  t.equal(back.searchParams.get('state'), authorize.searchParams.get('state'));

  const done = await get(callback, cookie);
  t.equal(done.status, 200);
  t.match(done.headers.get('set-cookie'), /^omnigen_login=; .*Max-Age=0/, 'the login cookie is cleared');
  t.equal(done.headers.get('cache-control'), 'no-store');
  const tokens = (await done.json()) as Record<string, unknown>;
  t.match(tokens, { accessToken: String, idToken: String, refreshToken: String, expiresIn: 3600, tokenType: 'Bearer' });

  const verifier = await verifierOverHttp(new JwksTokenVerifier({ issuer: publicUrl, clientId: idp.clientId }));
  t.teardown(() => verifier.app.close());
  t.same(await verifier.verify(tokens.accessToken as string), { userId: 'alice' });
  t.same(await verifier.verify(tokens.idToken as string), { userId: 'alice' });
  const [, payload] = (tokens.accessToken as string).split('.');
  t.match(JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()), {
    sub: 'alice', iss: publicUrl, client_id: idp.clientId, token_use: 'access', scope: 'openid', username: 'alice', jti: String,
  });
});

t.test('a reused code is refused', async (t) => {
  const { publicUrl } = await listening(t);
  const { cookie, callback } = await signIn(publicUrl, 'alice');
  t.equal((await get(callback, cookie)).status, 200);
  const again = await get(callback, cookie);
  t.equal(again.status, 400);
  t.match(await again.json(), { code: 'VALIDATION_ERROR', details: { field: 'code', constraint: 'invalid_grant' }, timestamp: String });
});

t.test('a tampered state, or a missing or forged cookie, is refused before the code is spent', async (t) => {
  const { publicUrl } = await listening(t);
  const { cookie, callback } = await signIn(publicUrl, 'alice');
  const tampered = new URL(callback);
  tampered.searchParams.set('state', `${tampered.searchParams.get('state')}x`);
  const refused = await get(tampered.toString(), cookie);
  t.equal(refused.status, 400);
  t.match(await refused.json(), { code: 'VALIDATION_ERROR', error: /state/, details: { field: 'state', constraint: 'match' } });

  const noCookie = await get(callback);
  t.match(await noCookie.json(), { details: { field: 'state', constraint: 'session' } });
  const [name, value] = cookie.split('=');
  const forged = await get(callback, `${name}=${value?.replace(/\.[\w-]+$/, '.AAAA')}`);
  t.match(await forged.json(), { details: { field: 'state', constraint: 'session' } });

  t.equal((await get(callback, cookie)).status, 200, 'the code survived the refused attempts');
});

t.test('logout clears the cookie and goes through the IdP back to the logout URI', async (t) => {
  const { publicUrl } = await listening(t);
  const out = await fetch(`${publicUrl}/api/v1/auth/logout`, { method: 'POST', redirect: 'manual' });
  t.equal(out.status, 302);
  t.match(out.headers.get('set-cookie'), /Max-Age=0/);
  const idpLogout = new URL(out.headers.get('location') ?? '');
  t.equal(idpLogout.pathname, '/logout');
  t.equal(idpLogout.searchParams.get('logout_uri'), `${publicUrl}/`);
  const back = await get(idpLogout.toString());
  t.equal(back.status, 302);
  t.equal(back.headers.get('location'), `${publicUrl}/`);
});

t.test('the API trusts a dev token end to end: buildApp with the dev IdP and JwksTokenVerifier', async (t) => {
  const front = await listenFirst();
  const publicUrl = front.base;
  const idp = new DevIdentityProvider({ issuer: publicUrl, clientId: 'omnigen-local' });
  const oauth = new OAuthClient({ domain: publicUrl, clientId: 'omnigen-local', redirectUri: `${publicUrl}/api/v1/auth/callback` });
  const { app } = await buildTestApp({
    verifier: new JwksTokenVerifier({ issuer: publicUrl, clientId: 'omnigen-local' }),
    publicRoutes: [
      (scope) => scope.register(devIdpRoutes, { idp }),
      (scope) => scope.register(authRoutes, { prefix: '/api/v1', oauth, cookieSecret: 'x', secureCookies: false, devIdp: idp }),
    ],
  });
  await front.serve(app);
  t.teardown(async () => {
    await front.close();
    await app.close();
  });
  const minted = await fetch(`${publicUrl}/api/v1/auth/dev-token`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'carol' }),
  });
  const { accessToken } = (await minted.json()) as { accessToken: string };
  const usage = await fetch(`${publicUrl}/api/v1/usage`, { headers: { authorization: `Bearer ${accessToken}` } });
  t.equal(usage.status, 200);
  const forged = await fetch(`${publicUrl}/api/v1/usage`, { headers: { authorization: `Bearer ${accessToken.slice(0, -3)}abc` } });
  t.equal(forged.status, 401);
  t.match(await forged.json(), { code: 'UNAUTHORIZED' });
});
