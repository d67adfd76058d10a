// Local mode on a network address: the password-less dev sign-in would let anyone who can reach the port
// act as any user, so it is off unless LOCAL_DEV_SIGN_IN_ON_NETWORK=true (config HOST row).
import t from 'tap';
import { startLocalServer } from '../helpers/local-server.ts';

const PKCE = 'code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256';

async function signIns(base: string) {
  const token = await fetch(`${base}/api/v1/auth/dev-token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'mallory' }) });
  const authorize = await fetch(`${base}/oauth2/authorize?response_type=code&client_id=x&redirect_uri=${encodeURIComponent(`${base}/`)}&${PKCE}&username=mallory`, { redirect: 'manual' });
  return { token: token.status, authorize: authorize.status, body: (await authorize.json().catch(() => ({}))) as { code?: string } };
}

t.test('HOST=0.0.0.0: POST /auth/dev-token and ?username= sign-in answer 404', async (t) => {
  const server = await startLocalServer({ HOST: '0.0.0.0', LOCAL_STORE: 'memory' });
  t.teardown(() => server.close());
  const seen = await signIns(server.base);
  t.equal(seen.token, 404);
  t.equal(seen.authorize, 404);
  t.equal(seen.body.code, 'NOT_FOUND');
  t.equal((await fetch(`${server.base}/.well-known/jwks.json`)).status, 200, 'the JWKS is still served');
});

t.test('HOST=0.0.0.0 with LOCAL_DEV_SIGN_IN_ON_NETWORK=true: the dev sign-in is on', async (t) => {
  const server = await startLocalServer({ HOST: '0.0.0.0', LOCAL_STORE: 'memory', LOCAL_DEV_SIGN_IN_ON_NETWORK: 'true' });
  t.teardown(() => server.close());
  const seen = await signIns(server.base);
  t.equal(seen.token, 200);
  t.not(seen.authorize, 404, 'the authorize endpoint takes a username');
});
