// Setting up scenarios through the real HTTP API only: dev tokens, jobs. No hidden endpoints.
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';

export const JOB_BODY = JSON.stringify({ prompt: 'A neon city at night, synthwave', category: 'music-video' });

async function call(url, init) {
  let res = await fetch(url, init);
  // Load shedding (503 + Retry-After) can answer when the machine is busy: wait and ask again.
  for (let attempt = 1; res.status === 503 && attempt <= 10; attempt++) {
    await res.body?.cancel();
    await sleep(1000 * Number(res.headers.get('retry-after') ?? 1));
    res = await fetch(url, init);
  }
  const body = await res.json();
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${url} → ${res.status} ${JSON.stringify(body)}`);
  return body;
}

export async function devToken(server, userId) {
  const { accessToken } = await call(`${server.url}/api/v1/auth/dev-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId }),
  });
  return accessToken;
}

export async function createJob(server, token) {
  const job = await call(`${server.url}/api/v1/jobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JOB_BODY,
  });
  return job.jobId;
}

/** Maps `count` indexes through `fn` with at most `concurrency` in flight; results in index order. */
export async function pool(count, concurrency, fn, onProgress) {
  const results = new Array(count);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      results[i] = await fn(i);
      if (onProgress && ++done % 5000 === 0) onProgress(done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}

/** Tokens for users `${prefix}0` … through POST /auth/dev-token. */
export function devTokens(server, prefix, from, to, onProgress) {
  return pool(to - from, 16, (i) => devToken(server, `${prefix}${from + i}`), onProgress);
}

/** `count` jobs for one user, created through POST /api/v1/jobs with autocannon (fast, 50 connections). */
export async function seedJobs(server, token, count) {
  const result = await autocannon({
    url: `${server.url}/api/v1/jobs`,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JOB_BODY,
    connections: Math.min(50, count),
    amount: count,
  });
  const failed = result.non2xx + result.errors + result.timeouts;
  if (failed > 0) throw new Error(`seeding ${count} jobs: ${failed} requests failed`);
}

/**
 * `amount` requests through autocannon, request k built by `pick(k)` → { path, token }: the memory
 * scenario's fixed-size load (wrk only runs for a duration).
 */
export async function driveAmount(server, amount, connections, pick) {
  let k = 0;
  const result = await autocannon({
    url: server.url,
    connections,
    amount,
    requests: [{ method: 'GET', setupRequest: (req) => {
      const { path, token } = pick(k++);
      return { ...req, path, headers: { authorization: `Bearer ${token}` } };
    } }],
  });
  return { rps: result.requests.total / result.duration, failed: result.non2xx + result.errors + result.timeouts };
}
