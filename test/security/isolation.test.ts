// One user can never see or touch another's work: every job endpoint answers 404 for someone else's
// job (never 403), and a list cursor replayed by another user or edited shows nothing of anyone else's.
import fc from 'fast-check';
import t from 'tap';
import { fuzzSeed } from '../helpers/fuzz.ts';
import { startLocalServer } from '../helpers/local-server.ts';
import { contractProblem } from './fixtures/contract.ts';

interface JobView { jobId: string; status: string; prompt: string }

t.test("another user's job id is 404 on every job endpoint, and changes nothing", async (t) => {
  const server = await startLocalServer({ LOCAL_WORKFLOW_DURATION_MS: '200' });
  t.teardown(() => server.close());
  const alice = { authorization: `Bearer ${await server.tokenFor('alice')}` };
  const bob = { authorization: `Bearer ${await server.tokenFor('bob')}` };
  const create = async (prompt: string) => {
    const res = await server.app.inject({ method: 'POST', url: '/api/v1/jobs', headers: alice, payload: { prompt, category: 'music-video' } });
    return res.json() as JobView;
  };
  const done = await create('A finished video of alice');
  await new Promise((resolve) => setTimeout(resolve, 600));
  const running = await create('A running video of alice');
  const before = (await server.app.inject({ method: 'GET', url: `/api/v1/jobs/${running.jobId}`, headers: alice })).json() as JobView;

  for (const job of [done, running]) {
    for (const [method, path] of [['GET', ''], ['GET', '/video'], ['POST', '/cancel']] as const) {
      const res = await server.app.inject({ method, url: `/api/v1/jobs/${job.jobId}${path}`, headers: bob });
      t.equal(res.statusCode, 404, `bob ${method} ${path || '/'} of alice's ${job.prompt}`);
      t.equal(contractProblem(404, res.headers['content-type'] as string, res.body), undefined, 'the contract body');
      t.notMatch(res.body, /alice|running|finished/i, 'nothing of the job leaks');
    }
    // The events stream over real HTTP: a 404 before any stream opens.
    const events = await fetch(`${server.base}/api/v1/jobs/${job.jobId}/events`, { headers: bob });
    t.equal(events.status, 404, `bob GET /events of alice's ${job.prompt}`);
    t.equal(contractProblem(404, events.headers.get('content-type') ?? undefined, await events.text()), undefined);
  }
  const bobList = (await server.app.inject({ method: 'GET', url: '/api/v1/jobs', headers: bob })).json() as { jobs: JobView[] };
  t.same(bobList.jobs, [], "bob's list is empty");
  const after = (await server.app.inject({ method: 'GET', url: `/api/v1/jobs/${running.jobId}`, headers: alice })).json() as JobView;
  t.not(after.status, 'canceled', "bob's cancel did not cancel alice's job");
  t.ok(['pending', 'processing', 'completed'].includes(before.status));
  const video = await server.app.inject({ method: 'GET', url: `/api/v1/jobs/${done.jobId}/video`, headers: alice });
  t.equal(video.statusCode, 200, 'alice still gets her video');
});

t.test('list cursors: replayed by another user, or edited bit by bit, show nothing of anyone else', async (t) => {
  const server = await startLocalServer({ LOCAL_WORKFLOW_DURATION_MS: '100000', QUOTA_PER_MONTH: '100', RATE_LIMIT_PER_MIN: '100000' });
  t.teardown(() => server.close());
  const users = ['alice', 'bob', 'carol'];
  const headers = Object.fromEntries(await Promise.all(users.map(async (u) => [u, { authorization: `Bearer ${await server.tokenFor(u)}` }] as const)));
  const owned = new Map<string, string>(); // jobId → owner
  for (let i = 0; i < 6; i++) {
    for (const user of users) {
      const res = await server.app.inject({ method: 'POST', url: '/api/v1/jobs', headers: headers[user], payload: { prompt: `Job ${i} of ${user}, a video`, category: 'ad-creative' } });
      owned.set((res.json() as JobView).jobId, user);
    }
  }
  const list = async (user: string, query: string) => {
    const res = await server.app.inject({ method: 'GET', url: `/api/v1/jobs?${query}`, headers: headers[user] });
    return res;
  };
  // Every cursor alice can be handed: one per page of her listing.
  const cursors: string[] = [];
  let query = 'limit=1';
  for (;;) {
    const page = (await list('alice', query)).json() as { nextCursor: string | null };
    if (!page.nextCursor) break;
    cursors.push(page.nextCursor);
    query = `limit=1&cursor=${encodeURIComponent(page.nextCursor)}`;
  }
  t.equal(cursors.length, 5, 'alice has five cursors');

  for (const cursor of cursors) {
    for (const thief of ['bob', 'carol']) {
      const res = await list(thief, `limit=100&cursor=${encodeURIComponent(cursor)}`);
      t.equal(res.statusCode, 400, `${thief} replaying alice's cursor`);
      t.same(res.json().details, { field: 'cursor', constraint: 'format' });
    }
  }

  let tried = 0;
  const outcomes = { refused: 0, ownJobs: 0 };
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...cursors), fc.array(fc.tuple(fc.nat(), fc.nat(7)), { minLength: 1, maxLength: 3 }), fc.constantFrom(...users),
      async (cursor, flips, user) => {
        const chars = [...cursor];
        for (const [at, bit] of flips) {
          const i = at % chars.length;
          chars[i] = String.fromCharCode(((chars[i] as string).charCodeAt(0) ^ (1 << bit)) & 0xff || 1);
        }
        const edited = chars.join('');
        tried++;
        const res = await list(user, `limit=100&cursor=${encodeURIComponent(edited)}`);
        if (res.statusCode === 400) {
          outcomes.refused++;
          if (contractProblem(400, res.headers['content-type'] as string, res.body)) throw new Error(res.body);
          return;
        }
        if (res.statusCode !== 200) throw new Error(`edited cursor → ${res.statusCode} ${res.body}`);
        outcomes.ownJobs++;
        for (const job of (res.json() as { jobs: JobView[] }).jobs) {
          if (owned.get(job.jobId) !== user) throw new Error(`${user} saw ${owned.get(job.jobId)}'s job through ${JSON.stringify(edited)}`);
        }
      },
    ),
    { numRuns: 400, seed: fuzzSeed },
  );
  t.comment(`${tried} edited cursors: ${outcomes.refused} refused, ${outcomes.ownJobs} answered with the caller's own jobs`);
  t.ok(tried >= 400);
});
