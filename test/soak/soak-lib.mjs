// The soak's load and its invariants, shared by `npm run soak` (run.mjs, 60 s against the built server)
// and the short version in `npm test` (soak.test.ts). Plain JavaScript, so run.mjs needs no build step.
// Loopback only, bounded in time and in count: every loop ends at the deadline or at its cap.
import { Agent, request } from 'node:http';

const OPS = [['create', 12], ['read', 33], ['list', 30], ['cancel', 10], ['usage', 15]];
const TOTAL_WEIGHT = OPS.reduce((sum, [, w]) => sum + w, 0);
const PROMPTS = ['A neon city at night, synthwave', 'A product shot of a red sneaker', 'Waves on a rocky shore at dawn'];

function pickOp(random) {
  let roll = random() * TOTAL_WEIGHT;
  for (const [op, weight] of OPS) if ((roll -= weight) < 0) return op;
  return 'read';
}

/** A seeded source of numbers in [0, 1) (mulberry32): the same seed, the same draws. */
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function assertLoopback(base) {
  const { hostname } = new URL(base);
  if (hostname !== '127.0.0.1') throw new Error(`the soak only targets 127.0.0.1, not ${hostname}`);
}

/** One JSON call over a keep-alive agent. Resolves with { status, body }; network errors reject. */
function call(agent, base, method, path, token, payload) {
  const url = new URL(path, base);
  const body = payload === undefined ? undefined : JSON.stringify(payload);
  return new Promise((resolve, reject) => {
    const req = request(url, {
      agent, method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}) },
      timeout: 30_000,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode ?? 0, body: json, text });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in 30 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

async function inParallel(count, limit, work) {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, count) }, async () => {
    while (next < count) await work(next++);
  }));
}

/**
 * Drives a mix of creates, reads, lists, cancels and usage reads across `users` users for `durationMs`,
 * then checks that every accepted job is found by id and in its owner's listing.
 * `rss()` returns the server's resident set size in bytes (sampled every `sampleMs`). `random` picks the
 * users and operations (a seeded one draws the same sequence; which loop gets which draw follows the
 * server's response order).
 */
export async function soak({ base, users, durationMs, concurrency = 64, rss, sampleMs = 1000, log = () => {}, maxRequests = 5_000_000, random = Math.random }) {
  assertLoopback(base);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const tokens = new Array(users);
  const started = Date.now();
  await inParallel(users, 16, async (i) => {
    const res = await call(agent, base, 'POST', '/api/v1/auth/dev-token', undefined, { userId: `soak-${i}` });
    if (res.status !== 200) throw new Error(`dev-token for soak-${i}: ${res.status} ${res.text.slice(0, 200)}`);
    tokens[i] = res.body.accessToken;
  });
  log(`${users} dev tokens in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const jobsByUser = new Map(); // user index → jobIds accepted (202)
  const jobOwner = new Map(); // jobId → user index
  const statuses = {};
  const serverErrors = [];
  const networkErrors = [];
  const samples = [];
  let requests = 0;

  const sample = async () => samples.push({ at: Date.now(), rss: await rss() });
  await sample();
  const sampler = setInterval(() => void sample(), sampleMs);
  const loadStart = Date.now();
  const deadline = loadStart + durationMs;

  const record = (op, res) => {
    requests++;
    statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    if (res.status >= 500 && serverErrors.length < 20) serverErrors.push(`${op} → ${res.status} ${res.text.slice(0, 200)}`);
    else if (res.status >= 500) serverErrors.push(op);
  };
  const someJobOf = (user) => {
    const ids = jobsByUser.get(user);
    return ids && ids.length > 0 ? ids[Math.floor(random() * ids.length)] : undefined;
  };

  let begun = 0; // requests sent: the cap counts these, so the loops stop at exactly maxRequests
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (Date.now() < deadline && begun < maxRequests) {
      begun++;
      const user = Math.floor(random() * users);
      const token = tokens[user];
      let op = pickOp(random);
      const jobId = someJobOf(user);
      if ((op === 'read' || op === 'cancel') && !jobId) op = 'create';
      try {
        let res;
        if (op === 'create') {
          res = await call(agent, base, 'POST', '/api/v1/jobs', token, { prompt: PROMPTS[requests % PROMPTS.length], category: requests % 2 ? 'music-video' : 'ad-creative' });
          if (res.status === 202) {
            const ids = jobsByUser.get(user) ?? [];
            ids.push(res.body.jobId);
            jobsByUser.set(user, ids);
            jobOwner.set(res.body.jobId, user);
          }
        } else if (op === 'read') {
          res = await call(agent, base, 'GET', `/api/v1/jobs/${jobId}`, token);
        } else if (op === 'cancel') {
          res = await call(agent, base, 'POST', `/api/v1/jobs/${jobId}/cancel`, token);
        } else if (op === 'list') {
          res = await call(agent, base, 'GET', '/api/v1/jobs?limit=20', token);
        } else {
          res = await call(agent, base, 'GET', '/api/v1/usage', token);
        }
        record(op, res);
      } catch (err) {
        requests++;
        if (networkErrors.length < 20) networkErrors.push(`${op}: ${err.message}`);
      }
    }
  }));
  const loadSeconds = (Date.now() - loadStart) / 1000;
  clearInterval(sampler);
  await sample();
  log(`load done: ${requests} requests in ${loadSeconds.toFixed(1)} s`);

  // Every accepted job: by id, and in its owner's listing (all pages).
  const lost = [];
  const owners = [...jobsByUser.keys()];
  await inParallel(owners.length, 16, async (k) => {
    const user = owners[k];
    const token = tokens[user];
    const listed = new Set();
    let cursor = null;
    for (let page = 0; page < 10_000; page++) {
      const res = await call(agent, base, 'GET', `/api/v1/jobs?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, token);
      if (res.status !== 200) { lost.push(`list of soak-${user}: ${res.status}`); break; }
      for (const job of res.body.jobs) listed.add(job.jobId);
      cursor = res.body.nextCursor;
      if (!cursor) break;
    }
    for (const jobId of jobsByUser.get(user)) {
      const res = await call(agent, base, 'GET', `/api/v1/jobs/${jobId}`, token);
      if (res.status !== 200 || res.body.jobId !== jobId) lost.push(`${jobId}: GET ${res.status}`);
      if (!listed.has(jobId)) lost.push(`${jobId}: not in the listing of soak-${user}`);
    }
  });
  agent.destroy();

  const third = Math.max(1, Math.floor(samples.length / 3));
  const mean = (xs) => xs.reduce((s, x) => s + x.rss, 0) / xs.length;
  const rssFirst = mean(samples.slice(0, third));
  const rssLast = mean(samples.slice(-third));
  const fivexx = Object.entries(statuses).filter(([s]) => Number(s) >= 500).reduce((n, [, c]) => n + c, 0);
  return {
    users, requests, seconds: loadSeconds, rps: requests / loadSeconds, statuses, fivexx,
    networkErrors, serverErrors: serverErrors.slice(0, 20), accepted: jobOwner.size, owners: owners.length, lost,
    rssFirstMiB: rssFirst / 2 ** 20, rssLastMiB: rssLast / 2 ** 20, rssPeakMiB: Math.max(...samples.map((s) => s.rss)) / 2 ** 20, samples: samples.length,
  };
}

/** The soak's invariants as a list of violations (empty when all hold). */
export function violations(result, { maxRssGrowth = Infinity, perJobKiB = 2 } = {}) {
  const out = [];
  if (result.fivexx > 0) out.push(`${result.fivexx} responses were 5xx: ${result.serverErrors.slice(0, 3).join(' | ')}`);
  if (result.networkErrors.length > 0) out.push(`${result.networkErrors.length} network errors: ${result.networkErrors.slice(0, 3).join(' | ')}`);
  if (result.lost.length > 0) out.push(`${result.lost.length} accepted jobs lost: ${result.lost.slice(0, 5).join(' | ')}`);
  if (result.accepted === 0) out.push('no job was accepted: the load did not exercise creates');
  // Local mode keeps every job in memory (about 1 KiB of heap each, measured; doubled for V8's headroom):
  // that growth is the data the run created, not a leak. Anything past it is.
  const allowed = result.rssFirstMiB * maxRssGrowth + (result.accepted * perJobKiB) / 1024;
  if (result.rssLastMiB > allowed) {
    out.push(`RSS grew from ${result.rssFirstMiB.toFixed(0)} to ${result.rssLastMiB.toFixed(0)} MiB, past ${allowed.toFixed(0)} MiB (×${maxRssGrowth} + ${perJobKiB} KiB for each of ${result.accepted} jobs)`);
  }
  return out;
}
