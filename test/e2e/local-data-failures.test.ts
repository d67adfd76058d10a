// What an operator sees when local mode's data cannot be used: the start stops before it listens, exit
// status 1, one line that names the file or folder and what to do. Never a stack trace, and never a
// quiet start on an empty in-memory store instead.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import t, { type Test } from 'tap';
import { MIGRATIONS } from '../../src/adapters/sqlite/sqlite-migrations.ts';
import { spawnServer } from '../helpers/server-process.ts';

async function refusedStart(t: Test, env: Record<string, string>, nodeArgs: string[] = []): Promise<string> {
  const proc = spawnServer({ APP_MODE: 'local', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env }, nodeArgs);
  t.teardown(() => void proc.child.kill('SIGKILL'));
  t.equal(await proc.exited, 1, 'exit status 1');
  const lines = proc.err().trim().split('\n');
  t.equal(lines.length, 1, 'one line on stderr');
  t.notMatch(proc.err(), /\n\s+at /, 'no stack trace');
  t.notMatch(proc.out(), /listening/, 'it never listened');
  return lines[0] ?? '';
}

const hashOf = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

t.test('a corrupt database file', async (t) => {
  const dir = t.testdir();
  const file = join(dir, 'omnigen.db');
  writeFileSync(file, Buffer.alloc(8192, 0x5a));
  const before = hashOf(file);
  const line = await refusedStart(t, { LOCAL_DATA_DIR: dir });
  t.match(line, /^startup failed: .*omnigen\.db is not a usable SQLite database \(SQLITE_NOTADB: file is not a database\); move it away to start afresh/);
  t.equal(hashOf(file), before, 'the file is left as it was');
});

t.test('a data folder that is not writable', async (t) => {
  // A regular file where the folder should be: unwritable for root too (permission bits are not).
  const file = join(t.testdir(), 'occupied');
  writeFileSync(file, 'x');
  const line = await refusedStart(t, { LOCAL_DATA_DIR: join(file, 'data') });
  t.match(line, /^startup failed: LOCAL_DATA_DIR .*occupied\/data cannot be created or is not a folder \(ENOTDIR\); point LOCAL_DATA_DIR at a folder this user can write/);
});

t.test('a database written by a newer version of the service', async (t) => {
  const dir = t.testdir();
  const file = join(dir, 'omnigen.db');
  const future = new Database(file);
  future.pragma(`user_version = ${MIGRATIONS.length + 5}`);
  future.close();
  const before = hashOf(file);
  const line = await refusedStart(t, { LOCAL_DATA_DIR: dir });
  t.match(line, new RegExp(`^startup failed: .*omnigen\\.db has schema version ${MIGRATIONS.length + 5}, newer than this service knows \\(${MIGRATIONS.length}\\)`));
  t.equal(hashOf(file), before, 'not touched');
});

// As if better-sqlite3 were not installed (a copy of the service set up by hand without it).
const withoutDriver = ['--import', fileURLToPath(new URL('./fixtures/without-better-sqlite3.mjs', import.meta.url))];

t.test('without the native driver, LOCAL_STORE=sqlite says how to run without it', async (t) => {
  const line = await refusedStart(t, { LOCAL_DATA_DIR: t.testdir() }, withoutDriver);
  t.match(line, /^startup failed: LOCAL_STORE=sqlite needs the better-sqlite3 package, which could not be loaded \(ERR_MODULE_NOT_FOUND: .*\); install it \(npm ci\) or set LOCAL_STORE=memory, which works without it$/);
});

t.test('LOCAL_STORE=memory needs none of it (not even the driver), and keeps nothing', async (t) => {
  const dir = t.testdir();
  const file = join(dir, 'omnigen.db');
  writeFileSync(file, 'not a database');
  const proc = spawnServer({ APP_MODE: 'local', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', LOCAL_STORE: 'memory', LOCAL_DATA_DIR: dir }, withoutDriver);
  t.teardown(() => void proc.child.kill('SIGKILL'));
  for (let i = 0; i < 1200 && !/listening on port/.test(proc.out()) && proc.child.exitCode === null; i++) await new Promise((resolve) => setTimeout(resolve, 25));
  t.match(proc.out(), /listening on port \d+/, 'it starts');
  t.notMatch(proc.out(), /local data kept in/, 'without opening the store');
  proc.child.kill('SIGTERM');
  t.equal(await proc.exited, 0);
  t.equal(readFileSync(file, 'utf8'), 'not a database');
});
