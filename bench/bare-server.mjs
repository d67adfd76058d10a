// The ceiling: bare Fastify (the service's own version, from node_modules) with one route that returns
// a small JSON, logging at info as Fastify does by default (to stdout, which the harness points at
// /dev/null). Same path as the service's liveness route, so the startup probe is the same request.
import Fastify from 'fastify';

const app = Fastify({ logger: { level: process.env.LOG_LEVEL ?? 'info' } });

app.get('/api/v1/health', {
  schema: { response: { 200: { type: 'object', properties: { status: { type: 'string' } } } } },
}, async () => ({ status: 'ok' }));

await app.listen({ port: Number(process.env.PORT ?? 0), host: process.env.HOST ?? '127.0.0.1' });

for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => void app.close().then(() => process.exit(0)));
