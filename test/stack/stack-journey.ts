// What the stack journeys share: one stack per test file (scripts/stack-local/stack.ts) with fast
// timings, a signed-in caller, and waiting for a job to end through the API as a client would.
import type { Test } from 'tap';
import { projectRoot } from '../helpers/server-process.js';
import { startStack, type LocalStack } from '../../scripts/stack-local/stack.js';

export interface Job {
  jobId: string;
  status: string;
  progress: number;
  failure?: { code: string; message: string };
  [key: string]: unknown;
}

export interface Journey {
  stack: LocalStack;
  /** Calls the API as `user` (a JSON body when `body` is given). */
  api(path: string, init?: { method?: string; body?: unknown; user?: string }): Promise<{ status: number; body: Record<string, unknown> }>;
  createJob(prompt?: string): Promise<Job>;
  /** Polls GET /jobs/{id} until `done(job)` (by default: a terminal status). */
  waitFor(jobId: string, done?: (job: Job) => boolean): Promise<Job>;
}

const TERMINAL = new Set(['completed', 'failed', 'canceled']);

export async function startJourney(t: Test, options: { waitMs?: number; retryMs?: number } = {}): Promise<Journey> {
  // Waits and retry pauses shortened; each poll still runs the PollGeneration function for real.
  const stack = await startStack({ root: projectRoot, timings: { waitMs: options.waitMs ?? 50, retryMs: options.retryMs ?? 20 } });
  t.teardown(async () => {
    // A failed journey shows what the functions and the API wrote: the template's bug is usually there.
    if (!t.passing()) t.comment(stack.logs.slice(-40).map((l) => `${l.source}: ${l.line}`).join('\n'));
    await stack.stop();
  });
  const tokens = new Map<string, string>();
  const api: Journey['api'] = async (path, init = {}) => {
    const user = init.user ?? 'alice';
    const token = tokens.get(user) ?? (await stack.token(user));
    tokens.set(user, token);
    const res = await fetch(`${stack.apiUrl}/api/v1${path}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: { authorization: `Bearer ${token}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
  const createJob = async (prompt = 'A neon city at night, synthwave'): Promise<Job> => {
    const res = await api('/jobs', { body: { prompt, category: 'music-video' } });
    if (res.status !== 202) throw new Error(`POST /jobs answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body as unknown as Job;
  };
  const waitFor: Journey['waitFor'] = async (jobId, done = (job) => TERMINAL.has(job.status)) => {
    for (;;) {
      const res = await api(`/jobs/${jobId}`);
      if (res.status !== 200) throw new Error(`GET /jobs/${jobId} answered ${res.status}: ${JSON.stringify(res.body)}`);
      const job = res.body as unknown as Job;
      if (done(job)) return job;
      // Polling as a client does; tap's per-test timeout bounds a job that never gets there.
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  return { stack, api, createJob, waitFor };
}
