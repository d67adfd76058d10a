import type { SignedUrl } from './video-storage.ts';

/** A browser-ready form upload: POST multipart/form-data to `url` with `fields`, then the file as `file`. */
export interface PresignedPost {
  url: string;
  fields: Record<string, string>;
}

/** Where callers' start images go, straight from the caller (never through the API's own body limit). */
export interface UploadStorage {
  /**
   * A POST whose signed policy pins the key, the content type and the exact size, and expires at
   * `expiresAt`: the storage itself refuses any other file.
   */
  presignPost(input: { key: string; contentType: string; sizeBytes: number; expiresAt: Date; now: Date }): Promise<PresignedPost>;
  /** The object's bytes, at most `maxBytes` + 1 of them (enough to tell it is too big); undefined when absent. */
  read(key: string, maxBytes: number): Promise<Uint8Array | undefined>;
  /** Copies an object to a key no lifecycle rule expires (a job's input). */
  copy(from: string, to: string, contentType: string): Promise<void>;
  remove(key: string): Promise<void>;
  signedUrl(key: string, ttlSeconds: number, now: Date): Promise<SignedUrl>;
}

/** The workflow's side of start images: a URL the provider fetches a job's copy from, with no other credential. */
export type StartImageUrls = Pick<UploadStorage, 'signedUrl'>;
