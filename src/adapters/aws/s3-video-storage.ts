import { DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { SignedUrl, VideoStorage, VideoStore } from '../../application/ports/video-storage.ts';
import { callAws } from './aws-errors.ts';

/** Finished videos in S3, written by the workflow and handed out as presigned GetObject URLs. */
export class S3VideoStorage implements VideoStorage, VideoStore {
  private readonly s3: S3Client;
  private readonly bucket: string;
  constructor(
    s3: S3Client,
    bucket: string,
  ) {
    this.s3 = s3;
    this.bucket = bucket;
  }

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

  /**
   * One PutObject: S3 stores an object whole or not at all. The body is in memory (a generated clip is a
   * few MB; PutObject takes up to 5 GB), so no multipart upload is needed.
   */
  async put(key: string, body: Uint8Array, contentType: string): Promise<void> {
    await callAws('S3', () => this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType })));
  }

  async remove(key: string): Promise<void> {
    await callAws('S3', () => this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })));
  }

  /** Readiness: the bucket exists and these credentials may use it. */
  async check(): Promise<void> {
    await callAws('S3', () => this.s3.send(new HeadBucketCommand({ Bucket: this.bucket })));
  }
}
