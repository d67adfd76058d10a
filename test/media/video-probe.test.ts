import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { FfmpegFrameGrabber } from '../../src/adapters/ffmpeg/ffmpeg-frame-grabber.ts';
import { ffmpegPath } from '../../src/adapters/ffmpeg/ffmpeg-path.ts';
import { Mp4BoxVideoProbe } from '../../src/adapters/mp4/mp4box-video-probe.ts';
import { NotPlayableVideo } from '../../src/domain/errors.ts';
import { imageInfo } from '../../src/domain/image-info.ts';

const sample = await readFile(new URL('../../assets/sample.mp4', import.meta.url));
const jpeg = await readFile(new URL('../../assets/sample.jpg', import.meta.url));
const probe = new Mp4BoxVideoProbe();

t.test('mp4box probe: the sample clip facts come from the file', async (t) => {
  t.same(await probe.probe(sample), { durationSeconds: 4, width: 320, height: 180, sizeBytes: sample.byteLength, contentType: 'video/mp4' });
  // A view into a bigger buffer (as a Buffer from a pool is) reads the same.
  const padded = new Uint8Array(sample.byteLength + 16);
  padded.set(sample, 16);
  t.same((await probe.probe(padded.subarray(16))).sizeBytes, sample.byteLength);
});

t.test('mp4box probe: a file that is not a playable MP4 is NotPlayableVideo (PROVIDER_FAILED)', async (t) => {
  const cases: [string, Uint8Array][] = [
    ['a JPEG', jpeg],
    ['text', Buffer.from('<html>Service unavailable</html>')],
    ['empty', new Uint8Array(0)],
    ['only its first 100 bytes', sample.subarray(0, 100)],
    ['truncated half-way', sample.subarray(0, Math.floor(sample.byteLength / 2))],
  ];
  for (const [name, bytes] of cases) {
    const err = await probe.probe(bytes).then(() => undefined, (e: unknown) => e);
    t.ok(err instanceof NotPlayableVideo, name);
    t.match(err, { name: 'PROVIDER_FAILED', code: 'PROVIDER_FAILED' }, name);
  }
});

const ffmpeg = ffmpegPath({});
t.test('ffmpeg frame grabber: one JPEG still of the sample; a non-MP4 is NotPlayableVideo', { skip: ffmpeg ? false : 'no ffmpeg binary for this platform (@ffmpeg-installer/linux-x64 is x64 Linux only)' }, async (t) => {
  const frames = new FfmpegFrameGrabber({ ffmpegPath: ffmpeg as string });
  const still = await frames.frame(sample, 1);
  t.equal(still.contentType, 'image/jpeg');
  t.match(imageInfo(still.body), { contentType: 'image/jpeg', width: 320, height: 180 });
  const late = await frames.frame(sample, 0);
  t.ok(late.body.byteLength > 0, 'the first frame too');
  for (const bytes of [Buffer.from('not a video at all'), jpeg]) {
    const err = await frames.frame(bytes, 0).then(() => undefined, (e: unknown) => e);
    t.ok(err instanceof NotPlayableVideo, 'not decodable: the video is at fault');
  }
});

t.test('ffmpeg frame grabber: a missing binary is an ordinary (retryable) error, not the fault of the video', async (t) => {
  const frames = new FfmpegFrameGrabber({ ffmpegPath: '/nonexistent/ffmpeg' });
  const err = await frames.frame(sample, 0).then(() => undefined, (e: unknown) => e);
  t.match(err, { code: 'ENOENT' });
  t.notOk(err instanceof NotPlayableVideo);
});

t.test('ffmpeg frame grabber: an ffmpeg that hangs is stopped after timeoutMs, and the video is blamed', async (t) => {
  const hanging = join(t.testdir(), 'ffmpeg');
  await writeFile(hanging, '#!/bin/sh\nexec sleep 60\n', { mode: 0o755 });
  const frames = new FfmpegFrameGrabber({ ffmpegPath: hanging, timeoutMs: 50 });
  const err = await frames.frame(sample, 0).then(() => undefined, (e: unknown) => e);
  t.ok(err instanceof NotPlayableVideo);
  t.match((err as Error).cause, { message: 'ffmpeg was stopped (SIGTERM)' });
});

t.test('ffmpegPath: FFMPEG_PATH first, then beside the bundle, then the npm package', async (t) => {
  t.equal(ffmpegPath({ FFMPEG_PATH: ' /opt/ffmpeg ' }), '/opt/ffmpeg');
  const here = new URL(import.meta.url).pathname;
  t.equal(ffmpegPath({}, here), here, 'a file beside the bundle');
  t.equal(ffmpegPath({}, '/nonexistent/ffmpeg'), ffmpeg, 'absent beside the bundle: the package binary (or none)');
});
