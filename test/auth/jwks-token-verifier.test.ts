import t, { type Test } from 'tap';
import { flipBase64urlChar } from '../helpers/tamper.ts';
import { JwksTokenVerifier } from '../../src/adapters/http/auth/jwks-token-verifier.ts';
import { Unauthorized } from '../../src/domain/errors.ts';
import { handMade, hs256, JwksServer, makeKey, sign, verifierOverHttp } from './fixtures/auth-fixtures.ts';

const CLIENT = 'omnigen-web';
const START = Date.parse('2026-11-27T10:00:00.000Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const key = makeKey('key-1');
const foreign = makeKey('key-1'); // same kid, different key: a forger's
const rotated = makeKey('key-2');

async function setup(t: Test, options: { cacheSize?: number; jwksTimeoutMs?: number } = {}) {
  const jwks = new JwksServer();
  jwks.keys = [key];
  const issuer = await jwks.start();
  t.teardown(() => jwks.stop());
  let now = START;
  const clock = { advance: (ms: number) => (now += ms), now: () => now };
  const verifier = await verifierOverHttp(new JwksTokenVerifier({ issuer, clientId: CLIENT, now: clock.now, ...options }));
  t.teardown(() => verifier.app.close());
  const seconds = () => Math.floor(now / 1000);
  const access = (extra: Record<string, unknown> = {}) => ({
    sub: 'alice', iss: issuer, client_id: CLIENT, token_use: 'access', scope: 'openid', iat: seconds(), exp: seconds() + 3600, ...extra,
  });
  return { jwks, issuer, verifier, clock, access };
}

t.test('accepts a good access token and a good id token', async (t) => {
  const { verifier, access, issuer } = await setup(t);
  t.same(await verifier.verify(sign(key, access())), { userId: 'alice' });
  const id = { sub: 'bob', iss: issuer, aud: CLIENT, token_use: 'id', email: 'bob@example.com', iat: START / 1000, exp: START / 1000 + 60 };
  t.same(await verifier.verify(sign(key, id)), { userId: 'bob', email: 'bob@example.com' });
});

t.test('refuses every token the contract does not trust, always as Unauthorized', async (t) => {
  const { verifier, access, issuer } = await setup(t);
  await verifier.verify(sign(key, access())); // the key is known from here on
  const now = START / 1000;
  const { exp: _exp, ...noExp } = access();
  const { sub: _sub, ...noSub } = access();
  const cases: Record<string, string> = {
    'alg none': handMade({ alg: 'none', kid: key.kid, typ: 'JWT' }, access()),
    'HS256 with the public key as secret': hs256({ alg: 'HS256', kid: key.kid, typ: 'JWT' }, access(), key.publicPem),
    'RS256 from a foreign key with a known kid': sign(foreign, access()),
    'RS384': handMade({ alg: 'RS384', kid: key.kid }, access(), 'c2ln'),
    'no kid': sign(key, access(), null),
    'expired': sign(key, access({ iat: now - 7200, exp: now - 1 })),
    'expiring this very second': sign(key, access({ exp: now })),
    'no exp': sign(key, noExp),
    'nbf in the future': sign(key, access({ nbf: now + 60 })),
    'wrong iss': sign(key, access({ iss: `${issuer}/` })),
    'wrong client_id': sign(key, access({ client_id: 'someone-else' })),
    'id token for another audience': sign(key, { ...access({ token_use: 'id', aud: 'someone-else' }), client_id: undefined }),
    'refresh token_use': sign(key, access({ token_use: 'refresh' })),
    'no token_use': sign(key, access({ token_use: undefined })),
    'missing sub': sign(key, noSub),
    'empty sub': sign(key, access({ sub: '' })),
    'garbage segments': 'not.a.token',
    'one segment': 'garbage',
    'header not JSON': `${Buffer.from('{oops').toString('base64url')}.e30.c2ln`,
    'signature tampered': (() => {
      const token = sign(key, access());
      return flipBase64urlChar(token, token.lastIndexOf('.') + 1);
    })(),
    'payload swapped': (() => {
      const [header, , signature] = sign(key, access()).split('.');
      return `${header}.${Buffer.from(JSON.stringify(access({ sub: 'mallory' }))).toString('base64url')}.${signature}`;
    })(),
  };
  for (const [name, token] of Object.entries(cases)) {
    await t.rejects(verifier.verify(token), Unauthorized, name);
  }
  t.equal(await verifier.verify(sign(key, access({ nbf: now }))).then((p) => p.userId), 'alice', 'nbf = now is fine');
});

t.test('a cached token is refused once it expires', async (t) => {
  const { verifier, access, clock } = await setup(t);
  const token = sign(key, access({ exp: Math.floor(START / 1000) + 30 }));
  t.same(await verifier.verify(token), { userId: 'alice' });
  clock.advance(29_000);
  t.same(await verifier.verify(token), { userId: 'alice' }, 'a hit before exp');
  clock.advance(1_000);
  await t.rejects(verifier.verify(token), Unauthorized, 'a hit at exp is refused');
});

t.test('a cached token is refused once its key leaves the JWKS', async (t) => {
  const { verifier, access, clock, jwks } = await setup(t);
  const token = sign(key, access({ exp: Math.floor(START / 1000) + 3 * 3600 }));
  await verifier.verify(token);
  jwks.keys = [rotated];
  clock.advance(HOUR);
  await t.rejects(verifier.verify(token), Unauthorized);
  t.equal(jwks.fetches, 2, 'the stale set was refreshed');
  t.same(await verifier.verify(sign(rotated, access())), { userId: 'alice' }, 'the new key works without another fetch');
  t.equal(jwks.fetches, 2);
});

t.test('a flood of unknown kids costs at most one JWKS fetch a minute', async (t) => {
  const { verifier, access, clock, jwks } = await setup(t);
  await verifier.verify(sign(key, access()));
  t.equal(jwks.fetches, 1);
  const flood = (n: number) =>
    Promise.all(Array.from({ length: n }, (_, i) => verifier.verify(sign(key, access(), `unknown-${i}-${clock.now()}`)).then(() => 'accepted', (e: unknown) => e)));
  for (const outcome of await flood(50)) t.ok(outcome instanceof Unauthorized);
  t.equal(jwks.fetches, 1, 'within the first minute: no fetch at all');
  clock.advance(MINUTE);
  await flood(50);
  t.equal(jwks.fetches, 2, 'a minute later: one fetch for fifty unknown kids');
  clock.advance(MINUTE - 1);
  await flood(50);
  t.equal(jwks.fetches, 2);
  clock.advance(1);
  await flood(50);
  t.equal(jwks.fetches, 3);
  t.same(await verifier.verify(sign(key, access({ jti: 'fresh' }))), { userId: 'alice' }, 'the known key still verifies without fetching');
  t.equal(jwks.fetches, 3);
});

t.test('a rotated-in key is learned with one fetch, even right after the first', async (t) => {
  const { verifier, access, jwks } = await setup(t);
  jwks.keys = [key, rotated]; // Cognito signs id and access tokens with two different keys
  await verifier.verify(sign(key, access()));
  t.same(await verifier.verify(sign(rotated, access())), { userId: 'alice' });
  t.equal(jwks.fetches, 1);
});

t.test('JWKS endpoint down: known keys keep working, unknown kids are refused', async (t) => {
  const { verifier, access, clock, jwks } = await setup(t);
  await verifier.verify(sign(key, access()));
  await verifier.check();
  jwks.mode = 'down';
  clock.advance(2 * HOUR); // the key set is stale: a refresh is tried and fails
  t.same(await verifier.verify(sign(key, access())), { userId: 'alice' });
  t.equal(jwks.fetches, 2);
  await t.rejects(verifier.verify(sign(rotated, access())), Unauthorized);
  await t.rejects(verifier.check(), /503/);
  jwks.mode = 'up';
  jwks.keys = [rotated];
  clock.advance(MINUTE);
  t.same(await verifier.verify(sign(rotated, access())), { userId: 'alice' }, 'back up: the new key is fetched');
  await verifier.check();
});

t.test('a hanging JWKS endpoint is given up after jwksTimeoutMs', async (t) => {
  const { verifier, access, jwks } = await setup(t, { jwksTimeoutMs: 200 });
  jwks.mode = 'hang';
  const started = Date.now();
  await t.rejects(verifier.verify(sign(key, access())), Unauthorized);
  t.ok(Date.now() - started < 2000, 'refused quickly');
  await t.rejects(verifier.check());
});

t.test('an unreachable issuer is Unauthorized, not a crash', async (t) => {
  const verifier = await verifierOverHttp(new JwksTokenVerifier({ issuer: 'http://127.0.0.1:9', clientId: CLIENT, jwksTimeoutMs: 500 }));
  t.teardown(() => verifier.app.close());
  await t.rejects(verifier.verify(sign(key, { sub: 'a', exp: Math.floor(Date.now() / 1000) + 60 })), Unauthorized);
});

t.test('jwksUrl: keys fetched from elsewhere, iss still compared with the issuer', async (t) => {
  const jwks = new JwksServer();
  jwks.keys = [key];
  const origin = await jwks.start();
  t.teardown(() => jwks.stop());
  const issuer = 'https://omnigen.example';
  const verifier = await verifierOverHttp(new JwksTokenVerifier({ issuer, clientId: CLIENT, jwksUrl: `${origin}/.well-known/jwks.json` }));
  t.teardown(() => verifier.app.close());
  const exp = Math.floor(Date.now() / 1000) + 60;
  t.same(await verifier.verify(sign(key, { sub: 'alice', iss: issuer, client_id: CLIENT, token_use: 'access', exp })), { userId: 'alice' });
  await t.rejects(verifier.verify(sign(key, { sub: 'alice', iss: origin, client_id: CLIENT, token_use: 'access', exp })), Unauthorized);
  t.equal(jwks.fetches, 1);
});
