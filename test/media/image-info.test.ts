import { readFile } from 'node:fs/promises';
import t from 'tap';
import { imageInfo, isImageType } from '../../src/domain/image-info.ts';

const fixture = (name: string) => readFile(new URL(`./fixtures/${name}`, import.meta.url));

t.test('imageInfo: format and size of real files (made by ffmpeg, 33×17)', async (t) => {
  const expected: [string, string][] = [
    ['image.png', 'image/png'], ['image.jpg', 'image/jpeg'], ['image.webp', 'image/webp'],
    ['lossless.webp', 'image/webp'], ['alpha.webp', 'image/webp'],
  ];
  for (const [name, contentType] of expected) t.same(imageInfo(await fixture(name)), { contentType, width: 33, height: 17 }, name);
  t.same(imageInfo(await readFile(new URL('../../assets/sample.jpg', import.meta.url))), { contentType: 'image/jpeg', width: 320, height: 180 });
});

t.test('imageInfo: not an image, or cut before its size, is undefined', async (t) => {
  const png = await fixture('image.png');
  const jpg = await fixture('image.jpg');
  const webp = await fixture('image.webp');
  const cases: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['text', Buffer.from('GIF89a is not one of ours, nor is this text')],
    ['an MP4', await readFile(new URL('../../assets/sample.mp4', import.meta.url))],
    ['PNG signature only', png.subarray(0, 8)],
    ['JPEG before its frame header', jpg.subarray(0, 20)],
    ['WebP header only', webp.subarray(0, 16)],
    ['RIFF that is not WebP', Buffer.concat([Buffer.from('RIFF\0\0\0\0WAVEfmt '), Buffer.alloc(20)])],
  ];
  for (const [name, bytes] of cases) t.equal(imageInfo(bytes), undefined, name);
});

t.test('imageInfo: a header claiming zero width is not an image', async (t) => {
  const png = Buffer.from(await fixture('image.png'));
  png.writeUInt32BE(0, 16);
  t.equal(imageInfo(png), undefined);
  const jpg = Buffer.from(await fixture('image.jpg'));
  jpg[2] = 0x00; // no marker after SOI
  t.equal(imageInfo(jpg), undefined);
});

t.test('imageInfo: large dimensions are read whole (no sign or 16-bit overflow)', async (t) => {
  const png = Buffer.from(await fixture('image.png'));
  png.writeUInt32BE(0x80000001, 16);
  png.writeUInt32BE(70_000, 20);
  t.same(imageInfo(png), { contentType: 'image/png', width: 0x80000001, height: 70_000 });
  const webp = Buffer.from(await fixture('alpha.webp'));
  webp.writeUIntLE(16382, 24, 3);
  webp.writeUIntLE(9999, 27, 3);
  t.same(imageInfo(webp), { contentType: 'image/webp', width: 16383, height: 10000 });
});

t.test('isImageType: exactly JPEG, PNG and WebP', async (t) => {
  for (const type of ['image/jpeg', 'image/png', 'image/webp']) t.ok(isImageType(type), type);
  for (const type of ['image/gif', 'image/svg+xml', 'IMAGE/PNG', '', undefined, 7]) t.notOk(isImageType(type), String(type));
});
