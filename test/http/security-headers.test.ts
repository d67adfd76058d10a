import t from 'tap';
import { buildTestApp } from '../helpers/test-app.ts';

// What helmet 8 sent with this app's options; the static set must stay exactly this.
const EXPECTED = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'cross-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};

t.test('every response carries the security headers: success, 401, 404 and validation errors', async (t) => {
  const { app, auth } = await buildTestApp();
  t.teardown(() => app.close());
  const responses = await Promise.all([
    app.inject({ method: 'GET', url: '/api/v1/health' }),
    app.inject({ method: 'GET', url: '/api/v1/usage' }),
    app.inject({ method: 'GET', url: '/nowhere' }),
    app.inject({ method: 'GET', url: '/api/v1/jobs?limit=0', headers: auth('alice') }),
  ]);
  t.same(responses.map((r) => r.statusCode), [200, 401, 404, 400]);
  for (const res of responses) {
    for (const [name, value] of Object.entries(EXPECTED)) t.equal(res.headers[name], value, `${res.statusCode} ${name}`);
    t.notOk(res.headers['strict-transport-security'], 'no HSTS without HTTPS');
    t.notOk(res.headers['content-security-policy'], 'JSON responses carry no CSP');
  }
});

t.test('HSTS only when the app is told it runs behind HTTPS (aws mode)', async (t) => {
  const { app } = await buildTestApp({ hsts: true });
  t.teardown(() => app.close());
  const res = await app.inject({ method: 'GET', url: '/api/v1/health' });
  t.equal(res.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains');
});
