export interface SignedUrl {
  url: string;
  expiresAt: string;
}

export interface VideoStorage {
  /** A URL that fetches the video without other credentials until `expiresAt`. */
  signedUrl(videoKey: string, ttlSeconds: number, now: Date): Promise<SignedUrl>;
}
