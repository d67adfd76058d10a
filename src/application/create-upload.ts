import { createHash } from 'node:crypto';
import { parseUploadRequest, UPLOAD_POLICY_TTL_SECONDS, UPLOAD_TTL_MS, type Upload } from '../domain/upload.ts';
import type { Clock } from './ports/clock.ts';
import type { IdGenerator } from './ports/id-generator.ts';
import type { UploadRepository } from './ports/upload-repository.ts';
import type { PresignedPost, UploadStorage } from './ports/upload-storage.ts';

const SAFE_SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

/** `uploads/<owner>/<uploadId>`: the owner is the token's sub, or a hash of it where it is not a safe key segment. */
export function uploadKey(userId: string, uploadId: string): string {
  const owner = SAFE_SEGMENT.test(userId) ? userId : `u-${createHash('sha256').update(userId).digest('hex').slice(0, 40)}`;
  return `uploads/${owner}/${uploadId}`;
}

export interface CreateUploadResult extends PresignedPost {
  uploadId: string;
  /** When the upload is deleted unless a job uses it first (24 h). The POST form itself is good for 1 h. */
  expiresAt: string;
}

/** POST /uploads: records the announced upload and hands out a POST form that only takes that file. */
export class CreateUpload {
  private readonly deps: { uploads: UploadRepository; storage: UploadStorage; clock: Clock; ids: IdGenerator };
  constructor(deps: { uploads: UploadRepository; storage: UploadStorage; clock: Clock; ids: IdGenerator }) {
    this.deps = deps;
  }

  async execute(input: { userId: string; contentType: unknown; sizeBytes: unknown }): Promise<CreateUploadResult> {
    const { contentType, sizeBytes } = parseUploadRequest(input);
    const { uploads, storage, clock, ids } = this.deps;
    const now = clock.now();
    const uploadId = ids.newId();
    const upload: Upload = {
      uploadId, userId: input.userId, key: uploadKey(input.userId, uploadId), contentType, sizeBytes,
      createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + UPLOAD_TTL_MS).toISOString(),
    };
    await uploads.create(upload);
    const policyExpiresAt = new Date(now.getTime() + UPLOAD_POLICY_TTL_SECONDS * 1000);
    const post = await storage.presignPost({ key: upload.key, contentType, sizeBytes, expiresAt: policyExpiresAt, now });
    return { uploadId, url: post.url, fields: post.fields, expiresAt: upload.expiresAt };
  }
}
