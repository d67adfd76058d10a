// The WebhookEndpoints port's contract: every adapter of it must pass this suite.
import type { Test } from 'tap';
import type { WebhookEndpoints } from '../../src/application/ports/webhook-endpoints.ts';
import type { WebhookEndpoint } from '../../src/domain/webhook.ts';

export function endpoint(id: string, userId = 'alice', createdAt = `2026-12-01T10:00:0${id.slice(-1)}.000Z`): WebhookEndpoint {
  return { id, userId, url: `https://hooks.example.com/${id}`, events: ['job.completed'], enabled: true, secret: `whsec_${id}`, createdAt, updatedAt: createdAt };
}

export function webhookEndpointsContract(t: Test, make: () => Promise<WebhookEndpoints>): void {
  t.test('endpoints are stored, read back and listed oldest first, per user', async (t) => {
    const store = await make();
    t.same(await store.list('alice'), []);
    t.equal(await store.create(endpoint('e2', 'alice', '2026-12-01T10:00:02.000Z'), 10), true);
    t.equal(await store.create(endpoint('e1', 'alice', '2026-12-01T10:00:01.000Z'), 10), true);
    t.equal(await store.create(endpoint('e3', 'bob'), 10), true);
    t.same(await store.get('alice', 'e1'), endpoint('e1', 'alice', '2026-12-01T10:00:01.000Z'));
    t.same((await store.list('alice')).map((e) => e.id), ['e1', 'e2']);
    t.equal(await store.get('bob', 'e1'), undefined, "another user's endpoint is not found");
    t.same((await store.list('bob')).map((e) => e.id), ['e3']);
  });

  t.test('update replaces an endpoint and delete removes it; both say when there is none', async (t) => {
    const store = await make();
    await store.create(endpoint('e1'), 10);
    const changed = { ...endpoint('e1'), url: 'https://other.example.com/', enabled: false, disabledReason: 'the receiver answered 410 Gone' };
    t.equal(await store.update(changed), true);
    t.same(await store.get('alice', 'e1'), changed);
    t.equal(await store.update(endpoint('nope')), false);
    t.equal(await store.update({ ...endpoint('e1'), userId: 'bob' }), false, "bob cannot update alice's endpoint");
    t.equal(await store.delete('bob', 'e1'), false);
    t.equal(await store.delete('alice', 'e1'), true);
    t.equal(await store.delete('alice', 'e1'), false);
    t.equal(await store.get('alice', 'e1'), undefined);
    t.equal(await store.update(changed), false, 'a deleted endpoint is not updated');
  });

  t.test('the limit holds: the one past it is refused, and 12 concurrent registrations against 3 store exactly 3', async (t) => {
    const store = await make();
    t.equal(await store.create(endpoint('e1'), 1), true);
    t.equal(await store.create(endpoint('e2'), 1), false);
    t.same((await store.list('alice')).map((e) => e.id), ['e1']);
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => store.create(endpoint(`c${i}`, 'carol', `2026-12-01T10:00:${String(10 + i)}.000Z`), 3)));
    t.equal(results.filter(Boolean).length, 3);
    t.equal((await store.list('carol')).length, 3);
  });

  t.test("a user's default secret is the first candidate, whoever asks after (even at once)", async (t) => {
    const store = await make();
    const first = await Promise.all(['whsec_a', 'whsec_b', 'whsec_c'].map((c) => store.defaultSecret('alice', c)));
    t.equal(new Set(first).size, 1, 'concurrent first calls agree');
    t.equal(await store.defaultSecret('alice', 'whsec_later'), first[0]);
    t.equal(await store.defaultSecret('bob', 'whsec_bob'), 'whsec_bob', 'each user has their own');
  });

  t.test("a job's one-off webhook is stored by job id and replaced by a second save", async (t) => {
    const store = await make();
    t.equal(await store.jobWebhook('j1'), undefined);
    await store.saveJobWebhook({ jobId: 'j1', userId: 'alice', url: 'https://a.example.com/', events: ['job.completed'] });
    t.same(await store.jobWebhook('j1'), { jobId: 'j1', userId: 'alice', url: 'https://a.example.com/', events: ['job.completed'] });
    await store.saveJobWebhook({ jobId: 'j1', userId: 'alice', url: 'https://b.example.com/', events: ['job.failed'] });
    t.match(await store.jobWebhook('j1'), { url: 'https://b.example.com/', events: ['job.failed'] });
  });
}
