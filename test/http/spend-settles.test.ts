import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { startLocalServer } from '../helpers/local-server.ts';

// Local mode, whole (SQLite store, the local workflow): once the month's jobs have ended, GET /usage
// spentUsd is the sum of their costUsd — a canceled job's reservation given back, each completed one
// counted at its cost.

// 2 s per job: the cancel below reaches the third job while it runs, with a wide margin on a busy machine.
const server = await startLocalServer({ LOCAL_WORKFLOW_DURATION_MS: '2000', RATE_LIMIT_PER_MIN: '100000' });
t.teardown(() => server.close());
const auth = { authorization: `Bearer ${await server.tokenFor('carol')}`, 'content-type': 'application/json' };

interface JobBody { jobId: string; status: string; estimatedCostUsd: number; costUsd?: number; createdAt: string }

async function api<T>(path: string, method = 'GET', body?: unknown): Promise<T> {
  const res = await fetch(`${server.base}/api/v1${path}`, { method, headers: auth, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Polls the job until it ends (at most 10 s): the local workflow takes LOCAL_WORKFLOW_DURATION_MS. */
async function ended(jobId: string): Promise<JobBody> {
  for (const started = Date.now(); Date.now() - started < 10_000; await sleep(50)) {
    const job = await api<JobBody>(`/jobs/${jobId}`);
    if (['completed', 'failed', 'canceled'].includes(job.status)) return job;
  }
  throw new Error(`job ${jobId} did not end`);
}

t.test('spentUsd equals the sum of costUsd of the month\'s jobs once they ended', async (t) => {
  const asks = [
    { model: 'bytedance/seedance-1-lite', resolution: '480p', durationSeconds: 5 },
    { model: 'minimax/hailuo-02', resolution: '1080p' },
    { model: 'kwaivgi/kling-v2.5-turbo-pro', durationSeconds: 10 },
  ];
  const created = await Promise.all(asks.map((options) => api<JobBody>('/jobs', 'POST', { prompt: 'A neon city at night, synthwave', category: 'music-video', ...options })));
  const reserved = await api<{ spentUsd: number }>('/usage');
  t.equal(reserved.spentUsd, 0.09 + 0.48 + 0.7, 'while they run: their estimates, reserved');

  await api(`/jobs/${created[2]!.jobId}/cancel`, 'POST');
  const jobs = await Promise.all(created.map((job) => ended(job.jobId)));
  t.same(jobs.map((j) => [j.status, j.costUsd]), [['completed', 0.09], ['completed', 0.48], ['canceled', 0]]);
  const usage = await api<{ spentUsd: number; used: number }>('/usage');
  const micro = jobs.reduce((sum, j) => sum + Math.round((j.costUsd ?? 0) * 1e6), 0);
  t.equal(Math.round(usage.spentUsd * 1e6), micro, `spentUsd ${usage.spentUsd} is the jobs' costs, summed in micro-USD`);
  t.equal(usage.used, 3, 'the canceled job still counts against the job quota');
});
