import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import { access, constants, copyFile, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SignedUrl, VideoStorage, VideoStore } from '../../application/ports/video-storage.ts';

// Segments of letters, digits, '.', '_' and '-' that do not start with a dot: no '..', no hidden
// files, nothing a URL or a file system would read differently (spaces, '%', '\', ':').
const KEY = /^[A-Za-z0-9_-][A-Za-z0-9._-]*(?:\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/;
const MAX_KEY_LENGTH = 256;
const EXPIRES = /^[0-9]{1,12}$/;

export function isValidVideoKey(key: string): boolean {
  return key.length <= MAX_KEY_LENGTH && KEY.test(key) && !key.includes('..');
}

function assertVideoKey(key: string): void {
  if (!isValidVideoKey(key)) throw new Error(`Invalid video key: ${JSON.stringify(key)}`);
}

export interface LocalVideoStorageOptions {
  /** The folder that holds the files; keys are paths below it. */
  dir: string;
  /** Where this service is reachable (e.g. http://localhost:8080); signed URLs start with it. */
  publicUrl: string;
  secret: string | Buffer;
}

/**
 * Video files in a local folder, handed out as URLs signed with an HMAC (the local stand-in for S3
 * presigned URLs): the signature is the credential, so the video route needs no bearer token and a
 * <video> element can fetch it directly.
 */
export class LocalVideoStorage implements VideoStorage, VideoStore {
  private readonly dir: string;
  private readonly publicUrl: string;
  private readonly secret: string | Buffer;

  constructor(options: LocalVideoStorageOptions) {
    this.dir = path.resolve(options.dir);
    this.publicUrl = options.publicUrl.replace(/\/+$/, '');
    this.secret = options.secret;
  }

  /** Copies `fromPath` in as `videoKey`. Written under a temporary name and renamed, so readers never see half a file. */
  async save(videoKey: string, fromPath: string): Promise<void> {
    await this.write(videoKey, (temporary) => copyFile(fromPath, temporary));
  }

  /** Writes `body` as `key` (the content type is told by the extension when served). */
  async put(key: string, body: Uint8Array): Promise<void> {
    await this.write(key, (temporary) => writeFile(temporary, body));
  }

  private async write(videoKey: string, fill: (temporary: string) => Promise<void>): Promise<void> {
    const target = this.pathOf(videoKey);
    await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
    const temporary = `${target}.${randomUUID()}.tmp`;
    try {
      await fill(temporary);
      await rename(temporary, target);
    } catch (err) {
      await rm(temporary, { force: true });
      throw err;
    }
  }

  /** Deletes a stored video; a missing one is not an error. */
  async remove(videoKey: string): Promise<void> {
    await rm(this.pathOf(videoKey), { force: true });
  }

  async signedUrl(videoKey: string, ttlSeconds: number, now: Date): Promise<SignedUrl> {
    assertVideoKey(videoKey);
    if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) throw new Error(`ttlSeconds must be a positive integer, got ${ttlSeconds}`);
    const expires = String(Math.floor(now.getTime() / 1000) + ttlSeconds);
    const query = `expires=${expires}&signature=${this.sign(videoKey, expires)}`;
    return {
      url: `${this.publicUrl}/api/v1/videos/${videoKey}?${query}`,
      expiresAt: new Date(Number(expires) * 1000).toISOString(),
    };
  }

  /** True when `signature` was made by this storage for `videoKey` and `expires`, and `expires` is still ahead of `now`. */
  verify(videoKey: string, expires: string, signature: string, now: Date): boolean {
    if (!isValidVideoKey(videoKey) || !EXPIRES.test(expires)) return false;
    if (Number(expires) * 1000 <= now.getTime()) return false;
    const expected = Buffer.from(this.sign(videoKey, expires));
    const given = Buffer.from(signature);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** The stored file's size, or undefined when there is no such video. */
  async stat(videoKey: string): Promise<{ size: number } | undefined> {
    if (!isValidVideoKey(videoKey)) return undefined;
    try {
      const info = await stat(this.pathOf(videoKey));
      return info.isFile() ? { size: info.size } : undefined;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  /** Streams bytes `start..end` (inclusive, as in HTTP ranges) of a stored video. */
  open(videoKey: string, range: { start: number; end: number }): ReadStream {
    return createReadStream(this.pathOf(videoKey), range);
  }

  /** Readiness: the folder exists (or can be made) and this process may write to it. */
  async check(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await access(this.dir, constants.W_OK);
  }

  private sign(videoKey: string, expires: string): string {
    // A newline cannot occur in a key, so "key\nexpires" is unambiguous.
    return createHmac('sha256', this.secret).update(`${videoKey}\n${expires}`).digest('base64url');
  }

  private pathOf(videoKey: string): string {
    assertVideoKey(videoKey);
    return path.join(this.dir, ...videoKey.split('/'));
  }
}
