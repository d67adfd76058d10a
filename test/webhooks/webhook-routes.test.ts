// The /webhooks routes over HTTP (memory adapters): status codes, bodies, the contract's error format.
import t, { type Test } from 'tap';
import { webhookRoutes } from '../../src/adapters/http/routes/webhooks.routes.ts';
import { buildTestApp } from '../helpers/test-app.ts';
import { webhookHarness } from '../helpers/webhook-harness.ts';

const resolve = async (host: string) => (host === 'hooks.example' ? [{ address: '93.184.215.14', family: 4 }] : []);

async function setup(t: Test) {
  const h = webhookHarness({ resolve, allowLoopback: false });
  const { app, auth } = await buildTestApp({ protectedRoutes: [(scope) => scope.register(webhookRoutes, { webhooks: h.manage, log: h.log })] });
  t.teardown(() => app.close());
  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, user = 'alice', payload?: object) =>
    app.inject({ method, url: `/api/v1${url}`, headers: auth(user), ...(payload ? { payload } : {}) });
  return { h, app, call };
}

t.test('register, read, change, rotate, delete', async (t) => {
  const { call } = await setup(t);
  const created = await call('POST', '/webhooks', 'alice', { url: 'https://hooks.example/omnigen', description: 'prod' });
  t.equal(created.statusCode, 201);
  const body = created.json();
  t.match(body, { id: /^[0-9a-f-]{36}$/, url: 'https://hooks.example/omnigen', enabled: true, secret: /^whsec_/, events: ['job.created', 'job.processing', 'job.completed', 'job.failed', 'job.canceled'] });
  t.equal(created.headers.location, `/api/v1/webhooks/${body.id}`);
  const one = (await call('GET', `/webhooks/${body.id}`)).json();
  t.notOk('secret' in one, 'the secret is shown once');
  t.equal((await call('GET', `/webhooks/${body.id}`, 'bob')).statusCode, 404, "another user's webhook is not found");
  t.same((await call('GET', '/webhooks')).json().webhooks.map((w: { id: string }) => w.id), [body.id]);
  const patched = await call('PATCH', `/webhooks/${body.id}`, 'alice', { events: ['job.completed'], enabled: false });
  t.match(patched.json(), { events: ['job.completed'], enabled: false });
  const rotated = (await call('POST', `/webhooks/${body.id}/rotate-secret`)).json();
  t.match(rotated, { secret: /^whsec_/, previousSecretExpiresAt: /Z$/ });
  t.not(rotated.secret, body.secret);
  const secret = (await call('GET', '/webhooks/secret')).json().secret;
  t.match(secret, /^whsec_/);
  t.equal((await call('GET', '/webhooks/secret')).json().secret, secret, 'the default secret is stable');
  const test = await call('POST', `/webhooks/${body.id}/test`);
  t.equal(test.statusCode, 202);
  t.match(test.json(), { type: 'webhook.test', outcome: 'pending', attempts: 0 });
  const page = (await call('GET', `/webhooks/${body.id}/deliveries?limit=1`)).json();
  t.match(page, { deliveries: [{ type: 'webhook.test' }], nextCursor: null });
  t.equal((await call('POST', `/webhooks/${body.id}/deliveries/${test.json().id}/retry`)).statusCode, 202);
  t.equal((await call('POST', `/webhooks/${body.id}/deliveries/msg_nope/retry`)).statusCode, 404);
  t.same((await call('GET', '/jobs/00000000-0000-4000-8000-000000000001/deliveries')).json(), { deliveries: [] }, "a job's deliveries (the try-it page's list)");
  const deleted = await call('DELETE', `/webhooks/${body.id}`);
  t.equal(deleted.statusCode, 204);
  t.equal(deleted.body, '', 'a 204 has no body');
  t.notOk(deleted.headers['content-type'], 'and no content type');
  t.equal((await call('DELETE', `/webhooks/${body.id}`)).statusCode, 404);
});

t.test('validation in the contract error format; at most 10 per user', async (t) => {
  const { call } = await setup(t);
  const refused = await call('POST', '/webhooks', 'alice', { url: 'https://169.254.169.254/' });
  t.equal(refused.statusCode, 400);
  t.match(refused.json(), { code: 'VALIDATION_ERROR', details: { field: 'url' }, timestamp: /Z$/ });
  const long = await call('POST', '/webhooks', 'alice', { url: `https://hooks.example/${'a'.repeat(2100)}` });
  t.match(long.json(), { code: 'VALIDATION_ERROR', details: { field: 'url' } });
  t.match((await call('POST', '/webhooks', 'alice', { url: 'https://hooks.example/', events: ['job.exploded'] })).json(), { code: 'VALIDATION_ERROR', details: { field: 'events' } });
  t.match((await call('POST', '/webhooks', 'alice', { url: 'https://hooks.example/', extra: 1 })).json(), { code: 'VALIDATION_ERROR' });
  t.match((await call('PATCH', '/webhooks/00000000-0000-4000-8000-000000000000', 'alice', {})).json(), { code: 'VALIDATION_ERROR' });
  for (let i = 0; i < 10; i++) t.equal((await call('POST', '/webhooks', 'alice', { url: `https://hooks.example/${i}` })).statusCode, 201);
  const eleventh = await call('POST', '/webhooks', 'alice', { url: 'https://hooks.example/10' });
  t.equal(eleventh.statusCode, 400);
  t.match(eleventh.json(), { code: 'VALIDATION_ERROR', details: { field: 'webhooks', constraint: 'maxItems', limit: 10 } });
  t.equal((await call('POST', '/webhooks', 'bob', { url: 'https://hooks.example/10' })).statusCode, 201, 'the limit is per user');
  t.equal((await call('GET', '/webhooks/not-a-uuid')).statusCode, 400);
  t.match((await call('GET', '/webhooks/00000000-0000-4000-8000-000000000000/deliveries?cursor=zzz')).json(), { code: 'VALIDATION_ERROR', details: { field: 'cursor' } });
  t.equal((await call('GET', '/webhooks/00000000-0000-4000-8000-000000000000/deliveries')).statusCode, 404);
});
