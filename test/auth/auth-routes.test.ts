import t from 'tap';
import { LoginCookie } from '../../src/adapters/http/auth/login-cookie.ts';
import { buildAuthApp } from './fixtures/auth-fixtures.ts';

// Nobody listens on port 1: the token endpoint is unreachable, which is what the 503 test needs.
const PUBLIC_URL = 'http://127.0.0.1:1';

async function setup(t: { teardown: (fn: () => unknown) => void }, options: { withDevIdp?: boolean; secureCookies?: boolean } = {}) {
  const built = await buildAuthApp({ publicUrl: PUBLIC_URL, ...options });
  t.teardown(() => built.app.close());
  const { app } = built;
  const login = async () => {
    const res = await app.inject({ url: '/api/v1/auth/login' });
    const state = new URL(res.headers.location as string).searchParams.get('state') ?? '';
    return { res, state, cookie: String(res.headers['set-cookie']).split(';')[0] ?? '' };
  };
  const callback = (query: string, cookie?: string) =>
    app.inject({ url: `/api/v1/auth/callback?${query}`, headers: cookie ? { cookie } : {} });
  return { app, login, callback };
}

t.test('login sets a Secure cookie when asked, and takes a bodiless or form POST', async (t) => {
  const { app, login } = await setup(t, { secureCookies: true });
  const { res } = await login();
  t.equal(res.statusCode, 302);
  t.match(res.headers['set-cookie'], /; HttpOnly; SameSite=Lax; Secure$/);
  t.equal(res.headers['cache-control'], 'no-store');
  const two = [await login(), await login()];
  t.not(two[0]?.state, two[1]?.state, 'a fresh state every time');
  const form = await app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '' });
  t.equal(form.statusCode, 302);
  t.equal((await app.inject({ method: 'POST', url: '/api/v1/auth/login' })).statusCode, 302);
});

t.test('callback: each problem names its field in the contract error body', async (t) => {
  const { login, callback } = await setup(t);
  const { state, cookie } = await login();
  const cases: Array<[string, string | undefined, string, string]> = [
    ['code=abc', cookie, 'state', 'required'],
    [`code=abc&state=${state}`, undefined, 'state', 'session'],
    [`code=abc&state=${state}x`, cookie, 'state', 'match'],
    [`state=${state}`, cookie, 'code', 'required'],
    [`error=access_denied&state=${state}`, cookie, 'code', 'access_denied'],
  ];
  for (const [query, sentCookie, field, constraint] of cases) {
    const res = await callback(query, sentCookie);
    t.equal(res.statusCode, 400, query);
    t.match(res.json(), { code: 'VALIDATION_ERROR', error: /^Invalid request: /, details: { field, constraint }, timestamp: String }, query);
    t.match(res.headers['set-cookie'], /^omnigen_login=; .*Max-Age=0/, 'the spent login session is cleared on failure too');
  }
  const odd = await callback(`error=${encodeURIComponent('<b>')}&state=${state}`, cookie);
  t.match(odd.json(), { code: 'VALIDATION_ERROR', details: { field: 'error' } }, "the IdP's error is not echoed unchecked");
});

t.test('callback: an unreachable identity provider is 503 with Retry-After', async (t) => {
  const { login, callback } = await setup(t);
  const { state, cookie } = await login();
  const res = await callback(`code=abc&state=${state}`, cookie);
  t.equal(res.statusCode, 503);
  t.equal(res.headers['retry-after'], '5');
  t.match(res.json(), { code: 'SERVICE_UNAVAILABLE', timestamp: String });
});

t.test('dev-token: 200 for a valid body, 400 naming the field otherwise', async (t) => {
  const { app } = await setup(t);
  const post = (payload: unknown) => app.inject({ method: 'POST', url: '/api/v1/auth/dev-token', payload: payload as object });
  const ok = await post({ userId: 'alice', email: 'alice@example.com' });
  t.equal(ok.statusCode, 200);
  t.match(ok.json(), { accessToken: /^[\w-]+\.[\w-]+\.[\w-]+$/, expiresIn: 3600, tokenType: 'Bearer' });
  t.same(Object.keys(ok.json()).sort(), ['accessToken', 'expiresIn', 'tokenType']);
  const bad: Array<[unknown, string, string]> = [
    [{}, 'userId', 'required'],
    [{ userId: '' }, 'userId', 'minLength'],
    [{ userId: 'two words' }, 'userId', 'pattern'],
    [{ userId: 'x'.repeat(129) }, 'userId', 'maxLength'],
    [{ userId: 'alice', email: 'not-an-email' }, 'email', 'format'],
    [{ userId: 'alice', role: 'admin' }, 'role', 'additionalProperties'],
    [{ userId: 42 }, 'userId', 'type'],
  ];
  for (const [body, field, constraint] of bad) {
    const res = await post(body);
    t.equal(res.statusCode, 400, JSON.stringify(body));
    t.match(res.json(), { code: 'VALIDATION_ERROR', details: { field, constraint } }, JSON.stringify(body));
  }
});

t.test('dev-token does not exist without the dev identity provider (aws mode)', async (t) => {
  const { app } = await setup(t, { withDevIdp: false });
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/dev-token', payload: { userId: 'alice' } });
  t.equal(res.statusCode, 404);
  t.match(res.json(), { code: 'NOT_FOUND' });
});

t.test('the login cookie: signed, expiring, bound to its secret', async (t) => {
  let now = 1_000_000;
  const cookie = new LoginCookie('secret-a', { path: '/api/v1/auth', secure: false, now: () => now });
  const pair = cookie.serialize({ state: 's', codeVerifier: 'v' }).split(';')[0];
  t.same(cookie.read(`other=1; ${pair}`), { state: 's', codeVerifier: 'v' });
  t.equal(new LoginCookie('secret-b', { path: '/', secure: false, now: () => now }).read(pair), undefined, 'another secret');
  t.equal(cookie.read(`${pair}.extra`), undefined);
  t.equal(cookie.read(undefined), undefined);
  const [name, value] = (pair ?? '').split('=');
  const [payload, mac] = (value ?? '').split('.');
  const forgedPayload = Buffer.from(JSON.stringify({ s: 's', v: 'v', x: now * 2 })).toString('base64url');
  t.equal(cookie.read(`${name}=${forgedPayload}.${mac}`), undefined, 'a longer life cannot be granted by hand');
  t.ok(cookie.read(`${name}=${payload}.${mac}`));
  now += 600_000;
  t.equal(cookie.read(pair), undefined, 'expired after ten minutes even if the browser kept it');
});
