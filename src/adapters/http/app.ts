import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { UseCases } from '../../application/use-cases.ts';
import type { JwksTokenVerifier } from './auth/jwks-token-verifier.ts';
import type { TokenVerifier } from './auth/principal.ts';
import { clientErrorHandler, frameworkErrorHandler, useErrorFormat } from './error-handler.ts';
import type { EmfMetrics } from '../observability/emf-metrics.ts';
import { authPlugin } from './plugins/auth.plugin.ts';
import { loadSheddingPlugin, type LoadSheddingOptions } from './plugins/load-shedding.plugin.ts';
import { useCorsOnOrigin } from './plugins/cors-on-origin.ts';
import { metricsObserver } from './plugins/metrics.plugin.ts';
import { BODY_LIMIT, useJsonBodies } from './plugins/json-body.ts';
import { rateLimitPlugin } from './plugins/rate-limit.plugin.ts';
import { MemoryRateLimitStore } from './rate-limit/memory-rate-limit-store.ts';
import type { RateLimitStore } from './rate-limit/rate-limit-store.ts';
import { requestContextPlugin, requestIdOf } from './plugins/request-context.plugin.ts';
import { securityHeaders } from './plugins/security-headers.ts';
import { healthRoutes, type ReadinessCheck } from './routes/health.routes.ts';
import { jobRoutes } from './routes/job.routes.ts';
import { modelRoutes } from './routes/model.routes.ts';
import { uploadRoutes } from './routes/upload.routes.ts';
import { usageRoutes } from './routes/usage.routes.ts';
import { useStrictValidation } from './validation.ts';

export const API_PREFIX = '/api/v1';

export type { UseCases };

/**
 * Registers routes into a scope the app prepares (public: per-IP limit; protected: auth + per-user limit).
 * It may return what `scope.register()` returns: the app awaits it, so a plugin that fails to load fails buildApp.
 */
export type RouteRegistrar = (scope: FastifyInstance) => void | PromiseLike<unknown>;

export interface AppDeps {
  useCases: UseCases;
  /** The JWKS trust policy (@fastify/jwt), or a stand-in that names callers in tests. */
  verifier: JwksTokenVerifier | TokenVerifier;
  rateLimitPerMin: number;
  /** Where the sliding windows live (Redis, shared by every process); one process's memory by default. */
  rateLimitStore?: RateLimitStore;
  corsOrigins: '*' | string[];
  readiness: Record<string, ReadinessCheck>;
  /** Mode-specific routes without a bearer token: OAuth login, the dev identity provider, local video files, … */
  publicRoutes?: RouteRegistrar[];
  /** Extra routes behind the bearer token, under /api/v1 (e.g. the job events stream). */
  protectedRoutes?: RouteRegistrar[];
  logger?: FastifyBaseLogger;
  /** Behind an ALB: trust one proxy hop for the client IP (X-Forwarded-For). */
  trustProxy?: boolean | number;
  /** CloudWatch EMF aggregator fed by every response. */
  metrics?: EmfMetrics;
  loadShedding?: LoadSheddingOptions;
  /** Send HSTS (only behind HTTPS, i.e. aws mode behind the ALB). */
  hsts?: boolean;
  now?: () => number;
}

const EXPOSED_HEADERS = ['x-request-id', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'retry-after', 'location', 'accept-ranges', 'content-range'];

/** Builds the whole HTTP app from its collaborators. main.ts only listens and closes it. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    // Our own onResponse line replaces Fastify's two per-request lines (see request-context.plugin.ts).
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    requestIdHeader: false,
    genReqId: (req) => requestIdOf(req, randomUUID),
    bodyLimit: BODY_LIMIT,
    trustProxy: (deps.trustProxy ?? false) as boolean,
    return503OnClosing: true,
    // Requests Node's HTTP parser refuses get the contract's error body too.
    clientErrorHandler,
    frameworkErrors: frameworkErrorHandler,
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as FastifyInstance;

  useStrictValidation(app);
  useJsonBodies(app);
  useErrorFormat(app);
  const rateLimitStore = deps.rateLimitStore ?? new MemoryRateLimitStore(deps.now);
  // A store passed in belongs to the caller (composition/api.ts closes it on shutdown).
  if (!deps.rateLimitStore) app.addHook('onClose', () => rateLimitStore.close());

  // The design's order: request logging → CORS → JWT → rate limit → (quota in CreateJob) → handlers.
  // One onRequest hook for x-request-id and the security headers (helmet's, computed once), one
  // onResponse hook for the log line and the metrics (docs/performance.md).
  await app.register(requestContextPlugin, {
    headers: securityHeaders(deps.hsts ?? false),
    observe: deps.metrics ? metricsObserver(deps.metrics) : undefined,
  });
  await app.register(loadSheddingPlugin, deps.loadShedding ?? {});
  await useCorsOnOrigin(app, {
    origin: deps.corsOrigins === '*' ? '*' : deps.corsOrigins,
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ['authorization', 'content-type', 'idempotency-key', 'x-request-id', 'range'],
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: 600,
    // An OPTIONS request that is not a full preflight would get a text/plain 400 outside the contract's
    // error body; answering it 204 (no CORS grant) is what HTTP expects of OPTIONS anyway.
    strictPreflight: false,
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'OmniGen API', version: '1.0.0', description: 'Prompt in, AI-generated video out. Limits, authentication and error codes: docs/api.md in the repository.' },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
  });

  await app.register(authPlugin, { verifier: deps.verifier });
  await app.register(rateLimitPlugin, { max: deps.rateLimitPerMin, store: rateLimitStore });
  const limitRequest = app.rateLimit();
  await app.register(async (open) => {
    open.addHook('onRequest', limitRequest);
    for (const register of deps.publicRoutes ?? []) await register(open);
    await open.register(swaggerUi, { routePrefix: `${API_PREFIX}/docs` });
    open.get('/docs', { schema: { hide: true } }, async (_req, reply) => reply.redirect(`${API_PREFIX}/docs`));
  });
  await app.register(healthRoutes, { prefix: API_PREFIX, checks: deps.readiness });
  await app.register(
    async (secured) => {
      secured.addHook('onRequest', app.authenticate);
      secured.addHook('onRequest', limitRequest);
      await secured.register(jobRoutes, deps.useCases);
      await secured.register(usageRoutes, deps.useCases);
      await secured.register(modelRoutes, deps.useCases);
      const { createUpload } = deps.useCases;
      if (createUpload) await secured.register(uploadRoutes, { createUpload });
      for (const register of deps.protectedRoutes ?? []) await register(secured);
    },
    { prefix: API_PREFIX },
  );
  return app;
}
