import { stat } from 'node:fs/promises';
import t from 'tap';
import { tamperQueryParam } from '../helpers/tamper.ts';
import { startLocalServer } from '../helpers/local-server.ts';

// The contract walked end to end on the real local composition: real tokens from the dev identity
// provider (verified through its JWKS over HTTP), the local workflow, signed video URLs.
t.test('token → create → progress → completed → video URL → bytes', async (t) => {
  const server = await startLocalServer();
  t.teardown(() => server.close());
  const token = await server.tokenFor('alice');
  const auth = { authorization: `Bearer ${token}` };
  const created = await fetch(`${server.base}/api/v1/jobs`, {
    method: 'POST', headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: 'A neon city at night, synthwave', category: 'music-video' }),
  });
  t.equal(created.status, 202);
  const { jobId } = (await created.json()) as { jobId: string };
  const seen = new Set<string>();
  let job: { status: string; progress: number; stage?: string; video?: unknown } = { status: 'pending', progress: 0 };
  for (let i = 0; i < 100 && job.status !== 'completed'; i++) {
    await new Promise((r) => setTimeout(r, 20));
    job = (await (await fetch(`${server.base}/api/v1/jobs/${jobId}`, { headers: auth })).json()) as typeof job;
    if (job.stage) seen.add(job.stage);
  }
  t.equal(job.status, 'completed');
  t.equal(job.progress, 100);
  const { size } = await stat('assets/sample.mp4');
  t.same(job.video, { durationSeconds: 4, width: 320, height: 180, sizeBytes: size, contentType: 'video/mp4' }, 'the facts of the file, read from it');
  t.ok(seen.size >= 3, `named stages seen: ${[...seen].join(', ')}`);
  const video = (await (await fetch(`${server.base}/api/v1/jobs/${jobId}/video`, { headers: auth })).json()) as { url: string; expiresAt: string; thumbnailUrl?: string };
  const thumbnail = await fetch(video.thumbnailUrl ?? '');
  t.equal(thumbnail.headers.get('content-type'), 'image/jpeg', 'its thumbnail, beside it');
  t.equal(Buffer.from(await thumbnail.arrayBuffer()).readUInt16BE(0), 0xffd8, 'a JPEG');
  const file = await fetch(video.url);
  t.equal(file.status, 200, 'fetchable without auth');
  t.equal(file.headers.get('content-type'), 'video/mp4');
  const bytes = Buffer.from(await file.arrayBuffer());
  t.equal(bytes.subarray(4, 8).toString('latin1'), 'ftyp', 'an MP4 file');
  const tampered = await fetch(tamperQueryParam(video.url, 'signature'));
  t.equal(tampered.status, 403);
});

t.test('tokens: the dev identity provider signs, the JWKS verifies, nothing else passes', async (t) => {
  const server = await startLocalServer();
  t.teardown(() => server.close());
  const jwks = (await (await fetch(`${server.base}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string; kty: string }> };
  t.equal(jwks.keys[0]?.kty, 'RSA');
  const token = await server.tokenFor('bob');
  const ok = await fetch(`${server.base}/api/v1/usage`, { headers: { authorization: `Bearer ${token}` } });
  t.equal(ok.status, 200);
  t.equal(ok.headers.get('x-ratelimit-limit'), '100');
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
  const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: 'alice' })).toString('base64url')}.${signature}`;
  const refused = await fetch(`${server.base}/api/v1/usage`, { headers: { authorization: `Bearer ${forged}` } });
  t.equal(refused.status, 401);
  t.equal(((await refused.json()) as { code: string }).code, 'UNAUTHORIZED');
});

t.test('login → authorize → callback: the OAuth2 code flow with PKCE against the dev identity provider', async (t) => {
  const server = await startLocalServer();
  t.teardown(() => server.close());
  const login = await fetch(`${server.base}/api/v1/auth/login`, { redirect: 'manual' });
  t.equal(login.status, 302);
  const authorize = new URL(login.headers.get('location') as string);
  t.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
  t.ok(authorize.searchParams.get('state'));
  const cookie = (login.headers.get('set-cookie') as string).split(';')[0] as string;
  authorize.searchParams.set('username', 'carol');
  const approved = await fetch(authorize, { redirect: 'manual' });
  t.equal(approved.status, 302);
  const callback = await fetch(approved.headers.get('location') as string, { headers: { cookie } });
  t.equal(callback.status, 200);
  const tokens = (await callback.json()) as { accessToken: string; tokenType: string; expiresIn: number };
  t.equal(tokens.tokenType, 'Bearer');
  const usage = await fetch(`${server.base}/api/v1/usage`, { headers: { authorization: `Bearer ${tokens.accessToken}` } });
  t.equal(usage.status, 200);
  const replay = await fetch(approved.headers.get('location') as string, { headers: { cookie } });
  t.equal(replay.status, 400, 'a code works once');
});
