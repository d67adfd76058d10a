import type { FastifyInstance } from 'fastify';
import { CancelJob } from '../../src/application/cancel-job.js';
import { CreateJob } from '../../src/application/create-job.js';
import { GetJob } from '../../src/application/get-job.js';
import { GetUsage } from '../../src/application/get-usage.js';
import { GetVideoUrl } from '../../src/application/get-video-url.js';
import { JobCursor } from '../../src/application/job-cursor.js';
import { ListJobs } from '../../src/application/list-jobs.js';
import { silentLogger } from '../../src/application/ports/logger.js';
import type { VideoStorage } from '../../src/application/ports/video-storage.js';
import type { Principal, TokenVerifier } from '../../src/adapters/http/auth/principal.js';
import { buildApp, type AppDeps } from '../../src/adapters/http/app.js';
import { InMemoryIdempotencyStore } from '../../src/adapters/local/in-memory-idempotency-store.js';
import { InMemoryJobRepository } from '../../src/adapters/local/in-memory-job-repository.js';
import { InMemoryUsageLedger } from '../../src/adapters/local/in-memory-usage-ledger.js';
import { uuidGenerator } from '../../src/adapters/system-clock.js';
import { Unauthorized } from '../../src/domain/errors.js';
import { FakeClock } from './fake-clock.js';
import { FakeWorkflow } from './fake-workflow.js';

/**
 * A test double for token verification, so HTTP tests can name callers ("Bearer user.alice").
 * The real JwksTokenVerifier is tested in test/auth and end to end in test/contract-http.
 */
export const namedUserVerifier: TokenVerifier = {
  async verify(token: string): Promise<Principal> {
    if (!token.startsWith('user.')) throw new Unauthorized('Invalid bearer token');
    return { userId: token.slice(5) };
  },
};

export const fakeStorage: VideoStorage = {
  async signedUrl(videoKey, ttlSeconds, now) {
    const expiresAt = new Date(now.getTime() + ttlSeconds * 1000).toISOString();
    return { url: `http://videos.test/${videoKey}?exp=${expiresAt}`, expiresAt };
  },
};

export interface TestApp {
  app: FastifyInstance;
  jobs: InMemoryJobRepository;
  usage: InMemoryUsageLedger;
  workflow: FakeWorkflow;
  clock: FakeClock;
  auth: (user: string) => { authorization: string };
}

export async function buildTestApp(options: Partial<AppDeps> & { quotaPerMonth?: number } = {}): Promise<TestApp> {
  const clock = new FakeClock();
  const jobs = new InMemoryJobRepository();
  const usage = new InMemoryUsageLedger();
  const workflow = new FakeWorkflow();
  const logger = silentLogger;
  const quotaPerMonth = options.quotaPerMonth ?? 10;
  const getJob = new GetJob({ jobs, workflow, clock, logger, syncIntervalMs: 5000 });
  const app = await buildApp({
    useCases: {
      createJob: new CreateJob({ jobs, usage, idempotency: new InMemoryIdempotencyStore(), workflow, clock, ids: uuidGenerator, logger, quotaPerMonth }),
      listJobs: new ListJobs({ jobs, cursor: new JobCursor('test-secret') }),
      getJob,
      getVideoUrl: new GetVideoUrl({ getJob, storage: fakeStorage, clock, ttlSeconds: 3600 }),
      cancelJob: new CancelJob({ getJob, jobs, workflow, clock, logger }),
      getUsage: new GetUsage({ usage, clock, quotaPerMonth }),
    },
    verifier: namedUserVerifier,
    rateLimitPerMin: 100,
    corsOrigins: '*',
    readiness: {},
    now: clock.nowMs,
    ...options,
  });
  return { app, jobs, usage, workflow, clock, auth: (user) => ({ authorization: `Bearer user.${user}` }) };
}
