import type { FastifyInstance } from 'fastify';
import { createUseCases } from '../../src/application/use-cases.ts';
import { silentLogger } from '../../src/application/ports/logger.ts';
import type { VideoStorage } from '../../src/application/ports/video-storage.ts';
import type { Principal, TokenVerifier } from '../../src/adapters/http/auth/principal.ts';
import { buildApp, type AppDeps } from '../../src/adapters/http/app.ts';
import { InMemoryIdempotencyStore } from '../../src/adapters/local/in-memory-idempotency-store.ts';
import { InMemoryJobRepository } from '../../src/adapters/local/in-memory-job-repository.ts';
import { InMemoryUsageLedger } from '../../src/adapters/local/in-memory-usage-ledger.ts';
import { uuidGenerator } from '../../src/adapters/system-clock.ts';
import { Unauthorized } from '../../src/domain/errors.ts';
import { bundledCatalogue } from '../../src/catalogue/catalogue-config.ts';
import { FakeClock } from './fake-clock.ts';
import { FakeWorkflow } from './fake-workflow.ts';

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
  const app = await buildApp({
    useCases: createUseCases({
      jobs, usage, idempotency: new InMemoryIdempotencyStore(), workflow, storage: fakeStorage, clock, ids: uuidGenerator, logger,
      quotaPerMonth, catalogue: bundledCatalogue(), cursorSecret: 'test-secret', syncIntervalMs: 5000, videoUrlTtlSeconds: 3600,
    }),
    verifier: namedUserVerifier,
    rateLimitPerMin: 100,
    corsOrigins: '*',
    readiness: {},
    now: clock.nowMs,
    ...options,
  });
  return { app, jobs, usage, workflow, clock, auth: (user) => ({ authorization: `Bearer user.${user}` }) };
}
