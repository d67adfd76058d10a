// Pending deliveries survive kill -9: the real server process (SQLite store) is killed while a delivery
// waits for its retry, started again on the same LOCAL_DATA_DIR, and the delivery goes out — once
// verified, with the same webhook-id. The process trusts the test receiver through NODE_EXTRA_CA_CERTS.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.ts';
import { until } from '../helpers/until.ts';
import { startReceiver, type Receiver } from '../helpers/webhook-receiver.ts';

async function call(server: ServerProcess, token: string | undefined, method: string, path: string, body?: unknown) {
  const res = await fetch(`${server.base}/api/v1${path}`, {
    method, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

t.test('kill -9 with a delivery pending: it goes out after the restart, once, verified', async (t) => {
  const receiver: Receiver = await startReceiver(t);
  const dataDir = t.testdir();
  const caFile = join(dataDir, 'receiver-ca.pem');
  writeFileSync(caFile, receiver.ca);
  const env = {
    APP_MODE: 'local', LOCAL_STORE: 'sqlite', LOCAL_DATA_DIR: join(dataDir, 'data'), LOCAL_WORKFLOW_DURATION_MS: '600000',
    WEBHOOK_ALLOW_LOOPBACK: 'true', NODE_EXTRA_CA_CERTS: caFile, RATE_LIMIT_PER_MIN: '100000',
  };
  const first = await startServerProcess(env);
  t.teardown(() => first.kill());
  const token = (await call(first, undefined, 'POST', '/auth/dev-token', { userId: 'alice' })).body.accessToken as string;
  const hook = await call(first, token, 'POST', '/webhooks', { url: receiver.url, events: ['job.created'] });
  t.equal(hook.status, 201);
  receiver.secrets.current = hook.body.secret as string;
  receiver.status = 503;
  const job = await call(first, token, 'POST', '/jobs', { prompt: 'A neon city at night, synthwave', category: 'music-video' });
  t.equal(job.status, 202);
  await until('the first attempt', () => receiver.requests.length >= 1);
  // Kill once the failed attempt is recorded (a kill before that is covered too, by the 60 s lease: slower).
  for (let recorded = false; !recorded;) {
    const log = await call(first, token, 'GET', `/webhooks/${hook.body.id as string}/deliveries`);
    recorded = (log.body.deliveries as { attempts: number }[])[0]?.attempts === 1;
  }
  first.kill();
  await first.exited;
  const attemptsBefore = receiver.requests.length;
  receiver.status = 200;

  const second = await startServerProcess({ ...env, PORT: String(first.port) });
  t.teardown(() => second.kill());
  // The 5 s retry (±10 %) is due after the restart; the new process's timer sends it.
  await until('the retry after the restart', () => receiver.requests.some((r) => r.verified.length > 0 && receiver.status === 200 && receiver.requests.indexOf(r) >= attemptsBefore));
  const ids = new Set(receiver.requests.map((r) => r.id));
  t.equal(ids.size, 1, 'one message, the same webhook-id on every attempt');
  t.match(receiver.requests.at(-1), { payload: { type: 'job.created', data: { job: { jobId: job.body.jobId } } }, verified: ['current'] });
  const log = await call(second, token, 'GET', `/webhooks/${hook.body.id as string}/deliveries`);
  t.match(log.body, { deliveries: [{ outcome: 'delivered', lastStatusCode: 200, type: 'job.created' }] });
  t.ok((log.body.deliveries as { attempts: number }[])[0]!.attempts >= 2, 'the attempt before the crash is counted');
});
