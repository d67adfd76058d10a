// Local mode with its SQLite store, as real processes: kill -9 in the middle of a burst of creates,
// cancels and reads, start again on the same LOCAL_DATA_DIR, and find everything the first process
// acknowledged. The second process listens on the port the first one was given (read from its log),
// as `npm start` on 8080 does twice: tokens name their issuer's URL.
import t from 'tap';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.ts';

interface JobView { jobId: string; status: string; progress: number }
interface Seen { user: string; status: string; progress: number }

const TERMINAL = new Set(['completed', 'failed', 'canceled']);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function client(server: { base: string }) {
  const call = async (token: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${server.base}/api/v1${path}`, {
      method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  return {
    call,
    create: (token: string, i: number, key?: string) =>
      call(token, 'POST', '/jobs', { prompt: `Crash test job ${i}, a neon city`, category: 'music-video' }, key ? { 'idempotency-key': key } : {}),
    async listAll(token: string): Promise<JobView[]> {
      const all: JobView[] = [];
      let cursor: string | null = null;
      do {
        const page = await call(token, 'GET', `/jobs?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        all.push(...(page.body.jobs as JobView[]));
        cursor = page.body.nextCursor as string | null;
      } while (cursor);
      return all;
    },
  };
}

async function tokenFor(server: ServerProcess, userId: string): Promise<string> {
  const res = await fetch(`${server.base}/api/v1/auth/dev-token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId }) });
  return ((await res.json()) as { accessToken: string }).accessToken;
}

t.test('kill -9 mid-run, start again on the same data: every acknowledged job, usage, token, URL and cursor is still there', async (t) => {
  const dataDir = t.testdir();
  const env = { APP_MODE: 'local', LOCAL_STORE: 'sqlite', LOCAL_DATA_DIR: dataDir, LOCAL_WORKFLOW_DURATION_MS: '2000', QUOTA_PER_MONTH: '1000', RATE_LIMIT_PER_MIN: '1000000' };
  const first = await startServerProcess({ ...env, PORT: '0' });
  t.teardown(() => void first.child.kill('SIGKILL'));
  const api = client(first);
  const users = ['alice', 'bob', 'carol'];
  const tokens = Object.fromEntries(await Promise.all(users.map(async (u) => [u, await tokenFor(first, u)] as const)));
  const alice = tokens.alice as string;

  // Before the burst: a finished job's signed video URL, a list cursor and an idempotent create.
  const done = (await api.create(alice, 0)).body as unknown as JobView;
  let state = done;
  while (state.status !== 'completed') {
    await sleep(100);
    state = (await api.call(alice, 'GET', `/jobs/${done.jobId}`)).body as unknown as JobView;
  }
  const videoUrl = (await api.call(alice, 'GET', `/jobs/${done.jobId}/video`)).body.url as string;
  await api.create(alice, 1);
  const cursor = (await api.call(alice, 'GET', '/jobs?limit=1')).body.nextCursor as string;
  t.ok(cursor, 'a cursor to a second page');
  const keyed = await api.create(tokens.bob as string, 2, 'before-the-crash');
  t.equal(keyed.status, 202);

  // The burst: creates, cancels and reads from six clients; the process is killed while they run.
  const seen = new Map<string, Seen>();
  const note = (user: string, job: JobView) => {
    const before = seen.get(job.jobId);
    // Answers to concurrent requests may arrive out of order: keep the furthest state seen.
    if (before && (TERMINAL.has(before.status) || before.progress > job.progress)) return;
    seen.set(job.jobId, { user, status: job.status, progress: job.progress });
  };
  for (const job of await api.listAll(alice)) note('alice', job);
  note('bob', keyed.body as unknown as JobView);
  let killed = false;
  let requests = 0;
  const worker = async (w: number) => {
    for (let i = 0; !killed; i++) {
      const user = users[(w + i) % users.length] as string;
      const token = tokens[user] as string;
      const mine = [...seen].filter(([, s]) => s.user === user).map(([id]) => id);
      const pick = mine[(i * 7 + w) % Math.max(1, mine.length)];
      try {
        requests++;
        if (i % 5 < 2 || !pick) {
          const res = await api.create(token, w * 1000 + i, i % 4 === 0 ? `key-${w}-${i % 8}` : undefined);
          if (res.status === 202) note(user, res.body as unknown as JobView);
        } else if (i % 5 === 2) {
          const res = await api.call(token, 'POST', `/jobs/${pick}/cancel`);
          if (res.status === 202) note(user, res.body as unknown as JobView);
        } else {
          const res = await api.call(token, 'GET', `/jobs/${pick}`);
          if (res.status === 200) note(user, res.body as unknown as JobView);
        }
      } catch {
        // The connection died with the process: this request got no answer, so it promised nothing.
      }
    }
  };
  const workers = Array.from({ length: 6 }, (_, w) => worker(w));
  await sleep(1200);
  first.child.kill('SIGKILL');
  killed = true;
  await Promise.all(workers);
  t.equal(await first.exited, null, 'killed, not exited');
  const running = [...seen.values()].filter((s) => !TERMINAL.has(s.status)).length;
  t.ok(running > 0, `jobs were running when it died (${running} of ${seen.size}, after ${requests} requests)`);

  const second = await startServerProcess({ ...env, PORT: String(first.port) });
  t.teardown(() => void second.child.kill('SIGKILL'));
  t.match(second.out(), /jobs interrupted by the last stop were picked up again/);
  const again = client(second);

  const problems: string[] = [];
  for (const [jobId, before] of seen) {
    const res = await again.call(tokens[before.user] as string, 'GET', `/jobs/${jobId}`);
    const now = res.body as unknown as JobView;
    if (res.status !== 200) problems.push(`${jobId}: ${res.status} ${JSON.stringify(res.body)}`);
    else if (TERMINAL.has(before.status) && now.status !== before.status) problems.push(`${jobId}: was ${before.status}, now ${now.status}`);
    else if (now.progress < before.progress) problems.push(`${jobId}: progress ${before.progress} → ${now.progress}`);
  }
  t.same(problems, [], `each of the ${seen.size} acknowledged jobs reads back (token from before the crash) with its last state or a later one`);

  // Running jobs finish: every job not canceled ends completed.
  const deadline = Date.now() + 20_000;
  let open = Infinity;
  while (open > 0 && Date.now() < deadline) {
    await sleep(250);
    open = 0;
    for (const user of users) open += (await again.listAll(tokens[user] as string)).filter((j) => !TERMINAL.has(j.status)).length;
  }
  t.equal(open, 0, 'no job is left pending or processing');
  for (const user of users) {
    const token = tokens[user] as string;
    const listed = await again.listAll(token);
    const mine = [...seen].filter(([, s]) => s.user === user).map(([id]) => id);
    t.same(mine.filter((id) => !listed.some((j) => j.jobId === id)), [], `${user}: every acknowledged job is listed`);
    t.ok(listed.every((j) => j.status === 'completed' || j.status === 'canceled'), `${user}: each job completed or was canceled`);
    const usage = await again.call(token, 'GET', '/usage');
    t.equal(usage.body.used, listed.length, `${user}: usage counts each job created once (${listed.length})`);
  }

  const video = await fetch(videoUrl);
  t.equal(video.status, 200, 'a video URL signed before the crash still plays');
  t.equal(Buffer.from(await video.arrayBuffer()).subarray(4, 8).toString('latin1'), 'ftyp');
  const page = await again.call(alice, 'GET', `/jobs?limit=1&cursor=${encodeURIComponent(cursor)}`);
  t.equal(page.status, 200, 'a cursor from before the crash still pages');
  t.equal((page.body.jobs as JobView[]).length, 1);
  const replay = await again.create(tokens.bob as string, 2, 'before-the-crash');
  t.same([replay.status, replay.body.jobId], [202, keyed.body.jobId], 'an Idempotency-Key used before the crash still names its job');

  second.child.kill('SIGTERM');
  t.equal(await second.exited, 0, 'and it stops cleanly');
});
