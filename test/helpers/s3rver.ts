// An S3 stand-in per test file: s3rver on a free port, storing objects in a temporary folder.
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { S3Client } from '@aws-sdk/client-s3';

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
// s3rver ships no types; these are the options and methods the tests use.
const require = createRequire(import.meta.url);
const S3rver = require('s3rver') as new (options: {
  port: number;
  address: string;
  directory: string;
  silent: boolean;
  configureBuckets?: { name: string }[];
}) => S3rverInstance;

/** s3rver accepts exactly these credentials. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface S3Stand {
  endpoint: string;
  /** A path-style client for the stand-in; destroyed at teardown. */
  s3: S3Client;
}

export async function startS3rver(t: Test, buckets: string[] = []): Promise<S3Stand> {
  const directory = await mkdtemp(join(tmpdir(), 's3rver-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', directory, silent: true, configureBuckets: buckets.map((name) => ({ name })) });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint,
    credentials: S3RVER_CREDENTIALS,
    forcePathStyle: true,
    // s3rver predates the SDK's default CRC32 checksums on uploads.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  t.teardown(async () => {
    s3.destroy();
    await server.close();
    await rm(directory, { recursive: true, force: true });
  });
  return { endpoint, s3 };
}
