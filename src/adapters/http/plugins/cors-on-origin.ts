import cors, { type FastifyCorsOptions } from '@fastify/cors';
import type { FastifyInstance, onRequestHookHandler } from 'fastify';

/**
 * @fastify/cors, run only for the requests it can concern: those with an `Origin` header (every
 * cross-origin request a browser makes) and OPTIONS (preflights, and the plain-OPTIONS answer). Other
 * requests — servers, curl, same-origin navigation — skip its per-request work (options spread,
 * `routeOptions`, three headers) and get only `Vary: Origin`, so no cache hands their CORS-less
 * response to a browser's cross-origin request.
 *
 * @fastify/cors has no such switch: its one onRequest hook is wrapped as it registers.
 */
export async function useCorsOnOrigin(app: FastifyInstance, options: FastifyCorsOptions): Promise<void> {
  const addHook = app.addHook;
  const gate = (hook: onRequestHookHandler): onRequestHookHandler =>
    function corsWhenOrigin(request, reply, done) {
      if (request.headers.origin === undefined && request.method !== 'OPTIONS') {
        reply.header('vary', 'Origin');
        return done();
      }
      return hook.call(this, request, reply, done);
    };
  const add = addHook as (this: FastifyInstance, name: string, hook: unknown) => FastifyInstance;
  app.addHook = function (this: FastifyInstance, name: string, hook: unknown) {
    return add.call(this, name, name === 'onRequest' ? gate(hook as onRequestHookHandler) : hook);
  } as FastifyInstance['addHook'];
  try {
    // @fastify/cors is fastify-plugin wrapped: it registers on `app` itself, with the patched addHook.
    await app.register(cors, options);
  } finally {
    app.addHook = addHook;
  }
}
