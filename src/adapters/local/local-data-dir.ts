// LOCAL_DATA_DIR: local mode's database, videos, dev signing key and secret. Files holding keys are
// the owner's only (0600, in a 0700 folder we create); each is written once, atomically, and read back
// on every later start, so tokens, signed URLs and cursors stay valid across restarts.
import { createPrivateKey, generateKeyPair, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { chmod, link, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const SECRET_FILE = 'app-secret';
export const SIGNING_KEY_FILE = 'dev-idp-key.pem';
const OWNER_ONLY = 0o600;

/** A start that cannot go on; the message is one line naming the folder and what to do. */
export class DataDirError extends Error {
  override readonly name = 'DataDirError';
}

/** Creates the folder (0700) if needed and proves this process can write files in it. */
export async function prepareDataDir(dir: string): Promise<void> {
  const problem = (what: string, err: unknown) =>
    new DataDirError(`LOCAL_DATA_DIR ${dir} ${what} (${codeOf(err)}); point LOCAL_DATA_DIR at a folder this user can write, or fix its permissions`);
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    if (!(await stat(dir)).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
  } catch (err) {
    throw problem('cannot be created or is not a folder', err);
  }
  // access(W_OK) says yes to root on a read-only mount: a real write is the only honest test.
  const probe = path.join(dir, `.write-test-${process.pid}-${randomUUID()}`);
  try {
    await writeFile(probe, '', { mode: OWNER_ONLY });
  } catch (err) {
    throw problem('is not writable', err);
  } finally {
    await rm(probe, { force: true });
  }
}

/** Creates `file` empty and owner-only if it does not exist (SQLite gives its -wal and -shm files the same mode). */
export async function createOwnerOnly(file: string): Promise<void> {
  await writeFile(file, '', { mode: OWNER_ONLY, flag: 'a' }).catch((err: unknown) => {
    throw new DataDirError(`${file} cannot be opened for writing (${codeOf(err)}); point LOCAL_DATA_DIR at a folder this user can write`);
  });
}

/** The secret behind signed URLs, cursors and the login cookie: made on the first start, then reused. */
export async function readOrCreateSecret(dir: string): Promise<string> {
  const file = path.join(dir, SECRET_FILE);
  const existing = await readOwnerOnly(file);
  const secret = existing ?? (await writeOnce(file, `${randomBytes(32).toString('base64url')}\n`));
  const trimmed = secret.trim();
  if (trimmed.length < 32) throw new DataDirError(`${file} holds no usable secret; delete it to have a new one made (signed URLs and cursors issued before then stop working)`);
  return trimmed;
}

/** The dev identity provider's key as stored by an earlier start, or undefined when there is none yet. Cheap. */
export async function loadSigningKey(dir: string): Promise<KeyObject | undefined> {
  const file = path.join(dir, SIGNING_KEY_FILE);
  const pem = await readOwnerOnly(file);
  if (pem === undefined) return undefined;
  try {
    return createPrivateKey(pem);
  } catch (err) {
    throw new DataDirError(`${file} is not a usable private key (${codeOf(err)}); delete it to have a new one made (tokens issued before then stop working)`);
  }
}

/** A new RSA key, generated off the event loop (it takes 50..500 ms), stored before anything is signed with it. */
export async function createSigningKey(dir: string): Promise<KeyObject> {
  const { privateKey } = await new Promise<{ privateKey: KeyObject }>((resolve, reject) => {
    generateKeyPair('rsa', { modulusLength: 2048 }, (err, _publicKey, privateKey) => (err ? reject(err) : resolve({ privateKey })));
  });
  // Two servers starting on one folder: the first key stored wins, and both sign with it.
  const stored = await writeOnce(path.join(dir, SIGNING_KEY_FILE), privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  return createPrivateKey(stored);
}

/** The file's text, or undefined when it does not exist; a file others could read is narrowed to its owner. */
async function readOwnerOnly(file: string): Promise<string | undefined> {
  try {
    const text = await readFile(file, 'utf8');
    if (((await stat(file)).mode & 0o077) !== 0) await chmod(file, OWNER_ONLY);
    return text;
  } catch (err) {
    if (codeOf(err) === 'ENOENT') return undefined;
    throw new DataDirError(`${file} cannot be read (${codeOf(err)}); fix its permissions or point LOCAL_DATA_DIR elsewhere`);
  }
}

/** Writes `content` to `file` unless it exists (then returns what is there): written aside, then linked in, so no reader sees half. */
async function writeOnce(file: string, content: string): Promise<string> {
  const temporary = `${file}.${randomUUID()}.tmp`;
  try {
    await writeFile(temporary, content, { mode: OWNER_ONLY, flag: 'wx' });
    await link(temporary, file);
    return content;
  } catch (err) {
    if (codeOf(err) === 'EEXIST') return readFile(file, 'utf8');
    throw new DataDirError(`${file} cannot be written (${codeOf(err)}); point LOCAL_DATA_DIR at a folder this user can write`);
  } finally {
    await rm(temporary, { force: true });
  }
}

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : err instanceof Error ? err.message.replace(/\s+/g, ' ') : String(err);
}
