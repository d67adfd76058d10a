import type { KeyObject } from 'node:crypto';
import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import {
  createOwnerOnly, createSigningKey, DataDirError, loadSigningKey, prepareDataDir, readOrCreateSecret, SECRET_FILE, SIGNING_KEY_FILE,
} from '../../src/adapters/local/local-data-dir.ts';

const modeOf = (path: string) => statSync(path).mode & 0o777;
const isRoot = process.getuid?.() === 0;

t.test('the data folder is created owner-only, nested folders included', async (t) => {
  const dir = join(t.testdir(), 'a', 'b');
  await prepareDataDir(dir);
  t.equal(modeOf(dir), 0o700);
  await prepareDataDir(dir);
  t.pass('an existing folder is fine');
});

t.test('a data folder that cannot be made or written stops the start with one line naming it', async (t) => {
  const file = join(t.testdir(), 'not-a-folder');
  writeFileSync(file, 'x');
  for (const dir of [file, join(file, 'below')]) {
    const err = await prepareDataDir(dir).catch((e: unknown) => e as Error);
    t.type(err, DataDirError);
    t.match((err as Error).message, new RegExp(`^LOCAL_DATA_DIR ${dir} cannot be created or is not a folder \\((ENOTDIR|EEXIST)\\); point LOCAL_DATA_DIR at a folder`));
  }
  // Permission bits do not bind root; sysfs refuses new files even to root.
  const dir = isRoot ? '/sys' : join(t.testdir(), 'read-only');
  if (!isRoot) {
    mkdirSync(dir, { mode: 0o500 });
    t.teardown(() => chmodSync(dir, 0o700));
  }
  await t.rejects(prepareDataDir(dir), { name: 'DataDirError', message: /is not writable \((EACCES|EROFS|EPERM)\)/ }, `a folder this user cannot write (${dir})`);
});

t.test('the secret is made once, owner-only, and read back on every later start', async (t) => {
  const dir = t.testdir();
  const [a, b] = await Promise.all([readOrCreateSecret(dir), readOrCreateSecret(dir)]);
  t.equal(a, b, 'two starts at once agree on one secret');
  t.match(a, /^[A-Za-z0-9_-]{43}$/, '32 random bytes');
  t.equal(modeOf(join(dir, SECRET_FILE)), 0o600);
  t.equal(await readOrCreateSecret(dir), a, 'the same after a restart');
  chmodSync(join(dir, SECRET_FILE), 0o644);
  await readOrCreateSecret(dir);
  t.equal(modeOf(join(dir, SECRET_FILE)), 0o600, 'a copy others could read is narrowed to its owner');
  writeFileSync(join(dir, SECRET_FILE), 'short\n');
  await t.rejects(readOrCreateSecret(dir), { name: 'DataDirError', message: /app-secret holds no usable secret; delete it/ });
});

t.test('the signing key is made once, owner-only, and loaded as the same key afterwards', async (t) => {
  const dir = t.testdir();
  t.equal(await loadSigningKey(dir), undefined, 'none before the first start');
  const [a, b] = await Promise.all([createSigningKey(dir), createSigningKey(dir)]);
  const pem = (key: KeyObject) => key.export({ type: 'pkcs8', format: 'pem' }).toString();
  t.equal(pem(a), pem(b), 'two servers making one at once end up with the same key');
  t.equal(modeOf(join(dir, SIGNING_KEY_FILE)), 0o600);
  const loaded = await loadSigningKey(dir);
  t.equal(loaded && pem(loaded), pem(a));
  writeFileSync(join(dir, SIGNING_KEY_FILE), '-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n');
  await t.rejects(loadSigningKey(dir), { name: 'DataDirError', message: /dev-idp-key\.pem is not a usable private key \(.+\); delete it/ });
});

t.test('files that cannot be read or written are reported in one line, not as a stack', async (t) => {
  const dir = t.testdir();
  mkdirSync(join(dir, SIGNING_KEY_FILE));
  await t.rejects(loadSigningKey(dir), { name: 'DataDirError', message: /dev-idp-key\.pem cannot be read \(EISDIR\)/ });
  await t.rejects(createOwnerOnly(join(dir, SIGNING_KEY_FILE)), { name: 'DataDirError', message: /cannot be opened for writing \(EISDIR\)/ });
  await t.rejects(readOrCreateSecret(join(dir, 'missing')), { name: 'DataDirError', message: /app-secret cannot be written \(ENOENT\)/ });
  await createOwnerOnly(join(dir, 'omnigen.db'));
  t.equal(modeOf(join(dir, 'omnigen.db')), 0o600);
});
