import { randomUUID } from 'node:crypto';
import { CancelJob } from '../../src/application/cancel-job.js';
import { CreateJob } from '../../src/application/create-job.js';
import { GetJob } from '../../src/application/get-job.js';
import { GetUsage } from '../../src/application/get-usage.js';
import { GetVideoUrl } from '../../src/application/get-video-url.js';
import { JobCursor } from '../../src/application/job-cursor.js';
import { ListJobs } from '../../src/application/list-jobs.js';
import type { Logger } from '../../src/application/ports/logger.js';
import type { VideoStorage } from '../../src/application/ports/video-storage.js';
import { InMemoryIdempotencyStore } from '../../src/adapters/local/in-memory-idempotency-store.js';
import { InMemoryJobRepository } from '../../src/adapters/local/in-memory-job-repository.js';
import { InMemoryUsageLedger } from '../../src/adapters/local/in-memory-usage-ledger.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { FakeWorkflow } from '../helpers/fake-workflow.js';

export const PROMPT = 'A neon city at night, synthwave';
export const SYNC_INTERVAL_MS = 5_000;

/** A logger that keeps what it was told, so a test can check a failure was reported. */
export class RecordingLogger implements Logger {
  readonly lines: { level: string; msg: string }[] = [];
  info(_obj: object, msg: string): void {
    this.lines.push({ level: 'info', msg });
  }
  warn(_obj: object, msg: string): void {
    this.lines.push({ level: 'warn', msg });
  }
  error(_obj: object, msg: string): void {
    this.lines.push({ level: 'error', msg });
  }
}

export const fakeStorage: VideoStorage = {
  async signedUrl(videoKey, ttlSeconds, now) {
    const expiresAt = new Date(now.getTime() + ttlSeconds * 1000).toISOString();
    return { url: `http://videos.test/${videoKey}?exp=${encodeURIComponent(expiresAt)}`, expiresAt };
  },
};

/** Every use case wired to the in-memory adapters, a fake clock and a fake workflow engine. */
export function setup(options: { quotaPerMonth?: number } = {}) {
  const clock = new FakeClock();
  const jobs = new InMemoryJobRepository();
  const usage = new InMemoryUsageLedger();
  const idempotency = new InMemoryIdempotencyStore();
  const workflow = new FakeWorkflow();
  const logger = new RecordingLogger();
  const quotaPerMonth = options.quotaPerMonth ?? 10;
  const getJob = new GetJob({ jobs, workflow, clock, logger, syncIntervalMs: SYNC_INTERVAL_MS });
  const ids = { newId: () => randomUUID() };
  return {
    clock,
    jobs,
    usage,
    idempotency,
    workflow,
    logger,
    quotaPerMonth,
    createJob: new CreateJob({ jobs, usage, idempotency, workflow, clock, ids, logger, quotaPerMonth }),
    listJobs: new ListJobs({ jobs, cursor: new JobCursor('test-secret') }),
    getJob,
    getVideoUrl: new GetVideoUrl({ getJob, storage: fakeStorage, clock, ttlSeconds: 3600 }),
    cancelJob: new CancelJob({ getJob, jobs, workflow, clock, logger }),
    getUsage: new GetUsage({ usage, clock, quotaPerMonth }),
  };
}

export type Setup = ReturnType<typeof setup>;

/** Creates a job for `userId` and returns it. */
export async function createFor(s: Setup, userId: string, prompt = PROMPT) {
  return (await s.createJob.execute({ userId, prompt, category: 'music-video' })).job;
}
