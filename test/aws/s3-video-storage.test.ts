import t from 'tap';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createAwsClients } from '../../src/adapters/aws/aws-clients.ts';
import { S3VideoStorage } from '../../src/adapters/aws/s3-video-storage.ts';
import { S3RVER_CREDENTIALS, startS3rver } from '../helpers/s3rver.ts';

/** `size` bytes that are the same on every run and not all alike. */
const bytes = (size: number) => Buffer.from(Array.from({ length: size }, (_, i) => (i * 7 + (i >> 8)) % 256));

t.test('S3VideoStorage', async (t) => {
  const stand = await startS3rver(t, ['assets']);
  // The service's own client, as the composition root builds it, pointed at the stand-in.
  const clients = createAwsClients({ region: 'us-east-1', forcePathStyle: true, endpoints: { s3: stand.endpoint }, credentials: S3RVER_CREDENTIALS, maxAttempts: 1 });
  t.teardown(() => clients.destroy());
  const storage = new S3VideoStorage(clients.s3, 'assets');
  const video = bytes(64 * 1024);
  await stand.s3.send(new PutObjectCommand({ Bucket: 'assets', Key: 'videos/job-1.mp4', Body: video, ContentType: 'video/mp4' }));

  t.test('a signed URL fetches the video without credentials until it expires', async (t) => {
    const now = new Date();
    const signed = await storage.signedUrl('videos/job-1.mp4', 600, now);
    t.equal(signed.expiresAt, new Date(now.getTime() + 600_000).toISOString());
    const url = new URL(signed.url);
    t.equal(url.searchParams.get('X-Amz-Expires'), '600');
    t.match(url.pathname, /^\/assets\/videos\/job-1\.mp4$/, 'path-style, as the stand-in needs');
    const response = await fetch(signed.url);
    t.equal(response.status, 200);
    t.same(Buffer.from(await response.arrayBuffer()), video, 'the same bytes');
  });

  t.test('put writes an object with its content type, remove deletes it (and a missing one is fine)', async (t) => {
    const body = bytes(1024).reverse();
    await storage.put('videos/job-2.jpg', body, 'image/jpeg');
    const response = await fetch((await storage.signedUrl('videos/job-2.jpg', 60, new Date())).url);
    t.equal(response.headers.get('content-type'), 'image/jpeg');
    t.same(Buffer.from(await response.arrayBuffer()), body);
    await storage.remove('videos/job-2.jpg');
    await storage.remove('videos/job-2.jpg');
    await t.rejects(storage.signedUrl('videos/job-2.jpg', 60, new Date()));
  });

  // s3rver checks expiry but not V4 signatures themselves, so a tampered URL cannot be tested here.
  t.test('a URL signed longer ago than its lifetime is refused', async (t) => {
    const signed = await storage.signedUrl('videos/job-1.mp4', 60, new Date(Date.now() - 120_000));
    const response = await fetch(signed.url);
    t.equal(response.status, 403);
    await response.arrayBuffer();
  });

  t.test('check passes for the bucket and fails for a missing one', async (t) => {
    await storage.check();
    await t.rejects(new S3VideoStorage(clients.s3, 'missing').check());
  });
});
