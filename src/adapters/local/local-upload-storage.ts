import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdir, open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { PresignedPost, UploadStorage } from '../../application/ports/upload-storage.ts';
import type { SignedUrl } from '../../application/ports/video-storage.ts';
import { isValidVideoKey, type LocalVideoStorage } from './local-video-storage.ts';

/** The policy document, in S3's own shape (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html). */
export interface PostPolicy {
  expiration: string;
  conditions: Array<Record<string, string> | [string, string, string] | ['content-length-range', number, number]>;
}

/** What a form must carry to be stored, once its policy checked out. */
export interface AcceptedPost {
  key: string;
  contentType: string;
  minBytes: number;
  maxBytes: number;
}

/**
 * Local mode's stand-in for S3 presigned POSTs: the same form fields (key, Content-Type, Policy) signed
 * with the local secret (X-Omnigen-Signature), posted to /api/v1/local-uploads, which enforces the policy
 * as S3 would (local-upload.routes.ts). Files live beside the videos, under the same data folder.
 */
export class LocalUploadStorage implements UploadStorage {
  private readonly files: LocalVideoStorage;
  private readonly options: { dir: string; publicUrl: string; secret: string | Buffer };
  constructor(
    files: LocalVideoStorage,
    options: { dir: string; publicUrl: string; secret: string | Buffer },
  ) {
    this.files = files;
    this.options = options;
  }

  async presignPost(input: { key: string; contentType: string; sizeBytes: number; expiresAt: Date }): Promise<PresignedPost> {
    const policy: PostPolicy = {
      expiration: input.expiresAt.toISOString(),
      conditions: [{ key: input.key }, ['eq', '$Content-Type', input.contentType], ['content-length-range', input.sizeBytes, input.sizeBytes]],
    };
    const encoded = Buffer.from(JSON.stringify(policy)).toString('base64');
    return {
      url: `${this.options.publicUrl.replace(/\/+$/, '')}/api/v1/local-uploads`,
      fields: { key: input.key, 'Content-Type': input.contentType, Policy: encoded, 'X-Omnigen-Signature': this.sign(encoded) },
    };
  }

  /** The form's policy, when this storage signed it and it has not expired; what the file must then be. */
  accept(fields: { policy: string; signature: string; key: string; contentType: string }, now: Date): AcceptedPost | string {
    const expected = Buffer.from(this.sign(fields.policy));
    const given = Buffer.from(fields.signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'the policy signature does not match';
    const policy = JSON.parse(Buffer.from(fields.policy, 'base64').toString('utf8')) as PostPolicy;
    if (!(Date.parse(policy.expiration) > now.getTime())) return 'the policy has expired';
    let accepted: Partial<AcceptedPost> = {};
    for (const condition of policy.conditions) {
      if (!Array.isArray(condition)) accepted = { ...accepted, key: condition.key };
      else if (condition[0] === 'eq' && condition[1] === '$Content-Type') accepted = { ...accepted, contentType: String(condition[2]) };
      else if (condition[0] === 'content-length-range') accepted = { ...accepted, minBytes: Number(condition[1]), maxBytes: Number(condition[2]) };
    }
    if (fields.key !== accepted.key || !isValidVideoKey(fields.key)) return 'key is not the one the policy allows';
    if (fields.contentType !== accepted.contentType) return 'Content-Type is not the one the policy allows';
    return accepted as AcceptedPost;
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    await this.files.put(key, body);
  }

  async read(key: string, maxBytes: number): Promise<Uint8Array | undefined> {
    if (!(await this.files.stat(key))) return undefined;
    const handle = await open(this.pathOf(key), 'r');
    try {
      const buffer = Buffer.alloc(maxBytes + 1);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }

  async copy(from: string, to: string): Promise<void> {
    if (!(await this.files.stat(from))) throw Object.assign(new Error(`no upload at ${from}`), { code: 'NoSuchKey' });
    await this.files.save(to, this.pathOf(from));
  }

  async remove(key: string): Promise<void> {
    await this.files.remove(key);
  }

  signedUrl(key: string, ttlSeconds: number, now: Date): Promise<SignedUrl> {
    return this.files.signedUrl(key, ttlSeconds, now);
  }

  /** Deletes the files under uploads/ last written before `before`; returns their keys. */
  async sweep(before: Date): Promise<string[]> {
    const stale = await this.staleFiles(before);
    await Promise.all(stale.map((key) => this.files.remove(key)));
    return stale;
  }

  /** Files under uploads/ older than `before` (by modification time). */
  async staleFiles(before: Date): Promise<string[]> {
    const root = path.join(this.options.dir, 'uploads');
    const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
    const stale: string[] = [];
    for (const entry of entries) {
      if (!entry.isFile()) continue;
      const file = path.join(entry.parentPath, entry.name);
      if ((await stat(file)).mtime < before) stale.push(path.relative(this.options.dir, file).split(path.sep).join('/'));
    }
    return stale;
  }

  async ensureDir(): Promise<void> {
    await mkdir(path.join(this.options.dir, 'uploads'), { recursive: true, mode: 0o700 });
  }

  private pathOf(key: string): string {
    if (!isValidVideoKey(key)) throw new Error(`Invalid key: ${JSON.stringify(key)}`);
    return path.join(this.options.dir, ...key.split('/'));
  }

  private sign(policy: string): string {
    // "upload-policy\n" keeps these signatures apart from the video URLs' signed with the same secret.
    return createHmac('sha256', this.options.secret).update(`upload-policy\n${policy}`).digest('base64url');
  }
}

