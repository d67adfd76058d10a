import t from 'tap';
import { mutateJob } from '../../src/application/mutate-job.ts';
import { completeJob, startGeneration } from '../../src/domain/job.ts';
import { buildTestApp } from '../helpers/test-app.ts';

t.test('GET /jobs/{id}/video: thumbnailUrl when the job has a thumbnail; internal keys never shown', async (t) => {
  const { app, auth, jobs, clock } = await buildTestApp();
  t.teardown(() => app.close());
  const created = await app.inject({ method: 'POST', url: '/api/v1/jobs', headers: auth('alice'), payload: { prompt: 'A neon city at night, synthwave', category: 'music-video' } });
  const { jobId } = created.json() as { jobId: string };
  await mutateJob(jobs, jobId, (j) => startGeneration(j, 'pred123', clock.now()));
  await mutateJob(jobs, jobId, (j) => completeJob(j, `videos/${jobId}.mp4`, clock.now(), `videos/${jobId}.jpg`));

  const video = await app.inject({ method: 'GET', url: `/api/v1/jobs/${jobId}/video`, headers: auth('alice') });
  t.equal(video.statusCode, 200);
  t.match(video.json(), { url: `http://videos.test/videos/${jobId}.mp4?`, thumbnailUrl: `http://videos.test/videos/${jobId}.jpg?` });
  const job = (await app.inject({ method: 'GET', url: `/api/v1/jobs/${jobId}`, headers: auth('alice') })).json() as Record<string, unknown>;
  t.notOk('generationId' in job || 'thumbnailKey' in job || 'videoKey' in job, 'the workflow\'s bookkeeping stays inside');

  const doc = (await app.inject({ method: 'GET', url: '/api/v1/docs/json' })).json() as {
    paths: Record<string, { get: { responses: Record<string, { content: Record<string, { schema: { properties: Record<string, unknown>; required: string[] } }> }> } }>;
  };
  const schema = doc.paths['/api/v1/jobs/{id}/video']?.get.responses['200']?.content['application/json']?.schema;
  t.match(schema?.properties.thumbnailUrl, { type: 'string', format: 'uri' }, 'documented in the OpenAPI document');
  t.notOk(schema?.required.includes('thumbnailUrl'), 'optional');
});
