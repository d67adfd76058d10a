// A job made through the API runs the template's state machine and functions and completes; the video
// and its thumbnail come back, byte for byte, through the signed URLs the API hands out.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { projectRoot } from '../helpers/server-process.js';
import { startJourney } from '../helpers/stack-journey.js';

const journey = await startJourney(t);

t.test('a job completes, and its video and thumbnail bytes come back through the signed URLs', async (t) => {
  const created = await journey.createJob();
  t.equal(created.status, 'pending');
  const job = await journey.waitFor(created.jobId);
  t.equal(job.status, 'completed', `the job ended ${job.status} ${JSON.stringify(job.failure ?? {})}`);
  t.equal(job.progress, 100);
  const video = await journey.api(`/jobs/${created.jobId}/video`);
  t.equal(video.status, 200);
  const urls = video.body as { url: string; thumbnailUrl?: string };
  const [clip, thumbnail] = await Promise.all([fetch(urls.url), fetch(urls.thumbnailUrl ?? 'http://127.0.0.1:9/missing')]);
  t.equal(clip.status, 200);
  t.same(Buffer.from(await clip.arrayBuffer()), await readFile(join(projectRoot, 'assets/sample.mp4')), 'the video is the provider\'s clip');
  t.equal(thumbnail.status, 200);
  t.same(Buffer.from(await thumbnail.arrayBuffer()), await readFile(join(projectRoot, 'assets/sample.jpg')), 'the thumbnail is the provider\'s');
});
