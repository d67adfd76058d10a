import { CopyObjectCommand, DeleteObjectCommand, GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { PresignedPost, UploadStorage } from '../../application/ports/upload-storage.ts';
import type { SignedUrl } from '../../application/ports/video-storage.ts';
import { callAws } from './aws-errors.ts';

/**
 * Start images in S3: the caller posts the file straight to the bucket with a presigned POST whose policy
 * pins the key, the Content-Type and an exact content-length-range, so S3 itself refuses any other file
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html). The policy is
 * signed by the API's role, which must hold s3:PutObject on uploads/*.
 */
export class S3UploadStorage implements UploadStorage {
  private readonly s3: S3Client;
  private readonly bucket: string;
  constructor(
    s3: S3Client,
    bucket: string,
  ) {
    this.s3 = s3;
    this.bucket = bucket;
  }

  async presignPost(input: { key: string; contentType: string; sizeBytes: number; expiresAt: Date; now: Date }): Promise<PresignedPost> {
    const expires = Math.max(1, Math.round((input.expiresAt.getTime() - input.now.getTime()) / 1000));
    // createPresignedPost adds {bucket} and {key} to the conditions itself; Fields become form fields.
    return callAws('S3', () => createPresignedPost(this.s3, {
      Bucket: this.bucket,
      Key: input.key,
      Conditions: [['eq', '$Content-Type', input.contentType], ['content-length-range', input.sizeBytes, input.sizeBytes]],
      Fields: { 'Content-Type': input.contentType },
      Expires: expires,
    }));
  }

  async read(key: string, maxBytes: number): Promise<Uint8Array | undefined> {
    try {
      // One byte past the limit is enough to tell a file is too big, and no more is ever held.
      const object = await callAws('S3', () => this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: `bytes=0-${maxBytes}` })));
      return await object.Body?.transformToByteArray();
    } catch (err) {
      if ((err as { name?: string }).name === 'NoSuchKey') return undefined;
      throw err;
    }
  }

  async copy(from: string, to: string, contentType: string): Promise<void> {
    await callAws('S3', () => this.s3.send(new CopyObjectCommand({
      Bucket: this.bucket, Key: to, CopySource: `${this.bucket}/${from}`, ContentType: contentType, MetadataDirective: 'REPLACE',
    }))).catch((err: unknown) => {
      if ((err as { name?: string }).name === 'NoSuchKey') throw Object.assign(new Error(`no upload at ${from}`), { code: 'NoSuchKey' });
      throw err;
    });
  }

  async remove(key: string): Promise<void> {
    await callAws('S3', () => this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })));
  }

  async signedUrl(key: string, ttlSeconds: number, now: Date): Promise<SignedUrl> {
    const command = new GetObjectCommand({ Bucket: this.bucket, Key: key });
    const url = await callAws('S3', () => getSignedUrl(this.s3, command, { expiresIn: ttlSeconds, signingDate: now }));
    return { url, expiresAt: new Date(now.getTime() + ttlSeconds * 1000).toISOString() };
  }
}
