import { JobCanceledError, JobFailedError, OmniGenError, TimeoutError } from './errors.ts';
import { parseEventStream } from './sse.ts';
import type { Job } from './types.ts';

export interface WaitOptions {
  /** Called with the job at once and on every change of status, progress or stage. */
  onProgress?: (job: Job) => void;
  signal?: AbortSignal;
  /** Give up after this long with a TimeoutError (default: wait as long as the job runs). */
  timeoutMs?: number;
  /** Between reads when polling (default 1000 ms). */
  pollIntervalMs?: number;
  /** Follow the event stream (default); false polls GET /jobs/{id} only. */
  stream?: boolean;
}

/** What waiting needs from the client: kept narrow so the waiting logic reads (and tests) on its own. */
export interface JobSource {
  openEvents(jobId: string, signal: AbortSignal): Promise<Response>;
  getJob(jobId: string, signal: AbortSignal): Promise<Job>;
  backoffMs(attempt: number): number;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

const TERMINAL = new Set(['completed', 'failed', 'canceled']);
/** Reconnections in a row that bring no event before the stream is given up for polling. */
const STREAM_FAILURES_BEFORE_POLLING = 3;

/** Resolves with the completed job; rejects with JobFailedError, JobCanceledError, TimeoutError or the abort reason. */
export async function waitForJob(source: JobSource, jobId: string, options: WaitOptions = {}): Promise<Job> {
  const deadline = new AbortController();
  const { timeoutMs } = options;
  const timer = timeoutMs === undefined ? undefined
    : setTimeout(() => deadline.abort(new TimeoutError(`Job ${jobId} did not finish within ${timeoutMs} ms`, timeoutMs)), timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline.signal]) : deadline.signal;
  try {
    const job = await follow(source, jobId, signal, options);
    if (job.status === 'failed') throw new JobFailedError(job);
    if (job.status === 'canceled') throw new JobCanceledError(job);
    return job;
  } catch (err) {
    // Whatever was in flight when the deadline or the caller's signal fired, the reason is what the caller sees.
    if (signal.aborted) throw signal.reason;
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

async function follow(source: JobSource, jobId: string, signal: AbortSignal, options: WaitOptions): Promise<Job> {
  let last: Job | undefined;
  const report = (job: Job) => {
    if (!last || last.status !== job.status || last.progress !== job.progress || last.stage !== job.stage) options.onProgress?.(job);
    last = job;
  };
  if (options.stream !== false) {
    const ended = await followStream(source, jobId, signal, report);
    if (ended) return ended;
  }
  for (;;) {
    const job = await source.getJob(jobId, signal);
    report(job);
    if (TERMINAL.has(job.status)) return job;
    await source.sleep(options.pollIntervalMs ?? 1000, signal);
  }
}

/** The job once it ended, or undefined when streaming is not possible here and polling should take over. */
async function followStream(source: JobSource, jobId: string, signal: AbortSignal, report: (job: Job) => void): Promise<Job | undefined> {
  let failures = 0;
  for (;;) {
    let response: Response;
    try {
      response = await source.openEvents(jobId, signal);
    } catch (err) {
      // No such job, no access: the same answer polling would get. Too many streams, 5xx, no network: poll.
      if (signal.aborted || (err instanceof OmniGenError && err.status >= 400 && err.status < 500 && err.status !== 429)) throw err;
      return undefined;
    }
    // A proxy that answers something else than an event stream (or a fetch without streaming bodies).
    if (!response.body || !(response.headers.get('content-type') ?? '').includes('text/event-stream')) {
      await response.body?.cancel().catch(() => {});
      return undefined;
    }
    let sawEvent = false;
    try {
      for await (const event of parseEventStream(response.body, signal)) {
        if (event.event !== 'job') continue;
        const job = JSON.parse(event.data) as Job;
        sawEvent = true;
        failures = 0;
        report(job);
        if (TERMINAL.has(job.status)) return job;
      }
    } catch {
      // The connection dropped mid-stream: reconnect below.
    }
    if (signal.aborted) throw signal.reason;
    // The stream ended before the job did (a dropped connection, a server restarting): reconnect, with
    // backoff, and give up on streaming if reconnecting keeps bringing nothing.
    if (!sawEvent) failures++;
    if (failures >= STREAM_FAILURES_BEFORE_POLLING) return undefined;
    await source.sleep(source.backoffMs(failures), signal);
  }
}
