import t from 'tap';
import { TickScheduler } from '../../src/adapters/local/tick-scheduler.ts';

t.test('runs calls in due order (ties in scheduling order), skips canceled ones, with one timer for all', async (t) => {
  let now = 1_000;
  const scheduler = new TickScheduler(() => now);
  const [realSetTimeout, realClearTimeout] = [globalThis.setTimeout, globalThis.clearTimeout];
  // Track the timers alive while 1,000 calls are scheduled in a scrambled order.
  const live = new Set<unknown>();
  let most = 0;
  globalThis.setTimeout = ((fn: () => void, ms?: number) => {
    const timer = realSetTimeout(() => (live.delete(timer), fn()), ms);
    live.add(timer);
    most = Math.max(most, live.size);
    return timer;
  }) as typeof setTimeout;
  globalThis.clearTimeout = ((timer: NodeJS.Timeout | undefined) => (live.delete(timer), realClearTimeout(timer))) as typeof clearTimeout;
  const ran: number[] = [];
  const delays = Array.from({ length: 1000 }, (_, i) => (i * 7919) % 1000);
  let tickets;
  try {
    tickets = delays.map((delay, i) => scheduler.schedule(delay === 0 ? 1000 : delay, () => ran.push(i)));
  } finally {
    globalThis.setTimeout = realSetTimeout;
    globalThis.clearTimeout = realClearTimeout;
  }
  t.equal(most, 1, 'never more than one timer for 1,000 waiting calls');
  t.equal(scheduler.size, 1000);
  tickets[5]?.cancel();
  now += 1000;
  await new Promise((resolve) => realSetTimeout(resolve, 20));
  t.equal(ran.length, 999, 'every due call ran, the canceled one did not');
  const dueOf = (i: number) => (delays[i] === 0 ? 1000 : (delays[i] as number));
  const expected = delays.map((_, i) => i).filter((i) => i !== 5).sort((a, b) => dueOf(a) - dueOf(b) || a - b);
  t.same(ran, expected, 'by due time, ties in the order scheduled');
  t.equal(scheduler.size, 0);
});

t.test('an earlier call re-arms the timer; later ones wait; clear() drops everything', async (t) => {
  const scheduler = new TickScheduler();
  const ran: string[] = [];
  scheduler.schedule(200, () => ran.push('late'));
  scheduler.schedule(1, () => ran.push('early'));
  await new Promise((resolve) => setTimeout(resolve, 40));
  t.same(ran, ['early']);
  scheduler.clear();
  await new Promise((resolve) => setTimeout(resolve, 250));
  t.same(ran, ['early'], 'cleared before it was due');
  scheduler.schedule(-5, () => ran.push('now'));
  await new Promise((resolve) => setTimeout(resolve, 20));
  t.same(ran, ['early', 'now'], 'a negative delay runs at once');
});
