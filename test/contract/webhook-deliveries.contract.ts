// The WebhookDeliveries port's contract (the delivery log and the queue claimed from it): every adapter must pass it.
import type { Test } from 'tap';
import type { WebhookDeliveries } from '../../src/application/ports/webhook-deliveries.ts';
import type { WebhookDelivery } from '../../src/domain/webhook-delivery.ts';

const T = (s: number) => new Date(Date.UTC(2026, 11, 1, 10, 0, s)).toISOString();

function delivery(id: string, fields: Partial<WebhookDelivery> = {}): WebhookDelivery {
  return {
    id, userId: 'alice', target: 'e1', url: 'https://hooks.example.com/', eventId: `${id}.1`, type: 'job.completed', jobId: `job-${id}`,
    sequence: 1, occurredAt: T(0), attempts: 0, outcome: 'pending', nextAttemptAt: T(0), createdAt: T(0), ...fields,
  };
}

export function webhookDeliveriesContract(t: Test, make: () => Promise<WebhookDeliveries>): void {
  t.test('add stores new deliveries and leaves one already stored as it is; get is per user', async (t) => {
    const log = await make();
    await log.add([delivery('d1'), delivery('d2', { userId: 'bob' })]);
    await log.add([delivery('d1', { url: 'https://changed.example.com/' })]);
    t.same(await log.get('alice', 'd1'), delivery('d1'));
    t.equal(await log.get('alice', 'd2'), undefined, "bob's delivery is not alice's");
    t.equal(await log.get('alice', 'nope'), undefined);
    const { nextAttemptAt: _due, ...stored } = delivery('d1');
    const done = { ...stored, outcome: 'delivered' as const, attempts: 1, lastStatusCode: 204, lastLatencyMs: 12 };
    await log.save(done);
    t.same(await log.get('alice', 'd1'), done, 'save replaces');
  });

  t.test('claimDue returns the due ones, soonest first, at most the limit, and leases them', async (t) => {
    const log = await make();
    await log.add([delivery('late', { nextAttemptAt: T(30) }), delivery('b', { nextAttemptAt: T(2) }), delivery('a', { nextAttemptAt: T(1) }), delivery('c', { nextAttemptAt: T(3) })]);
    await log.add([delivery('test', { jobId: undefined, type: 'webhook.test', nextAttemptAt: T(4) })]);
    await log.add([delivery('done', { outcome: 'delivered', nextAttemptAt: undefined })]);
    t.same((await log.claimDue(T(10), T(70), 2)).map((d) => d.id), ['a', 'b']);
    t.same((await log.claimDue(T(10), T(70), 10)).map((d) => d.id), ['c', 'test'], 'the leased ones are not claimed again');
    t.same(await log.claimDue(T(10), T(70), 10), []);
    t.same((await log.claimDue(T(70), T(130), 10)).map((d) => d.id).sort(), ['a', 'b', 'c', 'late', 'test'], 'after the lease they are due again');
  });

  t.test("a job's deliveries to one target are claimed in order: a later one waits while an earlier one is pending", async (t) => {
    const log = await make();
    const first = delivery('first', { jobId: 'j', sequence: 2, nextAttemptAt: T(50) });
    await log.add([first, delivery('second', { jobId: 'j', sequence: 4, nextAttemptAt: T(1) }), delivery('other', { jobId: 'j', target: 'e2', sequence: 4, nextAttemptAt: T(1) })]);
    t.same((await log.claimDue(T(10), T(20), 10)).map((d) => d.id), ['other'], 'the same job to another endpoint is not held up');
    await log.save({ ...first, outcome: 'failed', nextAttemptAt: undefined, attempts: 10 });
    t.same((await log.claimDue(T(10), T(20), 10)).map((d) => d.id), ['second'], 'once the earlier one ended, the next goes');
  });

  t.test('two claimers at once never both get a delivery', async (t) => {
    const log = await make();
    await log.add(Array.from({ length: 12 }, (_, i) => delivery(`d${i}`, { nextAttemptAt: T(i) })));
    const [a, b] = await Promise.all([log.claimDue(T(20), T(80), 100), log.claimDue(T(20), T(80), 100)]);
    const ids = [...a!, ...b!].map((d) => d.id);
    t.equal(ids.length, 12);
    t.equal(new Set(ids).size, 12);
  });

  t.test('takeClaim takes a handed-off claim once: never a stale, duplicated or finished one', async (t) => {
    const log = await make();
    await log.add([delivery('d1', { nextAttemptAt: T(1) }), delivery('d2', { nextAttemptAt: T(2) })]);
    const [claimed] = await log.claimDue(T(10), T(70), 1);
    t.equal(claimed?.id, 'd1');
    t.equal(await log.takeClaim('d1', T(69), T(200)), undefined, 'not under that lease');
    t.equal(await log.takeClaim('d2', T(70), T(200)), undefined, 'not claimed at all');
    t.equal(await log.takeClaim('missing', T(70), T(200)), undefined, 'no such delivery');
    const taken = await log.takeClaim('d1', T(70), T(200));
    t.match(taken, { id: 'd1', outcome: 'pending', attempts: 0 }, 'the delivery as stored');
    t.equal(await log.takeClaim('d1', T(70), T(200)), undefined, 'the same ticket twice (a duplicated message) is taken once');
    t.same((await log.claimDue(T(199), T(260), 10)).map((d) => d.id), ['d2'], 'a taken claim is leased to its new time');
    t.same((await log.claimDue(T(200), T(260), 10)).map((d) => d.id), ['d1'], 'and due again after it (the sender died)');
    await log.save({ ...delivery('d1'), outcome: 'delivered', nextAttemptAt: undefined });
    t.equal(await log.takeClaim('d1', T(260), T(300)), undefined, 'a delivered one is never taken');
  });

  t.test('a delivered or failed delivery is never claimed; a manual retry makes it due again', async (t) => {
    const log = await make();
    await log.add([delivery('d1')]);
    await log.save({ ...delivery('d1'), outcome: 'delivered', nextAttemptAt: undefined });
    t.same(await log.claimDue(T(100), T(160), 10), []);
    await log.save({ ...delivery('d1'), outcome: 'pending', attempts: 3, nextAttemptAt: T(100) });
    t.same((await log.claimDue(T(100), T(160), 10)).map((d) => d.attempts), [3]);
  });

  t.test("an endpoint's log is newest first, paged after a position, only that user's and endpoint's", async (t) => {
    const log = await make();
    await log.add([1, 2, 3, 4, 5].map((s) => delivery(`d${s}`, { createdAt: T(s) })));
    await log.add([delivery('same-time', { createdAt: T(5) }), delivery('other-endpoint', { target: 'e2' }), delivery('bobs', { userId: 'bob' })]);
    const first = await log.listByTarget('alice', 'e1', 3);
    t.same(first.map((d) => d.id), ['same-time', 'd5', 'd4']);
    const last = first[2]!;
    t.same((await log.listByTarget('alice', 'e1', 10, { createdAt: last.createdAt, id: last.id })).map((d) => d.id), ['d3', 'd2', 'd1']);
    t.same((await log.listByTarget('alice', 'e1', 10, { createdAt: T(5), id: 'same-time' })).map((d) => d.id), ['d5', 'd4', 'd3', 'd2', 'd1'], 'ties broken by id');
    t.same(await log.listByTarget('bob', 'e1', 10).then((l) => l.map((d) => d.id)), ['bobs']);
  });

  t.test("a job's deliveries to every target, newest first, at most the limit", async (t) => {
    const log = await make();
    await log.add([
      delivery('a', { jobId: 'j', createdAt: T(1) }), delivery('b', { jobId: 'j', target: 'job:j', createdAt: T(2) }), delivery('c', { jobId: 'j', target: 'e2', createdAt: T(3) }),
      delivery('x', { jobId: 'k' }), delivery('y', { jobId: 'j', userId: 'bob' }),
    ]);
    t.same((await log.listByJob('alice', 'j', 10)).map((d) => d.id), ['c', 'b', 'a']);
    t.same((await log.listByJob('alice', 'j', 2)).map((d) => d.id), ['c', 'b']);
  });
}
