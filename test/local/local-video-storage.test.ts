import t from 'tap';
import { flipBase64urlChar } from '../helpers/tamper.ts';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { LocalVideoStorage } from '../../src/adapters/local/local-video-storage.ts';

const SAMPLE = path.resolve('assets/sample.mp4');
const NOW = new Date('2026-11-27T10:00:00.400Z');
const KEY = 'videos/3f1c2b1e-0000-4000-8000-000000000001.mp4';

const storageIn = (dir: string) =>
  new LocalVideoStorage({ dir, publicUrl: 'http://localhost:8080/', secret: 'test-secret' });

/** The pieces of a signed URL, as the route will see them. */
function partsOf(url: string) {
  const parsed = new URL(url);
  return {
    path: parsed.pathname,
    key: parsed.pathname.replace('/api/v1/videos/', ''),
    expires: parsed.searchParams.get('expires') ?? '',
    signature: parsed.searchParams.get('signature') ?? '',
  };
}

t.test('signedUrl: a URL under the public address, valid until expiresAt', async (t) => {
  const storage = storageIn(t.testdir());
  const { url, expiresAt } = await storage.signedUrl(KEY, 3600, NOW);
  const parts = partsOf(url);
  t.match(url, /^http:\/\/localhost:8080\/api\/v1\/videos\//, 'no doubled slash from the trailing one');
  t.equal(parts.key, KEY);
  t.equal(parts.expires, String(Date.parse('2026-11-27T11:00:00.000Z') / 1000));
  t.equal(expiresAt, '2026-11-27T11:00:00.000Z');
  t.match(parts.signature, /^[A-Za-z0-9_-]{43}$/, 'base64url SHA-256');
  t.ok(storage.verify(parts.key, parts.expires, parts.signature, NOW));
  t.ok(storage.verify(parts.key, parts.expires, parts.signature, new Date(Date.parse(expiresAt) - 1)), 'valid until the last millisecond');
});

t.test('verify refuses tampered, expired and foreign links', async (t) => {
  const storage = storageIn(t.testdir());
  const { url, expiresAt } = await storage.signedUrl(KEY, 60, NOW);
  const { key, expires, signature } = partsOf(url);
  const other = partsOf((await storage.signedUrl('videos/other.mp4', 60, NOW)).url);
  const flipped = flipBase64urlChar(signature);

  t.notOk(storage.verify('videos/other.mp4', expires, signature, NOW), 'another key');
  t.notOk(storage.verify(key, String(Number(expires) + 3600), signature, NOW), 'a later expiry');
  t.notOk(storage.verify(key, `0${expires}`, signature, NOW), 'the same expiry spelled differently');
  t.notOk(storage.verify(key, expires, flipped, NOW), 'a changed signature');
  t.notOk(storage.verify(key, expires, other.signature, NOW), "another key's signature");
  t.notOk(storage.verify(key, expires, signature.slice(0, 42), NOW), 'a truncated signature');
  t.notOk(storage.verify(key, expires, '', NOW), 'no signature');
  t.notOk(storage.verify(key, 'soon', signature, NOW), 'expires not a number');
  t.notOk(storage.verify(key, expires, signature, new Date(expiresAt)), 'expired at expiresAt');
  const stranger = new LocalVideoStorage({ dir: t.testdir(), publicUrl: 'http://x', secret: 'another-secret' });
  t.notOk(stranger.verify(key, expires, signature, NOW), 'signed with another secret');
});

t.test('keys with .., absolute paths or odd characters are refused', async (t) => {
  const dir = t.testdir();
  const storage = storageIn(dir);
  for (const bad of ['../escape.mp4', 'videos/../../escape.mp4', '/etc/passwd', 'videos//x.mp4', 'videos/.hidden', 'videos\\x.mp4', 'videos/a b.mp4', 'videos/%2e%2e.mp4', '', 'videos/x.mp4\n1']) {
    await t.rejects(storage.save(bad, SAMPLE), { message: /Invalid video key/ }, `save ${JSON.stringify(bad)}`);
    await t.rejects(storage.signedUrl(bad, 60, NOW), { message: /Invalid video key/ }, `sign ${JSON.stringify(bad)}`);
    t.notOk(storage.verify(bad, '9999999999', 'x'.repeat(43), NOW));
    t.equal(await storage.stat(bad), undefined);
  }
  t.same(await readdir(dir), [], 'nothing was written');
});

t.test('save copies the file under its key, leaving no temporary file', async (t) => {
  const dir = t.testdir();
  const storage = storageIn(dir);
  t.equal(await storage.stat(KEY), undefined, 'absent before');
  await storage.save(KEY, SAMPLE);
  const sample = await readFile(SAMPLE);
  t.same(await readFile(path.join(dir, KEY)), sample);
  t.same(await readdir(path.join(dir, 'videos')), [path.basename(KEY)]);
  t.same(await storage.stat(KEY), { size: sample.length });

  await storage.remove(KEY);
  t.equal(await storage.stat(KEY), undefined, 'removed');
  await storage.remove(KEY);
  t.pass('removing a missing video is not an error');
});

t.test('a failed copy leaves nothing behind', async (t) => {
  const dir = t.testdir();
  const storage = storageIn(dir);
  await t.rejects(storage.save(KEY, path.join(dir, 'no-such-file.mp4')), { code: 'ENOENT' });
  t.same(await readdir(path.join(dir, 'videos')), []);
});

t.test('open streams the requested bytes', async (t) => {
  const storage = storageIn(t.testdir());
  await storage.save(KEY, SAMPLE);
  const chunks: Buffer[] = [];
  for await (const chunk of storage.open(KEY, { start: 10, end: 19 })) chunks.push(chunk as Buffer);
  t.same(Buffer.concat(chunks), (await readFile(SAMPLE)).subarray(10, 20));
});

t.test('signedUrl refuses a ttl that is not a positive integer', async (t) => {
  const storage = storageIn(t.testdir());
  await t.rejects(storage.signedUrl(KEY, 0, NOW));
  await t.rejects(storage.signedUrl(KEY, 1.5, NOW));
});

t.test('check: fine for a writable folder (made if missing), fails when the folder is a file', async (t) => {
  const dir = t.testdir({ 'a-file': 'x' });
  await storageIn(path.join(dir, 'new', 'folder')).check();
  t.ok((await stat(path.join(dir, 'new', 'folder'))).isDirectory(), 'missing folder created');
  await t.rejects(storageIn(path.join(dir, 'a-file')).check());
});
