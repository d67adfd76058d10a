/* eslint-disable no-control-regex -- the terminal control codes are what this test checks */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { credentialsPath, loadCredentials, saveCredentials } from '../../packages/client/src/cli/credentials.ts';
import { browserLogin, devLogin, refresh } from '../../packages/client/src/cli/login.ts';
import { ProgressView } from '../../packages/client/src/cli/progress.ts';

// The CLI's sign-in pieces in process: the PKCE code flow through a loopback redirect against a scripted
// service and identity provider (the browser played by fetch), the refresh, the credentials file and the
// progress view. test/e2e/aws-mode.test.ts runs the same flow against the Cognito stand-in.
interface Idp { base: string; login: { status: number; location?: string }; tokenAnswer: { status: number; body: Record<string, unknown> }; forms: URLSearchParams[] }

async function fakeIdp(t: { teardown(fn: () => unknown): void }): Promise<Idp> {
  const idp: Idp = { base: '', login: { status: 302 }, tokenAnswer: { status: 200, body: { access_token: 'at-1', refresh_token: 'rt-1', expires_in: 3600 } }, forms: [] };
  const server = createServer((req, res) => {
    if (req.url === '/api/v1/auth/login') return void res.writeHead(idp.login.status, idp.login.location ? { location: idp.login.location } : {}).end();
    if (req.url === '/api/v1/auth/dev-token') return void res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"broken","code":"INTERNAL_ERROR"}');
    let body = '';
    req.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => {
      idp.forms.push(new URLSearchParams(body));
      res.writeHead(idp.tokenAnswer.status, { 'content-type': 'application/json' }).end(JSON.stringify(idp.tokenAnswer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  idp.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  idp.login.location = `${idp.base}/oauth2/authorize?client_id=cli-client`;
  return idp;
}

/** The browser: follows the authorize URL back to the loopback redirect with `answer` as the query. */
function browser(answer: (authorize: URL) => Record<string, string>, seen: URL[] = []) {
  return (url: string) => {
    const authorize = new URL(url);
    seen.push(authorize);
    const callback = new URL(authorize.searchParams.get('redirect_uri') ?? '');
    void fetch(new URL('/favicon.ico', callback)).then((r) => r.status).then((status) => {
      if (status !== 404) throw new Error('the loopback answers only /callback');
      for (const [name, value] of Object.entries(answer(authorize))) callback.searchParams.set(name, value);
      return fetch(callback);
    });
  };
}

t.test('browserLogin: the code flow with PKCE through a loopback redirect, then refresh', async (t) => {
  const idp = await fakeIdp(t);
  const seen: URL[] = [];
  const logs: string[] = [];
  const credentials = await browserLogin(idp.base, { port: 0, log: (line) => logs.push(line), open: browser((a) => ({ code: 'code-1', state: a.searchParams.get('state') ?? '' }), seen) });
  t.match(credentials, { accessToken: 'at-1', refreshToken: 'rt-1', clientId: 'cli-client', tokenEndpoint: `${idp.base}/oauth2/token` });
  t.ok(credentials.expiresAt > Date.now() + 3500_000);
  const authorize = seen[0] as URL;
  t.match(Object.fromEntries(authorize.searchParams), { response_type: 'code', client_id: 'cli-client', code_challenge_method: 'S256', redirect_uri: /^http:\/\/127\.0\.0\.1:\d+\/callback$/ });
  const form = idp.forms[0] as URLSearchParams;
  t.equal(form.get('code'), 'code-1');
  t.equal(createHash('sha256').update(form.get('code_verifier') ?? '').digest('base64url'), authorize.searchParams.get('code_challenge'), 'the verifier matches the challenge');
  t.match(logs[0], /If it does not open, visit:\nhttp/);

  idp.tokenAnswer.body = { access_token: 'at-2', expires_in: 60 };
  const renewed = await refresh(credentials);
  t.match(renewed, { accessToken: 'at-2', refreshToken: 'rt-1' }, 'the refresh token is kept when none comes back');
  t.equal(idp.forms[1]?.get('grant_type'), 'refresh_token');
  await t.rejects(refresh({ accessToken: 'x', expiresAt: 0 }), /run omnigen login/, 'nothing to refresh with');
  idp.tokenAnswer = { status: 400, body: { error: 'invalid_grant' } };
  await t.rejects(refresh(credentials), /refused the sign-in \(invalid_grant\)/);
});

t.test('browserLogin refuses: a state mismatch, an error from the provider, no redirect, no client id; devLogin passes on other errors', async (t) => {
  const idp = await fakeIdp(t);
  const log = () => {};
  await t.rejects(browserLogin(idp.base, { port: 0, log, open: browser(() => ({ code: 'c', state: 'forged' })) }), /sign-in failed: state mismatch/);
  await t.rejects(browserLogin(idp.base, { port: 0, log, open: browser(() => ({ error: 'access_denied' })) }), /sign-in failed: access_denied/);
  idp.tokenAnswer = { status: 200, body: { token_type: 'Bearer' } };
  await t.rejects(browserLogin(idp.base, { port: 0, log, open: browser((a) => ({ code: 'c', state: a.searchParams.get('state') ?? '' })) }), /refused the sign-in \(HTTP 200\)/, 'an answer without a token');
  idp.login.location = `${idp.base}/oauth2/authorize`;
  await t.rejects(browserLogin(idp.base, { port: 0, log }), /names no client_id/);
  idp.login = { status: 404 };
  await t.rejects(browserLogin(idp.base, { port: 0, log }), /did not redirect to an identity provider \(HTTP 404\)/);
  await t.rejects(devLogin(idp.base, 'alice'), { name: 'OmniGenError', status: 500 });
});

t.test('the credentials file: default place, one entry per service, unreadable content, a path that is a folder', async (t) => {
  t.equal(credentialsPath({}), join(homedir(), '.config/omnigen/credentials.json'));
  const dir = await mkdtemp(join(tmpdir(), 'omnigen-credentials-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'omnigen/credentials.json');
  await saveCredentials('http://a', { accessToken: 'a', expiresAt: 1 }, path);
  await saveCredentials('http://b', { accessToken: 'b', expiresAt: 2 }, path);
  await saveCredentials('http://a', undefined, path);
  t.equal(await loadCredentials('http://a', path), undefined, 'signed out of a');
  t.match(await loadCredentials('http://b', path), { accessToken: 'b' });
  await writeFile(path, 'not json');
  await t.rejects(loadCredentials('http://b', path), SyntaxError);
  const blocked = join(dir, 'blocked.json');
  await mkdir(join(blocked, 'inside'), { recursive: true });
  await t.rejects(saveCredentials('http://a', { accessToken: 'a', expiresAt: 1 }, blocked), { code: 'EISDIR' });
  t.same((await readdir(dir)).filter((name) => name.endsWith('.tmp')), [], 'no temporary file left behind');
});

t.test('the progress view: plain lines, a bar in colour (red when the job failed), the status when no stage', async (t) => {
  const written: string[] = [];
  const stream = { write: (text: string) => void written.push(text) } as unknown as NodeJS.WriteStream;
  let now = 0;
  const job = { jobId: 'j', status: 'processing', prompt: 'p', category: 'music-video', progress: 50, createdAt: '', updatedAt: '' } as const;
  const plain = new ProgressView({ stream, tty: false, color: false, now: () => now });
  now = 61_000;
  plain.update(job);
  plain.stop();
  t.same(written, ['processing 50% (1:01)\n'], 'no stage: none shown; stop adds nothing');
  written.length = 0;
  const bar = new ProgressView({ stream, tty: true, color: true, now: () => now });
  bar.stop();
  t.same(written, [], 'nothing to draw before the first update');
  bar.update({ ...job, status: 'failed' });
  bar.stop();
  t.match(written[0], /^\r\x1b\[2K\x1b\[31m█{12}░{12}\x1b\[0m {2}50% {2}failed {5}0:00$/);
  t.equal(written.at(-1), '\n');
});
