import { Writable } from 'node:stream';
import t from 'tap';
import { pino } from 'pino';
import { startLocalServer } from '../helpers/local-server.ts';

// The logs CloudWatch keeps: one line per request with the fields the Logs Insights queries use, and
// never a token, a cookie, a signed URL or a prompt.
t.test('request lines carry endpoint, statusCode, duration, userId, requestId, method — and no secrets', async (t) => {
  const lines: string[] = [];
  const sink = new Writable({ write(chunk: Buffer, _enc, done) { lines.push(...chunk.toString().split('\n').filter(Boolean)); done(); } });
  const server = await startLocalServer({ LOCAL_WORKFLOW_DURATION_MS: '100' }, pino({ level: 'info' }, sink));
  t.teardown(() => server.close());
  const token = await server.tokenFor('log-user');
  const auth = { authorization: `Bearer ${token}` };
  const prompt = 'A very particular secret prompt about a lighthouse';
  const created = await fetch(`${server.base}/api/v1/jobs`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ prompt, category: 'ad-creative' }) });
  const { jobId } = (await created.json()) as { jobId: string };
  let url = '';
  for (let i = 0; i < 100 && !url; i++) {
    await new Promise((r) => setTimeout(r, 20));
    const video = await fetch(`${server.base}/api/v1/jobs/${jobId}/video`, { headers: auth });
    if (video.status === 200) url = ((await video.json()) as { url: string }).url;
  }
  await fetch(url);
  const login = await fetch(`${server.base}/api/v1/auth/login`, { redirect: 'manual' });
  const cookie = (login.headers.get('set-cookie') as string).split(';')[0] as string;
  await fetch(`${server.base}/api/v1/auth/callback?code=nope&state=nope`, { headers: { cookie } });
  await fetch(`${server.base}/api/v1/jobs/${jobId}`, { headers: { authorization: 'Bearer not.a.token' } });

  const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  const create = records.find((r) => r.endpoint === '/api/v1/jobs' && r.method === 'POST');
  t.match(create, { statusCode: 202, userId: 'log-user', requestId: String, duration: Number, msg: 'request completed' });
  t.ok(records.find((r) => r.endpoint === '/api/v1/jobs/:id' && r.statusCode === 401), 'failures are logged too');
  const all = lines.join('\n');
  t.notOk(all.includes(token.split('.')[2] as string), 'no access token');
  t.notOk(all.includes(prompt), 'no prompt');
  t.notOk(all.includes(new URL(url).searchParams.get('signature') as string), 'no signed URL');
  t.notOk(all.includes(cookie.split('=')[1] as string), 'no cookie');
});
