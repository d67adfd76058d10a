import t, { type Test } from 'tap';
import { pino } from 'pino';
import { composeApp } from '../../src/composition/api.ts';
import { loadConfig } from '../../src/config.ts';
import { startAwsStandIns, type AwsStandIns } from '../helpers/aws-stand-ins.ts';
import { CognitoStandIn, subOf } from '../helpers/cognito-stand-in.ts';
import { listenFirst } from '../helpers/front-server.ts';

// The app composed exactly as aws mode composes it, in this process, listening on a loopback port; the
// identity provider is oauth2-mock-server on Cognito's paths with Cognito's claims (test/helpers/cognito-stand-in.ts).

const claimsOf = (token: string): Record<string, unknown> => JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;

let stands: AwsStandIns;
let api: string;

t.before(async () => {
  // AUTH_REDIRECT_URI names the API's own URL: listen first (port 0), then start the stand-ins and compose.
  const front = await listenFirst();
  stands = await startAwsStandIns({ apiPort: front.port });
  // The SDK clients composeAws builds read endpoints and credentials from the environment, as in production.
  for (const name of ['AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_ENDPOINT_URL_DYNAMODB', 'AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL_SFN']) {
    process.env[name] = stands.env[name];
  }
  const config = loadConfig(stands.env);
  const { app, onShutdown } = await composeApp(config, pino({ level: 'silent' }), { metricsWrite: () => {} });
  await front.serve(app);
  api = stands.apiUrl;
  t.teardown(async () => {
    await front.close();
    await app.close();
    await onShutdown();
    await stands.stop();
  });
});

const get = (path: string, token: string): Promise<Response> => fetch(`${api}${path}`, { headers: { authorization: `Bearer ${token}` } });

async function signIn(t: Test, username: string): Promise<{ tokens: { accessToken: string; idToken: string; refreshToken: string; expiresIn: number; tokenType: string }; callbackUrl: string; cookie: string }> {
  const login = await fetch(`${api}/api/v1/auth/login`, { redirect: 'manual' });
  t.equal(login.status, 302, 'login redirects to the identity provider');
  const authorize = new URL(login.headers.get('location') ?? '');
  t.equal(`${authorize.origin}${authorize.pathname}`, `${stands.idp.url}/oauth2/authorize`);
  t.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  authorize.searchParams.set('username', username); // the stand-in's hosted UI signs in whoever this names
  const approved = await fetch(authorize, { redirect: 'manual' });
  t.equal(approved.status, 302, 'the identity provider redirects back with a code');
  const callbackUrl = approved.headers.get('location') ?? '';
  t.ok(callbackUrl.startsWith(`${api}/api/v1/auth/callback?`), 'to AUTH_REDIRECT_URI');
  const callback = await fetch(callbackUrl, { headers: { cookie } });
  t.equal(callback.status, 200, 'the callback exchanges the code at /oauth2/token');
  return { tokens: (await callback.json()) as never, callbackUrl, cookie };
}

t.test('login → hosted UI → callback → tokens → API calls with the issued access token', async (t) => {
  const { tokens, callbackUrl, cookie } = await signIn(t, 'dana');
  t.equal(tokens.tokenType, 'Bearer');
  t.equal(tokens.expiresIn, 3600);
  t.ok(tokens.refreshToken);
  const access = claimsOf(tokens.accessToken);
  t.match(access, { iss: stands.idp.url, token_use: 'access', client_id: stands.env.COGNITO_CLIENT_ID, sub: subOf('dana'), username: 'dana' });
  t.notOk('aud' in access, 'Cognito access tokens carry client_id, not aud');
  t.match(claimsOf(tokens.idToken), { token_use: 'id', aud: stands.env.COGNITO_CLIENT_ID, sub: subOf('dana'), 'cognito:username': 'dana' });

  const usage = await get('/api/v1/usage', tokens.accessToken);
  t.equal(usage.status, 200, 'the access token is accepted');
  t.match(await usage.json(), { used: 0, limit: 10 });
  const created = await fetch(`${api}/api/v1/jobs`, {
    method: 'POST', headers: { authorization: `Bearer ${tokens.accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: 'A lighthouse in a storm, oil painting', category: 'ad-creative' }),
  });
  t.equal(created.status, 202);
  const { jobId } = (await created.json()) as { jobId: string };
  t.same(JSON.parse(stands.sfn.execution(jobId).input), { jobId, userId: subOf('dana'), prompt: 'A lighthouse in a storm, oil painting', category: 'ad-creative', requestId: created.headers.get('x-request-id') }, "the caller's sub is the job's user; the request's id goes with the job");

  const replay = await fetch(callbackUrl, { headers: { cookie } });
  t.equal(replay.status, 400, 'a code is redeemed once (the provider answers invalid_grant)');
  t.match(await replay.json(), { code: 'VALIDATION_ERROR', details: { field: 'code', constraint: 'invalid_grant' } });
});

t.test('id tokens: accepted when aud is the app client', async (t) => {
  const idToken = await stands.idp.token('erin', { use: 'id' });
  t.equal((await get('/api/v1/usage', idToken)).status, 200);
  const other = await stands.idp.token('erin', { use: 'id', claims: { aud: 'another-client' } });
  t.equal((await get('/api/v1/usage', other)).status, 401);
});

t.test('refused with 401: a foreign issuer, another client, a wrong token_use, an expired token', async (t) => {
  const foreign = await CognitoStandIn.start({ clientId: stands.env.COGNITO_CLIENT_ID ?? '' });
  t.teardown(() => foreign.stop());
  const refusals: Record<string, string> = {
    'a token from another issuer': await foreign.token('frank'),
    'another issuer claiming to be the trusted one': await foreign.token('frank', { claims: { iss: stands.idp.url } }),
    'the trusted key but another iss': await stands.idp.token('frank', { claims: { iss: foreign.url } }),
    'an access token for another client': await stands.idp.token('frank', { claims: { client_id: 'another-client' } }),
    'no token_use': await stands.idp.token('frank', { claims: { token_use: undefined } }),
    'an expired token': await stands.idp.token('frank', { expiresIn: -5 }),
  };
  for (const [name, token] of Object.entries(refusals)) {
    const res = await get('/api/v1/usage', token);
    t.equal(res.status, 401, name);
    t.match(await res.json(), { code: 'UNAUTHORIZED' }, name);
  }
  const sane = await get('/api/v1/usage', await stands.idp.token('frank'));
  t.equal(sane.status, 200, 'while a token of the trusted pool passes');
});

t.test('logout redirects through the provider to the sign-out URL', async (t) => {
  const logout = await fetch(`${api}/api/v1/auth/logout`, { method: 'POST', redirect: 'manual' });
  t.equal(logout.status, 302);
  const target = new URL(logout.headers.get('location') ?? '');
  t.equal(`${target.origin}${target.pathname}`, `${stands.idp.url}/logout`);
  t.equal(target.searchParams.get('client_id'), stands.env.COGNITO_CLIENT_ID);
  const after = await fetch(target, { redirect: 'manual' });
  t.equal(after.status, 302);
  t.equal(after.headers.get('location'), stands.env.AUTH_LOGOUT_URI);
});

t.test('the stand-in refuses what Cognito refuses: an unknown client at authorize', async (t) => {
  const res = await fetch(`${stands.idp.url}/oauth2/authorize?${new URLSearchParams({ client_id: 'nope', response_type: 'code', redirect_uri: `${api}/cb` })}`, { redirect: 'manual' });
  t.equal(res.status, 400);
});
