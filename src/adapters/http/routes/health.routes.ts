import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { errorBody, ErrorBody } from '../http-error.ts';

/** A named check of one adapter (a table, the bucket, the JWKS, …). Rejects when it is not usable. */
export type ReadinessCheck = () => Promise<void>;

const CACHE_MS = 5_000;
const TIMEOUT_MS = 2_000;

async function run(check: ReadinessCheck): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
  });
  try {
    await Promise.race([check(), timeout]);
    return 'ok';
  } catch (err) {
    return `failed: ${err instanceof Error ? err.message : String(err)}`.slice(0, 200);
  } finally {
    clearTimeout(timer);
  }
}

export const healthRoutes: FastifyPluginAsyncTypebox<{ checks: Record<string, ReadinessCheck> }> = async (app, opts) => {
  let cached: { at: number; results: Record<string, string> } | undefined;
  let pending: Promise<Record<string, string>> | undefined;

  async function results(): Promise<Record<string, string>> {
    if (cached && Date.now() - cached.at < CACHE_MS) return cached.results;
    // Concurrent probes share one round of checks.
    pending ??= Promise.all(Object.entries(opts.checks).map(async ([name, check]) => [name, await run(check)] as const))
      .then((entries) => {
        cached = { at: Date.now(), results: Object.fromEntries(entries) };
        return cached.results;
      })
      .finally(() => (pending = undefined));
    return pending;
  }

  app.get('/health', {
    schema: { tags: ['health'], summary: 'Liveness: cheap, for the load balancer', response: { 200: Type.Object({ status: Type.Literal('ok') }) } },
  }, async () => ({ status: 'ok' as const }));

  app.get('/health/ready', {
    schema: {
      tags: ['health'], summary: 'Readiness: checks each adapter (cached a few seconds)',
      response: { 200: Type.Object({ status: Type.Literal('ok'), checks: Type.Record(Type.String(), Type.String()) }), 503: ErrorBody },
    },
  }, async (_request, reply) => {
    const checks = await results();
    const failed = Object.keys(checks).filter((name) => checks[name] !== 'ok');
    if (failed.length === 0) return { status: 'ok' as const, checks };
    return reply.code(503).header('retry-after', '5').send(
      errorBody('SERVICE_UNAVAILABLE', `Not ready: ${failed.join(', ')}`, { checks }),
    );
  });
};
