import { createPublicKey, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import { createVerifier } from 'fast-jwt';
import t from 'tap';
import { challengeOf, DevIdentityProvider, InvalidGrant } from '../../src/adapters/local/dev-identity-provider.ts';
import { buildAuthApp } from './fixtures/auth-fixtures.ts';

const PUBLIC_URL = 'http://127.0.0.1:8080';
const VERIFIER = 'v'.repeat(43);
const REDIRECT = `${PUBLIC_URL}/api/v1/auth/callback`;

function authorizeQuery(overrides: Record<string, string | undefined> = {}): string {
  const params: Record<string, string | undefined> = {
    response_type: 'code', client_id: 'omnigen-local', redirect_uri: REDIRECT, state: 's1',
    code_challenge: challengeOf(VERIFIER), code_challenge_method: 'S256', scope: 'openid email', ...overrides,
  };
  return new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined)).toString();
}

async function setup(t: { teardown: (fn: () => unknown) => void }) {
  const built = await buildAuthApp({ publicUrl: PUBLIC_URL });
  t.teardown(() => built.app.close());
  const { app } = built;
  const codeFor = async (username: string) => {
    const res = await app.inject({ url: `/oauth2/authorize?${authorizeQuery({ username })}` });
    return new URL(res.headers.location as string).searchParams.get('code') ?? '';
  };
  const token = (form: Record<string, string>, contentType = 'application/x-www-form-urlencoded') =>
    app.inject({ method: 'POST', url: '/oauth2/token', headers: { 'content-type': contentType }, payload: contentType.includes('json') ? JSON.stringify(form) : new URLSearchParams(form).toString() });
  const redeem = (code: string, extra: Record<string, string> = {}) =>
    token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: 'omnigen-local', code_verifier: VERIFIER, ...extra });
  return { ...built, codeFor, token, redeem };
}

t.test('the JWKS publishes the public key only', async (t) => {
  const { app, idp } = await setup(t);
  const res = await app.inject({ url: '/.well-known/jwks.json' });
  t.equal(res.statusCode, 200);
  const { keys } = res.json() as { keys: Array<Record<string, unknown>> };
  t.equal(keys.length, 1);
  t.match(keys[0], { kty: 'RSA', kid: await idp.keyId(), alg: 'RS256', use: 'sig', n: String, e: 'AQAB' });
  for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) t.notOk(secret in (keys[0] ?? {}), `no private member ${secret}`);
});

t.test('authorize refuses a bad client, redirect URI or PKCE challenge with the API error body', async (t) => {
  const { app } = await setup(t);
  const cases: Array<[Record<string, string | undefined>, string]> = [
    [{ client_id: 'someone-else' }, 'client_id'],
    [{ redirect_uri: 'https://evil.example/callback' }, 'redirect_uri'],
    [{ redirect_uri: 'not a url' }, 'redirect_uri'],
    [{ code_challenge: undefined }, 'code_challenge'],
    [{ code_challenge: 'short' }, 'code_challenge'],
    [{ code_challenge_method: 'plain' }, 'code_challenge_method'],
    [{ response_type: 'token' }, 'response_type'],
    [{ username: 'two words' }, 'username'],
  ];
  for (const [overrides, field] of cases) {
    const res = await app.inject({ url: `/oauth2/authorize?${authorizeQuery(overrides)}` });
    t.equal(res.statusCode, 400, field);
    t.match(res.json(), { code: 'VALIDATION_ERROR', details: { field }, timestamp: String }, field);
  }
});

t.test('the sign-in page escapes what it echoes', async (t) => {
  const { app } = await setup(t);
  const res = await app.inject({ url: `/oauth2/authorize?${authorizeQuery({ state: '"><script>alert(1)</script>' })}` });
  t.equal(res.statusCode, 200);
  t.notMatch(res.body, /<script>/);
  t.match(res.body, /value="&#34;&#62;&#60;script&#62;/);
});

t.test('token endpoint: codes are single use and bound to client, redirect URI and verifier', async (t) => {
  const { codeFor, redeem, token } = await setup(t);
  const good = await redeem(await codeFor('alice'));
  t.equal(good.statusCode, 200);
  t.match(good.json(), { access_token: String, id_token: String, refresh_token: String, expires_in: 3600, token_type: 'Bearer' });
  t.equal(good.headers['cache-control'], 'no-store');

  const wrong: Array<Record<string, string>> = [{ code_verifier: 'w'.repeat(43) }, { redirect_uri: `${PUBLIC_URL}/elsewhere` }, { code_verifier: 'short' }];
  for (const extra of wrong) {
    const code = await codeFor('alice');
    const res = await redeem(code, extra);
    t.equal(res.statusCode, 400);
    t.same(res.json(), { error: 'invalid_grant', error_description: String(res.json().error_description) });
    t.equal((await redeem(code)).statusCode, 400, 'a failed attempt burns the code too');
  }
  t.match((await redeem('never-issued')).json(), { error: 'invalid_grant' });
  t.match((await redeem(await codeFor('alice'), { client_id: 'someone-else' })).json(), { error: 'invalid_client' });
  t.match((await token({ grant_type: 'password' })).json(), { error: 'invalid_client' });
  t.match((await token({ grant_type: 'password', client_id: 'omnigen-local' })).json(), { error: 'unsupported_grant_type' });
  t.match((await token({ client_id: 'omnigen-local' })).json(), { error: 'invalid_request' });
  t.match((await token({ grant_type: 'authorization_code', client_id: 'omnigen-local' })).json(), { error: 'invalid_request' });
  const json = await token({ grant_type: 'authorization_code' }, 'application/json');
  t.equal(json.statusCode, 415, 'form bodies only');
  t.match(json.json(), { code: 'UNSUPPORTED_MEDIA_TYPE' });
});

t.test('token endpoint: a refresh token is exchanged once for new tokens', async (t) => {
  const { codeFor, redeem, token } = await setup(t);
  const { refresh_token: refreshToken } = (await redeem(await codeFor('alice'))).json() as { refresh_token: string };
  const form = { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: 'omnigen-local' };
  const renewed = await token(form);
  t.equal(renewed.statusCode, 200);
  t.match(renewed.json(), { access_token: String, token_type: 'Bearer' });
  t.match((await token(form)).json(), { error: 'invalid_grant' });
});

t.test('a code expires after five minutes', async (t) => {
  let now = Date.parse('2026-11-27T10:00:00Z');
  const idp = new DevIdentityProvider({ issuer: PUBLIC_URL, clientId: 'c', now: () => now });
  const request = { clientId: 'c', redirectUri: REDIRECT, codeChallenge: challengeOf(VERIFIER) };
  const redeem = (code: string) => idp.redeemCode({ code, clientId: 'c', redirectUri: REDIRECT, codeVerifier: VERIFIER });
  const early = idp.createCode(request, { userId: 'alice' });
  const late = idp.createCode(request, { userId: 'alice' });
  now += 5 * 60_000 - 1;
  t.match(await redeem(early), { expiresIn: 3600 });
  now += 1;
  await t.rejects(redeem(late), InvalidGrant);
});

t.test('logout: a page without logout_uri, a redirect with an allowed one, 400 otherwise', async (t) => {
  const { app } = await setup(t);
  const page = await app.inject({ url: '/logout?client_id=omnigen-local' });
  t.equal(page.statusCode, 200);
  t.match(page.headers['content-type'], /text\/html/);
  const back = await app.inject({ url: `/logout?client_id=omnigen-local&logout_uri=${encodeURIComponent(`${PUBLIC_URL}/`)}` });
  t.equal(back.statusCode, 302);
  const evil = await app.inject({ url: '/logout?client_id=omnigen-local&logout_uri=https://evil.example/' });
  t.match(evil.json(), { code: 'VALIDATION_ERROR', details: { field: 'logout_uri' } });
  const stranger = await app.inject({ url: '/logout?client_id=x' });
  t.match(stranger.json(), { code: 'VALIDATION_ERROR', details: { field: 'client_id' } });
});

t.test('a key handed in (as local mode loads it from its data dir): the same key, the same kid, tokens verify after a "restart"', async (t) => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const before = new DevIdentityProvider({ issuer: PUBLIC_URL, clientId: 'c', signingKey: privateKey });
  const token = (await before.issueTokens({ userId: 'alice' })).accessToken;
  const after = new DevIdentityProvider({ issuer: PUBLIC_URL, clientId: 'c', signingKey: Promise.resolve(privateKey) });
  t.equal(await after.keyId(), await before.keyId(), 'the kid is the key\'s thumbprint, not a per-process id');
  t.same(await after.jwks(), await before.jwks());
  const [jwk] = (await after.jwks()).keys;
  const verify = createVerifier({ key: createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString() });
  t.match(verify(token), { sub: 'alice', iss: PUBLIC_URL }, 'a token of the first instance verifies with the key the second publishes');
  const other = new DevIdentityProvider({ issuer: PUBLIC_URL, clientId: 'c' });
  t.not(await other.keyId(), await before.keyId(), 'without a key, each instance makes its own');
});

t.test('the key is awaited by what signs, never by the constructor (listening does not wait for RSA generation)', async (t) => {
  let hand: (key: KeyObject) => void = () => {};
  const idp = new DevIdentityProvider({ issuer: PUBLIC_URL, clientId: 'c', signingKey: new Promise((resolve) => (hand = resolve)) });
  let issued = false;
  const tokens = idp.issueTokens({ userId: 'alice' }).then((x) => ((issued = true), x));
  await new Promise((resolve) => setImmediate(resolve));
  t.notOk(issued, 'no token before the key exists');
  hand(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
  t.match(await tokens, { accessToken: String, expiresIn: 3600 });
  const failing = new DevIdentityProvider({ issuer: PUBLIC_URL, clientId: 'c', signingKey: Promise.reject(new Error('disk full')) });
  await t.rejects(failing.jwks(), /disk full/, 'a key that could not be made fails the calls that need it, and nothing else');
});
