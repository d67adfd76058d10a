import t, { type Test } from 'tap';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { publicDirectory, tryItRoutes } from '../../src/adapters/http/routes/try-it.routes.ts';
import { buildTestApp } from '../helpers/test-app.ts';

async function pageApp(t: Test) {
  const { app } = await buildTestApp({
    publicRoutes: [(scope) => scope.register(tryItRoutes, { mediaOrigins: ['http://127.0.0.1:8080'] })],
  });
  t.teardown(() => app.close());
  return app;
}

t.test('serves the page and its assets with their types and a self-only CSP', async (t) => {
  const app = await pageApp(t);
  const page = await app.inject({ url: '/' });
  t.equal(page.statusCode, 200);
  t.equal(page.headers['content-type'], 'text/html; charset=utf-8');
  t.match(page.body, /<title>Try OmniGen<\/title>/);
  const csp = String(page.headers['content-security-policy']);
  t.match(csp, /default-src 'none'/);
  t.match(csp, /script-src 'self'/);
  t.match(csp, /media-src 'self' http:\/\/127\.0\.0\.1:8080/, 'signed video URLs may name PUBLIC_URL');
  t.notMatch(csp, /unsafe-inline|unsafe-eval/);
  t.ok(page.headers['x-request-id']);

  const script = await app.inject({ url: '/try-it/app.js' });
  t.equal(script.headers['content-type'], 'text/javascript; charset=utf-8');
  t.match(script.body, /\/api\/v1/);
  const styles = await app.inject({ url: '/try-it/styles.css' });
  t.equal(styles.headers['content-type'], 'text/css; charset=utf-8');
  t.match(styles.body, /prefers-color-scheme: dark/);
});

t.test('revalidation: an unchanged file is 304 Not Modified', async (t) => {
  const app = await pageApp(t);
  const first = await app.inject({ url: '/try-it/app.js' });
  t.equal(first.headers['cache-control'], 'no-cache');
  const again = await app.inject({ url: '/try-it/app.js', headers: { 'if-none-match': String(first.headers.etag) } });
  t.equal(again.statusCode, 304);
  t.equal(again.body, '');
});

t.test('the page is documented; its assets are not', async (t) => {
  const app = await pageApp(t);
  const paths = (await app.inject({ url: '/api/v1/docs/json' })).json().paths as Record<string, unknown>;
  t.ok(paths['/'], 'GET / is in the OpenAPI document');
  t.notOk(paths['/try-it/app.js']);
});

t.test('the files are found next to the sources, and a missing folder fails at startup', async (t) => {
  t.ok(existsSync(join(publicDirectory(), 'index.html')));
  const { app } = await buildTestApp({
    publicRoutes: [(scope) => scope.register(tryItRoutes, { publicDir: '/nonexistent/public' })],
  }).catch((err: Error) => ({ app: undefined, err }));
  t.notOk(app, 'buildApp refuses to start without the page');
});
