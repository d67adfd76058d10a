import type { UploadRepository } from '../../application/ports/upload-repository.ts';
import type { Upload } from '../../domain/upload.ts';

/**
 * Local mode's uploads, in memory for both local stores: an upload lives a day at most, and one
 * forgotten by a restart only means its id must be asked for again (its file is swept at start).
 */
export class InMemoryUploadRepository implements UploadRepository {
  private readonly uploads = new Map<string, Upload>();

  async create(upload: Upload): Promise<void> {
    if (this.uploads.has(upload.uploadId)) throw new Error(`upload ${upload.uploadId} exists`);
    this.uploads.set(upload.uploadId, upload);
  }

  async get(uploadId: string): Promise<Upload | undefined> {
    return this.uploads.get(uploadId);
  }

  async listExpired(now: Date, limit: number): Promise<Upload[]> {
    const at = now.getTime();
    return [...this.uploads.values()].filter((u) => Date.parse(u.expiresAt) <= at).slice(0, limit);
  }

  async remove(uploadId: string): Promise<void> {
    this.uploads.delete(uploadId);
  }
}
