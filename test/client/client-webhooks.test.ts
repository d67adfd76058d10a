import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { OmniGen, verifyWebhook } from '../../packages/client/src/index.ts';
import { startLocalServer } from '../helpers/local-server.ts';

// The webhook methods of @omnigen/client against the real local-mode composition, delivering to a
// receiver on loopback (WEBHOOK_ALLOW_LOOPBACK, as docs/webhooks.md says for local development).
interface Received { headers: IncomingHttpHeaders; body: string }

async function receiver(t: Test) {
  const requests: Received[] = [];
  const waiting: Array<{ count: number; resolve: () => void }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk)).on('end', () => {
      requests.push({ headers: req.headers, body });
      res.writeHead(200).end();
      for (const w of waiting.filter((w) => requests.length >= w.count)) w.resolve();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    requests,
    /** Resolves once `count` requests have arrived in all. */
    received: (count: number) => new Promise<void>((resolve) => (requests.length >= count ? resolve() : waiting.push({ count, resolve }))),
  };
}

const prompt = 'A neon city at night, synthwave';
const header = (r: Received, name: string) => String(r.headers[name]);

t.test('an endpoint: create, get, list, update, a job delivered and verified, deliveries by endpoint and by job, retry, test, rotate, delete', async (t) => {
  const server = await startLocalServer({ WEBHOOK_ALLOW_LOOPBACK: 'true' });
  t.teardown(() => server.close());
  const hook = await receiver(t);
  const client = new OmniGen({ baseUrl: server.base, token: await server.tokenFor('alice') });

  const created = await client.createWebhook({ url: hook.url, events: ['job.completed'], description: 'client test' });
  t.match(created, { url: hook.url, events: ['job.completed'], enabled: true, secret: /^whsec_/ });
  t.notOk('secret' in (await client.getWebhook(created.id)), 'the secret is shown at creation only');
  t.same((await client.listWebhooks()).webhooks.map((w) => w.id), [created.id]);
  t.match(await client.updateWebhook(created.id, { events: ['job.created', 'job.completed'] }), { events: ['job.created', 'job.completed'] });

  const { job } = await client.run({ prompt, category: 'music-video' });
  await hook.received(2);
  const events = await Promise.all(hook.requests.map((r) => verifyWebhook<{ job: { jobId: string } }>(r.body, r.headers as Record<string, string>, created.secret)));
  t.same(events.map((e) => [e.type, e.data.job.jobId]), [['job.created', job.jobId], ['job.completed', job.jobId]], 'both events verify with the secret');

  const byJob = await client.jobDeliveries(job.jobId);
  t.same(byJob.deliveries.map((d) => [d.type, d.outcome, d.url]).sort(), [['job.completed', 'delivered', hook.url], ['job.created', 'delivered', hook.url]]);
  const page = await client.webhookDeliveries(created.id, { limit: 1 });
  t.equal(page.deliveries.length, 1);
  t.type(page.nextCursor, 'string', 'a second page');
  const rest = await client.webhookDeliveries(created.id, { limit: 1, cursor: page.nextCursor ?? '' });
  t.same([page.deliveries[0]?.type, rest.deliveries[0]?.type], ['job.completed', 'job.created'], 'newest first, across pages');

  const retried = await client.retryWebhookDelivery(created.id, page.deliveries[0]?.id ?? '');
  t.equal(retried.id, page.deliveries[0]?.id);
  await hook.received(3);
  t.equal(header(hook.requests[2] as Received, 'webhook-id'), retried.id, 'sent again with the same webhook-id');

  const rotated = await client.rotateWebhookSecret(created.id);
  t.not(rotated.secret, created.secret);
  const tested = await client.testWebhook(created.id);
  t.equal(tested.type, 'webhook.test');
  await hook.received(4);
  const test = hook.requests[3] as Received;
  t.equal((await verifyWebhook(test.body, test.headers as Record<string, string>, rotated.secret)).type, 'webhook.test', 'signed with the new secret');
  t.equal((await verifyWebhook(test.body, test.headers as Record<string, string>, created.secret)).type, 'webhook.test', 'and the old one, during the rotation');

  await client.deleteWebhook(created.id);
  t.same((await client.listWebhooks()).webhooks, []);
  t.match(await client.getWebhook(created.id).catch((e: unknown) => e), { name: 'OmniGenError', status: 404, code: 'NOT_FOUND' });
  t.match(await client.deleteWebhook(created.id).catch((e: unknown) => e), { status: 404, code: 'NOT_FOUND' }, 'a second delete is refused');
});

t.test("a job's one-off webhook, signed with the default secret", async (t) => {
  const server = await startLocalServer({ WEBHOOK_ALLOW_LOOPBACK: 'true' });
  t.teardown(() => server.close());
  const hook = await receiver(t);
  const client = new OmniGen({ baseUrl: server.base, token: await server.tokenFor('bob') });
  const { secret } = await client.defaultWebhookSecret();
  t.match(secret, /^whsec_/);
  const { job } = await client.run({ prompt, category: 'ad-creative', webhook: { url: hook.url, events: ['job.completed'] } });
  await hook.received(1);
  const [delivery] = hook.requests as [Received];
  t.match(await verifyWebhook(delivery.body, delivery.headers as Record<string, string>, secret), { type: 'job.completed', data: { job: { jobId: job.jobId } } });
  t.match(await client.createWebhook({ url: 'http://example.com:1/hook' }).catch((e: unknown) => e), { status: 400, code: 'VALIDATION_ERROR' }, 'a refused URL is an OmniGenError');
});
