// Local mode's model honours the aspect ratio asked for: a sample clip per ratio, and ids that survive a restart.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import { SampleVideoModel } from '../../src/adapters/local/sample-video-model.ts';
import { bundledCatalogue } from '../../src/catalogue/catalogue-config.ts';
import { resolveOptions } from '../../src/domain/job-options.ts';

const asset = (name: string) => path.resolve('assets', name);
const model = () => new SampleVideoModel({
  videoPath: asset('sample.mp4'), thumbnailPath: asset('sample.jpg'),
  byAspectRatio: { '9:16': { videoPath: asset('sample-9x16.mp4'), thumbnailPath: asset('sample-9x16.jpg') }, '1:1': { videoPath: asset('sample-1x1.mp4') } },
});

t.test('each aspect ratio gets its own sample clip; a ratio without one, and an old id, get the 16:9 clip', async (t) => {
  const catalogue = bundledCatalogue();
  const request = (aspectRatio?: string, m = aspectRatio === '4:3' ? 'bytedance/seedance-1-lite' : undefined) =>
    ({ jobId: 'job-1', prompt: 'A neon city at night', ...resolveOptions(catalogue, 'music-video', { ...(aspectRatio ? { aspectRatio } : {}), ...(m ? { model: m } : {}) }) });
  const files = async (aspectRatio?: string) => {
    const { generationId } = await model().start(request(aspectRatio));
    return (await model().result(generationId)).video.body;
  };
  t.same(await files('9:16'), await readFile(asset('sample-9x16.mp4')));
  t.same(await files('1:1'), await readFile(asset('sample-1x1.mp4')));
  t.same(await files(), await readFile(asset('sample.mp4')), "the category's 16:9");
  t.same(await files('4:3'), await readFile(asset('sample.mp4')));
  t.same((await model().result('sample-job-1')).video.body, await readFile(asset('sample.mp4')), 'an id from before ratios');
  t.match((await model().start(request('9:16'))).generationId, /^sample:9x16:job-1$/);
});
