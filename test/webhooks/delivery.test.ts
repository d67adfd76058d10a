// Delivery end to end in process: a real HTTPS receiver (self-signed certificate trusted through the
// transport's `ca`) verifies every message with standardwebhooks' own `verify`.
import t from 'tap';
import { RETRY_SCHEDULE_MS } from '../../src/domain/webhook-delivery.ts';
import { PinnedWebhookTransport } from '../../src/adapters/outbound-http/pinned-webhook-transport.ts';
import { startReceiver } from '../helpers/webhook-receiver.ts';
import { webhookHarness } from '../helpers/webhook-harness.ts';

t.test("a job's events arrive signed, in order, with the public job and a fresh video URL on completion", async (t) => {
  const receiver = await startReceiver(t);
  const h = webhookHarness({ ca: receiver.ca });
  const endpoint = await h.manage.create('alice', { url: receiver.url });
  receiver.secrets.current = endpoint.secret;
  const job = await h.runJob('alice');
  await h.runJob('bob'); // another user's job is not alice's business
  await h.drain();
  t.same(receiver.requests.map((r) => r.payload.type), ['job.created', 'job.processing', 'job.completed']);
  for (const r of receiver.requests) {
    t.same(r.verified, ['current'], `${r.payload.type} verifies with standardwebhooks`);
    t.match(r.headers, { 'webhook-id': /^msg_/, 'webhook-timestamp': /^\d+$/, 'webhook-signature': /^v1,[A-Za-z0-9+/=]+$/, 'content-type': 'application/json' });
  }
  const completed = receiver.requests[2]!.payload;
  t.match(completed, { type: 'job.completed', data: { job: { jobId: job.jobId, status: 'completed', progress: 100 }, videoUrl: /^http:\/\/videos\.test\/videos\// } });
  for (const hidden of ['userId', 'version', 'videoKey']) t.notOk(hidden in (completed.data.job as object), `${hidden} is not sent`);
  const page = await h.log.list('alice', endpoint.id, 10);
  t.same(page.deliveries.map((d) => [d.outcome, d.attempts, d.lastStatusCode]), [['delivered', 1, 200], ['delivered', 1, 200], ['delivered', 1, 200]]);
});

t.test('receiver down for the first attempts, then up: delivered once per webhook-id, in order, on the schedule', async (t) => {
  const receiver = await startReceiver(t);
  // The receiver verifies webhook-timestamp against its real clock (±5 min): start 4 min back, so the
  // retries 5 s and 5 min later still fall within its tolerance.
  const h = webhookHarness({ ca: receiver.ca, startOffsetMs: -4 * 60_000 });
  const endpoint = await h.manage.create('alice', { url: receiver.url });
  receiver.secrets.current = endpoint.secret;
  receiver.status = 503;
  await h.runJob('alice');
  await h.drain();
  t.equal(receiver.requests.length, 1, 'only the first event is tried: the later ones of the same job wait behind it');
  h.clock.advance(RETRY_SCHEDULE_MS[1]! - 1);
  await h.drain();
  t.equal(receiver.requests.length, 1, 'not before the 5 s retry is due');
  h.clock.advance(1);
  await h.drain();
  t.equal(receiver.requests.length, 2, 'the 5 s retry');
  receiver.status = 200;
  h.clock.advance(RETRY_SCHEDULE_MS[2]!);
  await h.drain();
  const ids = receiver.requests.map((r) => r.id);
  t.equal(ids[0], ids[1], 'retries carry the same webhook-id');
  t.equal(ids[1], ids[2]);
  t.same(receiver.unique().map((r) => r.payload.type), ['job.created', 'job.processing', 'job.completed'], 'each event once after de-duplication, in order');
  t.ok(receiver.requests.every((r) => r.verified.length === 1), 'every attempt verifies (signed afresh)');
  const log = (await h.log.list('alice', endpoint.id, 10)).deliveries;
  t.match(log.find((d) => d.type === 'job.created'), { outcome: 'delivered', attempts: 3, lastStatusCode: 200 });
  t.same(h.attempts.map((a) => a.statusCode), [503, 503, 200, 200, 200], 'each attempt reaches the metrics hook, failures included');
  t.ok(h.attempts.every((a) => a.latencyMs >= 0));
});

t.test('every attempt fails: the delivery follows the whole schedule, then is marked failed', async (t) => {
  const receiver = await startReceiver(t);
  const h = webhookHarness({ ca: receiver.ca });
  const endpoint = await h.manage.create('alice', { url: receiver.url, events: ['job.created'] });
  receiver.status = 500;
  await h.runJob('alice', false);
  await h.drain();
  for (const delay of RETRY_SCHEDULE_MS.slice(1)) {
    h.clock.advance(delay);
    await h.drain();
  }
  t.equal(receiver.requests.length, RETRY_SCHEDULE_MS.length, '10 attempts');
  const [delivery] = (await h.log.list('alice', endpoint.id, 10)).deliveries;
  t.match(delivery, { outcome: 'failed', attempts: 10, lastStatusCode: 500, lastError: /HTTP 500/ });
  h.clock.advance(48 * 3600_000);
  await h.drain();
  t.equal(receiver.requests.length, 10, 'nothing after the last attempt');
  const again = await h.log.retry('alice', endpoint.id, delivery!.id);
  t.match(again, { outcome: 'pending' });
  receiver.status = 204;
  await h.drain();
  t.match(await h.deliveries.get('alice', delivery!.id), { outcome: 'delivered', attempts: 10, lastStatusCode: 204 }, 'a manual retry sends it once more');
});

t.test('3xx is a failure and is never followed; 410 Gone disables the endpoint', async (t) => {
  const receiver = await startReceiver(t);
  const h = webhookHarness({ ca: receiver.ca });
  const endpoint = await h.manage.create('alice', { url: receiver.url, events: ['job.created'] });
  receiver.status = 302;
  receiver.extraHeaders = { location: 'http://169.254.169.254/latest/meta-data/' };
  await h.runJob('alice', false);
  await h.drain();
  t.equal(receiver.requests.length, 1);
  t.match((await h.log.list('alice', endpoint.id, 1)).deliveries[0], { outcome: 'pending', attempts: 1, lastStatusCode: 302 }, 'a redirect is a failed attempt, retried later, never followed');
  receiver.status = 410;
  receiver.extraHeaders = {};
  h.clock.advance(RETRY_SCHEDULE_MS[1]!);
  await h.drain();
  t.match((await h.log.list('alice', endpoint.id, 1)).deliveries[0], { outcome: 'failed', attempts: 2, lastStatusCode: 410 });
  t.match(await h.manage.get('alice', endpoint.id), { enabled: false, disabledReason: /410/ });
  await h.runJob('alice', false);
  await h.drain();
  t.equal(receiver.requests.length, 2, 'a disabled endpoint is sent nothing new');
  await h.manage.update('alice', endpoint.id, { enabled: true });
  t.notOk('disabledReason' in (await h.manage.get('alice', endpoint.id)), 're-enabled');
});

t.test('rotation: both secrets sign during the 24 h overlap, only the new one after', async (t) => {
  const receiver = await startReceiver(t);
  const h = webhookHarness({ ca: receiver.ca });
  const endpoint = await h.manage.create('alice', { url: receiver.url, events: ['job.created'] });
  const rotated = await h.manage.rotateSecret('alice', endpoint.id);
  t.not(rotated.secret, endpoint.secret);
  receiver.secrets.old = endpoint.secret;
  receiver.secrets.new = rotated.secret;
  await h.runJob('alice', false);
  await h.drain();
  t.equal(receiver.requests[0]!.headers['webhook-signature']!.split(' ').length, 2, 'two signatures, space-separated');
  t.same(receiver.requests[0]!.verified, ['old', 'new'], 'either secret verifies');
  // After the overlap. The receiver checks webhook-timestamp against its own (real) clock, so instead of
  // moving this clock 24 h on, the stored overlap is made to have ended a second ago.
  const stored = (await h.endpoints.get('alice', endpoint.id))!;
  await h.endpoints.update({ ...stored, previousSecretExpiresAt: new Date(h.clock.now().getTime() - 1000).toISOString() });
  await h.runJob('alice', false);
  await h.drain();
  t.equal(receiver.requests[1]!.headers['webhook-signature']!.split(' ').length, 1);
  t.same(receiver.requests[1]!.verified, ['new'], 'only the new secret after the overlap');
});

t.test("a job's one-off webhook is signed with the user's default secret", async (t) => {
  const receiver = await startReceiver(t);
  const h = webhookHarness({ ca: receiver.ca });
  const save = await h.manage.prepareJobWebhook('alice', { url: receiver.url, events: ['job.completed'] });
  receiver.secrets.default = await h.manage.defaultSecret('alice');
  t.equal(await h.manage.defaultSecret('alice'), receiver.secrets.default, 'the default secret stays the same');
  await save('00000000-0000-4000-8000-000000000001');
  await h.runJob('alice');
  await h.drain();
  t.same(receiver.requests.map((r) => [r.payload.type, r.verified]), [['job.completed', ['default']]]);
});

t.test('webhook.test reaches the endpoint and verifies', async (t) => {
  const receiver = await startReceiver(t);
  const h = webhookHarness({ ca: receiver.ca });
  const endpoint = await h.manage.create('alice', { url: receiver.url });
  receiver.secrets.current = endpoint.secret;
  const queued = await h.log.sendTest('alice', endpoint.id);
  await h.drain();
  t.match(receiver.requests, [{ id: queued.id, payload: { type: 'webhook.test' }, verified: ['current'] }]);
});

t.test('1,000 jobs completing: 1,000 deliveries, none lost, none duplicated', async (t) => {
  const receiver = await startReceiver(t);
  const h = webhookHarness({ ca: receiver.ca });
  const endpoint = await h.manage.create('alice', { url: receiver.url, events: ['job.completed'] });
  receiver.secrets.current = endpoint.secret;
  const started = performance.now();
  const jobIds = new Set<string>();
  for (let i = 0; i < 1000; i++) jobIds.add((await h.runJob('alice')).jobId);
  await h.drain();
  const ms = performance.now() - started;
  t.comment(`1,000 jobs completed and delivered in ${Math.round(ms)} ms`);
  t.equal(receiver.requests.length, 1000, 'exactly 1,000 requests');
  t.equal(receiver.unique().length, 1000, 'no webhook-id twice');
  t.same(new Set(receiver.requests.map((r) => (r.payload.data.job as { jobId: string }).jobId)), jobIds, 'every job once');
  t.ok(receiver.requests.every((r) => r.verified.length === 1), 'every one verifies');
});

t.test("the transport trusts an operator's extra CA for every request, and nothing else: without it, the same self-signed receiver is refused", async (t) => {
  const receiver = await startReceiver(t);
  const rules = { allowLoopback: true, ports: [443, 8443] };
  const trusting = new PinnedWebhookTransport({ ...rules, ca: receiver.ca, timeoutMs: 5000 });
  for (const attempt of [1, 2]) {
    const result = await trusting.send(receiver.url, { 'content-type': 'application/json' }, '{"type":"ping"}');
    t.same([result.statusCode, result.error], [200, undefined], `attempt ${attempt} through the one secure context built from the CA`);
  }
  const plain = new PinnedWebhookTransport({ ...rules, timeoutMs: 5000 });
  const refused = await plain.send(receiver.url, { 'content-type': 'application/json' }, '{"type":"ping"}');
  t.equal(refused.statusCode, undefined, 'no answer read');
  t.match(refused.error, /self[- ]signed certificate/i, 'the certificate is checked against the system CAs only');
  t.equal(receiver.requests.length, 2, 'the refused attempt never reached the receiver');
});
