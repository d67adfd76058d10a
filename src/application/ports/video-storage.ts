export interface SignedUrl {
  url: string;
  expiresAt: string;
}

export interface VideoStorage {
  /** A URL that fetches the video (or its thumbnail) without other credentials until `expiresAt`. */
  signedUrl(videoKey: string, ttlSeconds: number, now: Date): Promise<SignedUrl>;
}

/** The workflow's side of storage: it writes what the model made. */
export interface VideoStore {
  /** Writes `body` at `key`, whole or not at all; an existing object is replaced. */
  put(key: string, body: Uint8Array, contentType: string): Promise<void>;
  /** Deletes an object; a missing one is not an error. */
  remove(key: string): Promise<void>;
}
