// What the stack journeys share: one stack per test file (scripts/stack-local/stack.ts) with fast
// timings, a signed-in caller, and waiting for a job to end through the API as a client would.
import type { Test } from 'tap';
import { projectRoot } from './server-process.ts';
import { startStack, type LocalStack } from '../../scripts/stack-local/stack.ts';
import { startChildrenUnmeasured } from './unmeasured.ts';
import { redisMissing } from './redis-server.ts';

/** Why a whole stack cannot run here (its ElastiCache stand-in is a real redis-server), or undefined. */
export const stackMissing: string | undefined = redisMissing && `${redisMissing}: the stack's ElastiCache stand-in runs one`;

export interface Job {
  jobId: string;
  status: string;
  progress: number;
  failure?: { code: string; message: string };
  [key: string]: unknown;
}

export interface Journey {
  stack: LocalStack;
  /** Calls the API as `user` (a JSON body when `body` is given; `requestId` as its x-request-id). */
  api(path: string, init?: { method?: string; body?: unknown; user?: string; requestId?: string }): Promise<{ status: number; body: Record<string, unknown>; requestId: string }>;
  createJob(prompt?: string): Promise<Job>;
  /** Watches the job's event stream until `done(job)` (by default: a terminal status); `requestId` as its x-request-id. */
  waitFor(jobId: string, done?: (job: Job) => boolean, requestId?: string): Promise<Job>;
}

const TERMINAL = new Set(['completed', 'failed', 'canceled']);

export async function startJourney(t: Test, options: { waitMs?: number; retryMs?: number; webhookReceiverCa?: string } = {}): Promise<Journey> {
  // A whole stack per file, possibly synthesised first (behind other files' synth, on a shared machine):
  // more than the suite's 120 s per file. This is a hang guard, not a speed target.
  t.setTimeout(360_000);
  // The stack's processes (and the synth, when infra/cdk.out is stale) run unmeasured (helpers/unmeasured.ts).
  startChildrenUnmeasured();
  // Waits and retry pauses shortened; each poll still runs the PollGeneration function for real.
  const stack = await startStack({
    root: projectRoot, timings: { waitMs: options.waitMs ?? 50, retryMs: options.retryMs ?? 20 },
    ...(options.webhookReceiverCa ? { webhookReceiverCa: options.webhookReceiverCa } : {}),
  });
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
      headers: { authorization: `Bearer ${token}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...(init.requestId ? { 'x-request-id': init.requestId } : {}) },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, requestId: res.headers.get('x-request-id') ?? '' };
  };
  const createJob = async (prompt = 'A neon city at night, synthwave'): Promise<Job> => {
    const res = await api('/jobs', { body: { prompt, category: 'music-video' } });
    if (res.status !== 202) throw new Error(`POST /jobs answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body as unknown as Job;
  };
  // The job's event stream, as a client watches a job: one request however long the job takes (polling
  // GET /jobs/{id} would meet the rate limit on a long journey).
  const waitFor: Journey['waitFor'] = async (jobId, done = (job) => TERMINAL.has(job.status), requestId) => {
    const token = tokens.get('alice') ?? (await stack.token('alice'));
    tokens.set('alice', token);
    const abort = new AbortController();
    const res = await fetch(`${stack.apiUrl}/api/v1/jobs/${jobId}/events`, { headers: { authorization: `Bearer ${token}`, ...(requestId ? { 'x-request-id': requestId } : {}) }, signal: abort.signal });
    if (res.status !== 200 || !res.body) throw new Error(`GET /jobs/${jobId}/events answered ${res.status}: ${await res.text()}`);
    let buffer = '';
    let last: Job | undefined;
    try {
      for await (const chunk of res.body.pipeThrough(new TextDecoderStream())) {
        buffer += chunk;
        const events = buffer.split('\n\n');
        buffer = events.pop() ?? '';
        for (const event of events) {
          const data = /^data: (.*)$/m.exec(event)?.[1];
          if (!/^event: job$/m.test(event) || data === undefined) continue;
          last = JSON.parse(data) as Job;
          if (done(last)) return last;
        }
      }
    } finally {
      abort.abort();
    }
    throw new Error(`the event stream of ${jobId} ended at ${JSON.stringify(last)} before the awaited state`);
  };
  return { stack, api, createJob, waitFor };
}
