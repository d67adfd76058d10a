import t from 'tap';
import { mutateJob } from '../../src/application/mutate-job.ts';
import { JobNotFound, JobNotReady } from '../../src/domain/errors.ts';
import { advanceJob, cancelJob, completeJob } from '../../src/domain/job.ts';
import { GetVideoUrl } from '../../src/application/get-video-url.ts';
import { createFor, fakeStorage, setup } from './fixtures/use-cases.ts';

t.test('JOB_NOT_READY until the job is completed', async (t) => {
  const s = setup();
  const job = await createFor(s, 'alice');
  await t.rejects(s.getVideoUrl.execute({ userId: 'alice', jobId: job.jobId }), JobNotReady);
  await mutateJob(s.jobs, job.jobId, (j) => advanceJob(j, { progress: 80, stage: 'encoding' }, s.clock.now()));
  await t.rejects(s.getVideoUrl.execute({ userId: 'alice', jobId: job.jobId }), { code: 'JOB_NOT_READY', details: { status: 'processing' } });
});

t.test('a canceled job never gets a video', async (t) => {
  const s = setup();
  const job = await createFor(s, 'alice');
  await mutateJob(s.jobs, job.jobId, (j) => cancelJob(j, s.clock.now()));
  await t.rejects(s.getVideoUrl.execute({ userId: 'alice', jobId: job.jobId }), { code: 'JOB_NOT_READY', details: { status: 'canceled' } });
});

t.test('a URL for the finished video, valid for the configured lifetime', async (t) => {
  const s = setup();
  const job = await createFor(s, 'alice');
  await mutateJob(s.jobs, job.jobId, (j) => completeJob(j, `videos/${job.jobId}.mp4`, s.clock.now()));
  s.clock.advance(60_000);
  const signed = await s.getVideoUrl.execute({ userId: 'alice', jobId: job.jobId });
  t.match(signed.url, `videos/${job.jobId}.mp4`);
  t.equal(signed.expiresAt, new Date(s.clock.now().getTime() + 3600_000).toISOString());
});

t.test('with a thumbnail, its URL too, signed for as long', async (t) => {
  const s = setup();
  const job = await createFor(s, 'alice');
  await mutateJob(s.jobs, job.jobId, (j) => completeJob(j, `videos/${job.jobId}.mp4`, s.clock.now(), `videos/${job.jobId}.jpg`));
  const signed = await s.getVideoUrl.execute({ userId: 'alice', jobId: job.jobId });
  t.match(signed, { url: `http://videos.test/videos/${job.jobId}.mp4?exp=`, thumbnailUrl: `http://videos.test/videos/${job.jobId}.jpg?exp=${encodeURIComponent(signed.expiresAt)}` });
});

t.test('a thumbnail that cannot be signed leaves it out; the video URL still comes', async (t) => {
  const s = setup();
  const job = await createFor(s, 'alice');
  await mutateJob(s.jobs, job.jobId, (j) => completeJob(j, `videos/${job.jobId}.mp4`, s.clock.now(), `videos/${job.jobId}.jpg`));
  const storage = {
    signedUrl: async (key: string, ttl: number, now: Date) => {
      if (key.endsWith('.jpg')) throw new Error('NotFound');
      return fakeStorage.signedUrl(key, ttl, now);
    },
  };
  const signed = await new GetVideoUrl({ getJob: s.getJob, storage, clock: s.clock, ttlSeconds: 60 }).execute({ userId: 'alice', jobId: job.jobId });
  t.match(signed, { url: /videos\/.*\.mp4/ });
  t.notOk('thumbnailUrl' in signed);
});

t.test("another user's finished video is NOT_FOUND", async (t) => {
  const s = setup();
  const job = await createFor(s, 'alice');
  await mutateJob(s.jobs, job.jobId, (j) => completeJob(j, 'v.mp4', s.clock.now()));
  await t.rejects(s.getVideoUrl.execute({ userId: 'bob', jobId: job.jobId }), JobNotFound);
});
