import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { credentialsPath } from '../../packages/client/src/cli/credentials.ts';
import { cliHarness } from '../helpers/client-package.ts';
import { projectRoot } from '../helpers/server-process.ts';

// The CLI's other paths, each in its own process: every create option, expired sign-ins, a job's stage
// and failure, an empty list, a long prompt, --json on login and create --wait, and Ctrl-C while waiting.
const prompt = 'A neon city at night, synthwave, with rain on the windows and a slow camera';

t.test('create with every option, jobs and job views, login --json, create --wait --json', async (t) => {
  const { omnigen, server, close } = await cliHarness({ LOCAL_WORKFLOW_DURATION_MS: '600000' });
  t.teardown(close);
  const login = await omnigen(['login', '--json', '--user', 'paths']);
  t.match(JSON.parse(login.stdout), { baseUrl: server.base, user: 'paths', expiresAt: /^\d{4}-/ });
  const { models } = JSON.parse((await omnigen(['models', '--json'])).stdout) as { models: Array<{ id: string; startImage: boolean; durations: number[]; aspectRatios: string[] }> };
  const model = models.find((m) => m.startImage);
  if (!model) return t.fail('no model takes a start image');
  const created = await omnigen(['create', prompt, '--json', '--model', model.id, '--duration', String(model.durations[0]), '--aspect', model.aspectRatios[0] ?? '', '--image', join(projectRoot, 'test/media/fixtures/start-image.jpg')]);
  t.equal(created.code, 0, created.stderr);
  const { jobId } = JSON.parse(created.stdout) as { jobId: string };
  const shown = await omnigen(['job', jobId]);
  t.match(shown.stdout, new RegExp(`^${jobId}  (pending|processing) .*A neon city at night, synthwave, with rain on t…\\n`), 'a long prompt is cut to 48 characters');
  const list = await omnigen(['jobs']);
  t.match(list.stdout, jobId);
  t.match((await omnigen(['jobs'], { OMNIGEN_TOKEN: await server.tokenFor('nobody') })).stdout, /^No jobs\n$/);
  const timedOut = await omnigen(['create', prompt, '--wait', '--json', '--timeout', '1']);
  t.equal(timedOut.code, 5);
  t.match(JSON.parse(timedOut.stdout), { error: /did not finish within 1000 ms/ });
});

t.test('expired sign-ins: a dev token is renewed for the same user; an expired one with nothing to renew it says so', async (t) => {
  const { omnigen, server, config, close } = await cliHarness();
  t.teardown(close);
  const file = credentialsPath({ XDG_CONFIG_HOME: config });
  t.equal((await omnigen(['login', '--user', 'renew'])).code, 0);
  const stored = JSON.parse(await readFile(file, 'utf8')) as Record<string, { accessToken: string; expiresAt: number }>;
  const old = stored[server.base];
  await writeFile(file, JSON.stringify({ [server.base]: { ...old, expiresAt: 0 } }));
  const renewed = await omnigen(['usage', '--json']);
  t.equal(renewed.code, 0, renewed.stderr);
  const after = JSON.parse(await readFile(file, 'utf8')) as Record<string, { expiresAt: number; devUser: string }>;
  t.ok((after[server.base]?.expiresAt ?? 0) > Date.now(), 'a new token was stored');
  t.equal(after[server.base]?.devUser, 'renew');
  await writeFile(file, JSON.stringify({ [server.base]: { accessToken: 'x', expiresAt: 0 } }));
  const expired = await omnigen(['usage']);
  t.equal(expired.code, 1);
  t.match(expired.stderr, /omnigen: the sign-in has expired: run omnigen login/);
});

t.test('a failed job: job shows its failure, wait exits 3 with the failure code (a scripted service)', async (t) => {
  const failed = { jobId: 'f-1', status: 'failed', prompt, category: 'music-video', progress: 40, stage: 'rendering', createdAt: '2026-11-27T10:30:45.123Z', updatedAt: '2026-11-27T10:30:45.123Z', failure: { code: 'PROVIDER_REJECTED', message: 'The model provider refused the prompt' } };
  const service = createServer((req, res) => {
    if (req.url?.endsWith('/events')) return void res.writeHead(200, { 'content-type': 'text/event-stream' }).end(`event: job\ndata: ${JSON.stringify(failed)}\n\n`);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(failed));
  });
  await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => { service.closeAllConnections(); service.close(() => resolve()); }));
  const { omnigen, close } = await cliHarness();
  t.teardown(close);
  const env = { OMNIGEN_URL: `http://127.0.0.1:${(service.address() as AddressInfo).port}`, OMNIGEN_TOKEN: 'scripted' };
  t.match((await omnigen(['job', 'f-1'], env)).stdout, /failed +40%.*\nstage: rendering\nfailure: PROVIDER_REJECTED: The model provider refused the prompt\n$/);
  const waited = await omnigen(['wait', 'f-1', '--json'], env);
  t.equal(waited.code, 3, 'a failed job exits 3');
  t.match(JSON.parse(waited.stdout), { code: 'PROVIDER_REJECTED', job: { jobId: 'f-1' } });
});

t.test('Ctrl-C while waiting exits 130 and leaves the job running', async (t) => {
  const { bin, baseEnv, server, close } = await cliHarness({ LOCAL_WORKFLOW_DURATION_MS: '600000' });
  t.teardown(close);
  const token = await server.tokenFor('interrupted');
  const created = await (await fetch(`${server.base}/api/v1/jobs`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ prompt, category: 'music-video' }) })).json() as { jobId: string };
  const child = spawn(process.execPath, [bin, 'wait', created.jobId], { env: { ...baseEnv, OMNIGEN_TOKEN: token } });
  let stderr = '';
  let interrupted = false;
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    // The first progress line: the wait is under way. Once: a second Ctrl-C would kill it outright.
    if (/\d+%/.test(stderr) && !interrupted) interrupted = child.kill('SIGINT');
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  t.equal(code, 130);
  t.match(stderr, /Interrupted; the job goes on \(omnigen cancel to stop it\)/);
  const job = await (await fetch(`${server.base}/api/v1/jobs/${created.jobId}`, { headers: { authorization: `Bearer ${token}` } })).json() as { status: string };
  t.match(job.status, /^(pending|processing)$/);
});
