import { Webhook } from 'standardwebhooks';
import t from 'tap';
import { verifyWebhook, WebhookVerificationError } from '../../packages/client/src/index.ts';

// verifyWebhook (Web Crypto only) against the reference implementation's signatures (the standardwebhooks
// package the service signs with).
const secret = `whsec_${Buffer.from('a fixed 32-byte test key, not secret!').toString('base64')}`;
const other = `whsec_${Buffer.from('another fixed key for the rotation').toString('base64')}`;
const now = Date.parse('2026-11-27T10:30:45.000Z');
const body = JSON.stringify({ type: 'job.completed', timestamp: '2026-11-27T10:30:45.000Z', data: { job: { jobId: 'j1', status: 'completed' }, videoUrl: 'https://videos.test/j1.mp4' } });
const signed = (payload: string, key = secret, at = now) => ({
  'webhook-id': 'msg_1',
  'webhook-timestamp': String(Math.floor(at / 1000)),
  'webhook-signature': new Webhook(key).sign('msg_1', new Date(at), payload),
});

t.test('a delivery signed by the reference library verifies and is parsed', async (t) => {
  const event = await verifyWebhook(body, signed(body), secret, { now });
  t.equal(event.type, 'job.completed');
  t.same(event.data.job, { jobId: 'j1', status: 'completed' });
  t.same(await verifyWebhook(new TextEncoder().encode(body), new Headers(signed(body)), secret, { now }), event, 'raw bytes and a Headers object');
  const bare = secret.slice('whsec_'.length);
  t.same(await verifyWebhook(body, signed(body), bare, { now }), event, 'the secret without its whsec_ prefix');
});

t.test('during a rotation: two signatures in the header, or two secrets on the receiving side', async (t) => {
  const both = { ...signed(body), 'webhook-signature': `${signed(body, other)['webhook-signature']} ${signed(body)['webhook-signature']}` };
  t.equal((await verifyWebhook(body, both, secret, { now })).type, 'job.completed');
  t.equal((await verifyWebhook(body, signed(body, other), [secret, other], { now })).type, 'job.completed');
  t.equal((await verifyWebhook(body, { ...signed(body), 'webhook-signature': ['v1,AAAA', signed(body)['webhook-signature']] }, secret, { now })).type, 'job.completed', 'repeated header lines');
});

t.test('refused: a changed body, another secret, an old or future timestamp, missing or malformed headers', async (t) => {
  const headers = signed(body);
  const cases: Array<[string, () => Promise<unknown>, RegExp]> = [
    ['a changed body', () => verifyWebhook(body.replace('completed', 'failed'), headers, secret, { now }), /No matching signature/],
    ['another secret', () => verifyWebhook(body, headers, other, { now }), /No matching signature/],
    ['six minutes late', () => verifyWebhook(body, headers, secret, { now: now + 6 * 60_000 }), /too old or too new/],
    ['six minutes early', () => verifyWebhook(body, headers, secret, { now: now - 6 * 60_000 }), /too old or too new/],
    ['no signature', () => verifyWebhook(body, { ...headers, 'webhook-signature': undefined }, secret, { now }), /Missing/],
    ['a timestamp that is not a number', () => verifyWebhook(body, { ...headers, 'webhook-timestamp': '12ab' }, secret, { now }), /Invalid webhook-timestamp/],
    ['an unknown signature version', () => verifyWebhook(body, { ...headers, 'webhook-signature': headers['webhook-signature'].replace('v1,', 'v2,') }, secret, { now }), /No matching signature/],
    ['a signature that is not base64', () => verifyWebhook(body, { ...headers, 'webhook-signature': 'v1,@@@' }, secret, { now }), /No matching signature/],
    ['a secret that is not base64', () => verifyWebhook(body, headers, 'whsec_@@@', { now }), /not base64/],
    ['a signed body that is not JSON', () => verifyWebhook('not json', signed('not json'), secret, { now }), /not JSON/],
  ];
  for (const [name, verdict, message] of cases) {
    const err = await verdict().catch((e: unknown) => e);
    t.ok(err instanceof WebhookVerificationError, name);
    t.match((err as Error).message, message, name);
  }
  t.equal((await verifyWebhook(body, headers, secret, { now: now + 4 * 60_000 })).type, 'job.completed', 'four minutes is within the tolerance');
  await t.rejects(verifyWebhook(body, signed(body, secret, Date.now() - 10 * 60_000), secret), WebhookVerificationError, 'the clock defaults to now');
});
