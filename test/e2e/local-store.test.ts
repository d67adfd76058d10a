// The two local stores through the real local composition (in process): sqlite keeps jobs, usage and
// its secret across a stop and a start on the same folder, and resumes the jobs left unfinished;
// memory forgets them and writes no database, secret or key file.
import { readdirSync } from 'node:fs';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import t from 'tap';
import { startLocalServer, type LocalServer } from '../helpers/local-server.ts';

async function createJob(server: LocalServer, token: string): Promise<string> {
  const res = await fetch(`${server.base}/api/v1/jobs`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: 'A neon city at night, synthwave', category: 'music-video' }),
  });
  if (res.status !== 202) throw new Error(`create: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { jobId: string }).jobId;
}

async function read(server: LocalServer, token: string, path: string): Promise<Record<string, unknown>> {
  return (await (await fetch(`${server.base}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } })).json()) as Record<string, unknown>;
}

function logLines(): { logger: ReturnType<typeof pino>; messages: string[] } {
  const messages: string[] = [];
  const sink = new Writable({ write(chunk: Buffer, _enc, done) { for (const line of chunk.toString().split('\n').filter(Boolean)) messages.push(String((JSON.parse(line) as { msg: string }).msg)); done(); } });
  return { logger: pino({ level: 'info' }, sink), messages };
}

t.test('sqlite: a stop and a start on the same folder keep jobs and usage, and the pending job runs on', async (t) => {
  const dir = t.testdir();
  // A workflow so slow that the job is still pending when the first server stops.
  const first = await startLocalServer({ LOCAL_DATA_DIR: dir, LOCAL_WORKFLOW_DURATION_MS: '3600000' });
  const jobId = await createJob(first, await first.tokenFor('alice'));
  await first.close();
  t.same(readdirSync(dir).filter((f) => !f.startsWith('omnigen.db-')).sort(), ['app-secret', 'dev-idp-key.pem', 'omnigen.db']);

  const { logger, messages } = logLines();
  const second = await startLocalServer({ LOCAL_DATA_DIR: dir, LOCAL_WORKFLOW_DURATION_MS: '100' }, logger);
  t.teardown(() => second.close());
  t.ok(messages.includes('jobs interrupted by the last stop were picked up again'));
  const token = await second.tokenFor('alice');
  let job = await read(second, token, `/jobs/${jobId}`);
  for (let i = 0; i < 100 && job.status !== 'completed'; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    job = await read(second, token, `/jobs/${jobId}`);
  }
  t.match(job, { jobId, status: 'completed', progress: 100 }, 'the job from before the stop finished');
  t.match(await read(second, token, '/usage'), { used: 1 }, 'its quota unit is still counted');
});

t.test('memory: nothing is kept, and no database, secret or key is written', async (t) => {
  const dir = t.testdir();
  const first = await startLocalServer({ LOCAL_DATA_DIR: dir, LOCAL_STORE: 'memory' });
  await createJob(first, await first.tokenFor('alice'));
  await first.close();
  const second = await startLocalServer({ LOCAL_DATA_DIR: dir, LOCAL_STORE: 'memory' });
  t.teardown(() => second.close());
  const token = await second.tokenFor('alice');
  t.same((await read(second, token, '/jobs')).jobs, []);
  t.match(await read(second, token, '/usage'), { used: 0 });
  t.same(readdirSync(dir).filter((f) => f !== 'videos'), []);
});
