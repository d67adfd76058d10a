// Compares the two SQLite drivers local mode could use, on the store's own statements: Node's built-in
// node:sqlite (DatabaseSync) and better-sqlite3 (when installed: `npm i --no-save better-sqlite3`).
//   repo:  5000 jobs inserted (job row + outbox event, one transaction each), each read back, 500 pages listed
//   race:  4 processes on one WAL file, 2000 quota upserts + 2000 idempotency claims (BEGIN IMMEDIATE) each
// Usage: node bench/sqlite-drivers.mjs [rounds=3]. Prints the median wall time of each, per driver.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS jobs (job_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, prompt TEXT NOT NULL, status TEXT NOT NULL,
    progress INTEGER NOT NULL, created_at TEXT NOT NULL, version INTEGER NOT NULL);
  CREATE INDEX IF NOT EXISTS jobs_by_user ON jobs (user_id, created_at, job_id);
  CREATE TABLE IF NOT EXISTS job_events (sequence INTEGER PRIMARY KEY, event_id TEXT UNIQUE NOT NULL, job TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS usage (user_id TEXT NOT NULL, period TEXT NOT NULL, used INTEGER NOT NULL, PRIMARY KEY (user_id, period));
  CREATE TABLE IF NOT EXISTS idempotency_keys (user_id TEXT NOT NULL, key TEXT NOT NULL, job_id TEXT NOT NULL, expires_at TEXT NOT NULL,
    PRIMARY KEY (user_id, key));`;

/** The same small surface over both drivers: open, prepare, exec. */
function open(driver, file) {
  if (driver === 'node:sqlite') {
    const { DatabaseSync } = require('node:sqlite');
    return new DatabaseSync(file, { timeout: 5000 });
  }
  const Database = require('better-sqlite3');
  return new Database(file, { timeout: 5000 });
}

function setup(db) {
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;');
  db.exec(SCHEMA);
}

function repo(driver, dir) {
  const db = open(driver, join(dir, `repo-${driver.replace(':', '-')}.db`));
  setup(db);
  const insert = db.prepare('INSERT INTO jobs (job_id, user_id, prompt, status, progress, created_at, version) VALUES (:id, :user, :prompt, :status, 0, :at, 1)');
  const event = db.prepare('INSERT INTO job_events (event_id, job) VALUES (:id, :job)');
  const select = db.prepare('SELECT * FROM jobs WHERE job_id = ?');
  const page = db.prepare('SELECT * FROM jobs WHERE user_id = :user AND (created_at, job_id) < (:at, :id) ORDER BY created_at DESC, job_id DESC LIMIT 21');
  const started = performance.now();
  for (let i = 0; i < 5000; i++) {
    const row = { id: `job-${i}`, user: `user-${i % 10}`, prompt: 'A neon city at night, synthwave', status: 'pending', at: new Date(1e12 + i).toISOString() };
    db.exec('BEGIN');
    insert.run(row);
    event.run({ id: `${row.id}.1`, job: JSON.stringify(row) });
    db.exec('COMMIT');
  }
  for (let i = 0; i < 5000; i++) select.get(`job-${i}`);
  for (let i = 0; i < 500; i++) page.all({ user: `user-${i % 10}`, at: new Date(1e12 + 5000 - i).toISOString(), id: 'z' });
  const ms = performance.now() - started;
  db.close();
  return ms;
}

/** One racing process: waits for "go", then 2000 quota upserts and 2000 idempotency claims. */
function contend(driver, file) {
  const db = open(driver, file);
  const consume = db.prepare(`INSERT INTO usage (user_id, period, used) VALUES ('alice', '2026-11', 1)
    ON CONFLICT (user_id, period) DO UPDATE SET used = used + 1 WHERE used < 5000`);
  const claim = db.prepare(`INSERT INTO idempotency_keys (user_id, key, job_id, expires_at) VALUES ('alice', :key, :job, '9999')
    ON CONFLICT (user_id, key) DO UPDATE SET job_id = excluded.job_id WHERE idempotency_keys.expires_at <= '0'`);
  const holder = db.prepare("SELECT job_id FROM idempotency_keys WHERE user_id = 'alice' AND key = ?");
  process.stdout.write('ready\n');
  process.stdin.once('data', () => {
    process.stdin.destroy();
    let consumed = 0;
    try {
      for (let i = 0; i < 2000; i++) {
        if (consume.run().changes === 1) consumed++;
        db.exec('BEGIN IMMEDIATE');
        if (claim.run({ key: `key-${i % 500}`, job: `${process.pid}-${i}` }).changes !== 1) holder.get(`key-${i % 500}`);
        db.exec('COMMIT');
      }
    } catch (err) {
      // SQLITE_BUSY despite the 5 s busy timeout: the process gives up, as a request would fail.
      process.stdout.write(`busy ${err.message}\n`);
      process.exit(0);
    }
    db.close();
    process.stdout.write(`${consumed}\n`);
  });
}

async function race(driver, dir) {
  const file = join(dir, `race-${driver.replace(':', '-')}-${Date.now()}.db`);
  const db = open(driver, file);
  setup(db);
  db.close();
  const children = [1, 2, 3, 4].map(() => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), 'contend', driver, file], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    const ready = new Promise((resolve) => child.stdout.on('data', (c) => (out += c) && out.startsWith('ready\n') && resolve()));
    const done = new Promise((resolve) => child.once('exit', () => resolve(out.slice(6))));
    return { child, ready, done };
  });
  await Promise.all(children.map((c) => c.ready));
  const started = performance.now();
  for (const { child } of children) child.stdin.end('go\n');
  const outs = await Promise.all(children.map((c) => c.done));
  const ms = performance.now() - started;
  const busy = outs.filter((o) => o.startsWith('busy')).length;
  const won = outs.reduce((sum, o) => sum + (Number(o) || 0), 0);
  if (!busy && won !== 5000) throw new Error(`${driver}: the quota was not exact: ${outs}`);
  return { ms, busy };
}

const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];

if (process.argv[2] === 'contend') {
  contend(process.argv[3], process.argv[4]);
} else {
  const rounds = Number(process.argv[2] ?? 3);
  const drivers = (process.env.DRIVERS ?? 'node:sqlite').split(',');
  try {
    require.resolve('better-sqlite3');
    if (!process.env.DRIVERS) drivers.push('better-sqlite3');
  } catch {
    console.log('better-sqlite3 is not installed: measuring node:sqlite alone');
  }
  const dir = mkdtempSync(join(tmpdir(), 'omnigen-sqlite-bench-'));
  try {
    for (const driver of drivers) {
      const repoMs = [];
      const raceMs = [];
      let busy = 0;
      for (let r = 0; r < rounds; r++) {
        repoMs.push(repo(driver, mkdtempSync(join(dir, 'r-'))));
        const result = await race(driver, dir);
        raceMs.push(result.ms);
        busy += result.busy;
      }
      console.log(`${driver.padEnd(15)} repo ${median(repoMs).toFixed(0).padStart(5)} ms   race ${median(raceMs).toFixed(0).padStart(5)} ms   `
        + `racing processes that got SQLITE_BUSY: ${busy} of ${rounds * 4}   (median of ${rounds}, ${process.version})`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
