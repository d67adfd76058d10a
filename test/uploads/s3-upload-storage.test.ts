import { readFile } from 'node:fs/promises';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import t from 'tap';
import { createAwsClients } from '../../src/adapters/aws/aws-clients.ts';
import { S3UploadStorage } from '../../src/adapters/aws/s3-upload-storage.ts';
import { InMemoryUploadRepository } from '../../src/adapters/local/in-memory-upload-repository.ts';
import { CheckStartImage } from '../../src/application/check-start-image.ts';
import { CreateUpload } from '../../src/application/create-upload.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { S3RVER_CREDENTIALS, startS3rver } from '../helpers/s3rver.ts';

// s3rver does not enforce POST policies, so the policy the service signs is decoded and checked here;
// S3 itself refuses any file the policy does not allow.
t.test('S3UploadStorage', async (t) => {
  const stand = await startS3rver(t, ['assets']);
  const clients = createAwsClients({ region: 'us-east-1', forcePathStyle: true, endpoints: { s3: stand.endpoint }, credentials: S3RVER_CREDENTIALS, maxAttempts: 1 });
  t.teardown(() => clients.destroy());
  const storage = new S3UploadStorage(clients.s3, 'assets');
  const clock = new FakeClock(new Date().toISOString());
  const uploads = new InMemoryUploadRepository();
  const create = new CreateUpload({ uploads, storage, clock, ids: { newId: () => '11111111-2222-4333-8444-555555555555' } });

  t.test('the signed POST policy pins the key, the Content-Type and the exact size, for one hour', async (t) => {
    const form = await create.execute({ userId: 'alice', contentType: 'image/webp', sizeBytes: 12345 });
    t.equal(form.fields.key, 'uploads/alice/11111111-2222-4333-8444-555555555555');
    t.equal(form.fields['Content-Type'], 'image/webp');
    t.match(form.url, /\/assets\/?$/);
    t.ok(form.fields['X-Amz-Signature'], 'signed (SigV4)');
    const policy = JSON.parse(Buffer.from(form.fields.Policy as string, 'base64').toString('utf8')) as { expiration: string; conditions: unknown[] };
    t.same(policy.conditions.filter((c) => !(typeof c === 'object' && c !== null && !Array.isArray(c) && Object.keys(c)[0]?.startsWith('X-Amz-'))), [
      ['eq', '$Content-Type', 'image/webp'],
      ['content-length-range', 12345, 12345],
      { 'Content-Type': 'image/webp' },
      { bucket: 'assets' },
      { key: 'uploads/alice/11111111-2222-4333-8444-555555555555' },
    ]);
    const lifetime = Date.parse(policy.expiration) - clock.now().getTime();
    t.ok(Math.abs(lifetime - 3_600_000) < 5_000, `the form works for an hour (${lifetime} ms)`);
    t.equal(Date.parse(form.expiresAt) - clock.now().getTime(), 86_400_000, 'the upload lives 24 h');
  });

  t.test('a job start image: copied out of uploads/, checked on the copy, a bad one refused and its copy removed', async (t) => {
    const jpg = await readFile(new URL('../../assets/sample.jpg', import.meta.url));
    const check = new CheckStartImage({ uploads, storage, clock });
    let n = 0;
    const announce = async (contentType: string, sizeBytes: number, body?: Uint8Array) => {
      const make = new CreateUpload({ uploads, storage, clock, ids: { newId: () => `aaaaaaaa-0000-4000-8000-00000000000${++n}` } });
      const form = await make.execute({ userId: 'alice', contentType, sizeBytes });
      if (body) await stand.s3.send(new PutObjectCommand({ Bucket: 'assets', Key: form.fields.key, Body: body, ContentType: contentType }));
      return form.uploadId;
    };
    const good = await announce('image/jpeg', jpg.byteLength, jpg);
    t.same(await check.execute({ userId: 'alice', uploadId: good, jobId: 'job-1' }), { key: 'inputs/job-1/start-image', contentType: 'image/jpeg' });
    t.same(Buffer.from((await storage.read('inputs/job-1/start-image', jpg.byteLength)) ?? []), jpg);
    const signed = await storage.signedUrl('inputs/job-1/start-image', 600, new Date());
    t.same(Buffer.from(await (await fetch(signed.url)).arrayBuffer()), jpg, 'the provider fetches it by a signed GET URL');
    const bigger = Buffer.concat([jpg, Buffer.alloc(10)]);
    for (const [name, uploadId, constraint] of [
      ['bigger than declared', await announce('image/jpeg', jpg.byteLength, bigger), 'sizeBytes'],
      ['another type', await announce('image/png', jpg.byteLength, jpg), 'contentType'],
      ['never posted', await announce('image/png', 100), 'present'],
    ] as const) {
      const err = await check.execute({ userId: 'alice', uploadId, jobId: `job-${name}` }).then(() => undefined, (e: unknown) => e);
      t.match(err, { details: { field: 'startImage', constraint } }, name);
      t.equal(await storage.read(`inputs/job-${name}/start-image`, 10), undefined, `${name}: no copy left`);
    }
  });
});
