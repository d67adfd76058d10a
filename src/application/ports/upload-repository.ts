import type { Upload } from '../../domain/upload.ts';

/** The uploads callers announced (POST /uploads): who owns each, and what it was declared to be. */
export interface UploadRepository {
  create(upload: Upload): Promise<void>;
  get(uploadId: string): Promise<Upload | undefined>;
  /** Uploads whose expiresAt is at or before `now` (local mode's sweep deletes them and their files). */
  listExpired(now: Date, limit: number): Promise<Upload[]>;
  remove(uploadId: string): Promise<void>;
}
