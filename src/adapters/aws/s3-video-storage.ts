import { GetObjectCommand, HeadBucketCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { SignedUrl, VideoStorage } from '../../application/ports/video-storage.js';
import { callAws } from './aws-errors.js';

/** Finished videos in S3, handed out as presigned GetObject URLs. */
export class S3VideoStorage implements VideoStorage {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async signedUrl(videoKey: string, ttlSeconds: number, now: Date): Promise<SignedUrl> {
    // Presigning alone never touches S3, so with S3 down the client got a link that could not work. One
    // HeadObject first: S3 unreachable, throttling or timing out becomes 503 with Retry-After here.
    await callAws('S3', () => this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: videoKey })));
    const command = new GetObjectCommand({ Bucket: this.bucket, Key: videoKey });
    // Signing at `now` (the service clock) makes `expiresAt` exactly what the URL itself allows.
    // Presigning is local, but resolving credentials (e.g. from the container role) can fail.
    const url = await callAws('S3', () => getSignedUrl(this.s3, command, { expiresIn: ttlSeconds, signingDate: now }));
    return { url, expiresAt: new Date(now.getTime() + ttlSeconds * 1000).toISOString() };
  }

  /** Readiness: the bucket exists and these credentials may use it. */
  async check(): Promise<void> {
    await callAws('S3', () => this.s3.send(new HeadBucketCommand({ Bucket: this.bucket })));
  }
}
