// What an image file is, from its first bytes: its format by magic number and its size from the header.
// Enough of each format is read to know the picture size, nothing is decoded. Specs: PNG (RFC 2083, IHDR),
// JPEG (ITU T.81, the SOFn segment), WebP (RIFF container: VP8, VP8L and VP8X chunks).

export const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export type ImageType = (typeof IMAGE_TYPES)[number];

export interface ImageInfo {
  contentType: ImageType;
  width: number;
  height: number;
}

export function isImageType(value: unknown): value is ImageType {
  return typeof value === 'string' && (IMAGE_TYPES as readonly string[]).includes(value);
}

/** The image's format and size, or undefined when the bytes are none of JPEG, PNG or WebP (or are cut short). */
export function imageInfo(bytes: Uint8Array): ImageInfo | undefined {
  return pngInfo(bytes) ?? jpegInfo(bytes) ?? webpInfo(bytes);
}

/** The format by magic number alone (the first 12 bytes are enough), or undefined. */
export function imageTypeOf(head: Uint8Array): ImageType | undefined {
  if (PNG_SIGNATURE.every((byte, i) => head[i] === byte)) return 'image/png';
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 4) === 'WEBP') return 'image/webp';
  return undefined;
}

const u16be = (b: Uint8Array, at: number) => (b[at]! << 8) | b[at + 1]!;
const u32be = (b: Uint8Array, at: number) => ((b[at]! << 24) >>> 0) + (b[at + 1]! << 16) + (b[at + 2]! << 8) + b[at + 3]!;
const u24le = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16);
const ascii = (b: Uint8Array, at: number, length: number) => String.fromCharCode(...b.subarray(at, at + length));

function sized(contentType: ImageType, width: number, height: number): ImageInfo | undefined {
  return width > 0 && height > 0 ? { contentType, width, height } : undefined;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function pngInfo(b: Uint8Array): ImageInfo | undefined {
  // The signature, then IHDR must be the first chunk: length 13, type, width, height (big-endian).
  if (b.length < 24 || PNG_SIGNATURE.some((byte, i) => b[i] !== byte) || ascii(b, 12, 4) !== 'IHDR') return undefined;
  return sized('image/png', u32be(b, 16), u32be(b, 20));
}

/** Start-of-frame markers (baseline, progressive, lossless, arithmetic…); C4, C8 and CC are not frames. */
const SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

function jpegInfo(b: Uint8Array): ImageInfo | undefined {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8 || b[2] !== 0xff) return undefined;
  let at = 2;
  while (at + 4 <= b.length) {
    if (b[at] !== 0xff) return undefined;
    const marker = b[at + 1]!;
    // Fill bytes (FF FF …) and markers without a length (TEM, RSTn) are skipped; EOS/EOI before a frame: no size.
    if (marker === 0xff) { at += 1; continue; }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { at += 2; continue; }
    if (marker === 0xd9 || marker === 0xda) return undefined;
    const length = u16be(b, at + 2);
    if (length < 2) return undefined;
    if (SOF.has(marker)) return at + 9 <= b.length ? sized('image/jpeg', u16be(b, at + 7), u16be(b, at + 5)) : undefined;
    at += 2 + length;
  }
  return undefined;
}

function webpInfo(b: Uint8Array): ImageInfo | undefined {
  if (b.length < 30 || ascii(b, 0, 4) !== 'RIFF' || ascii(b, 8, 4) !== 'WEBP') return undefined;
  const chunk = ascii(b, 12, 4);
  if (chunk === 'VP8X') return sized('image/webp', u24le(b, 24) + 1, u24le(b, 27) + 1);
  if (chunk === 'VP8 ') {
    // A key frame's start code, then 14-bit width and height (the top two bits are scaling).
    if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) return undefined;
    return sized('image/webp', (b[26]! | (b[27]! << 8)) & 0x3fff, (b[28]! | (b[29]! << 8)) & 0x3fff);
  }
  if (chunk === 'VP8L') {
    if (b[20] !== 0x2f) return undefined;
    const bits = b[21]! | (b[22]! << 8) | (b[23]! << 16) | (b[24]! << 24);
    return sized('image/webp', (bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
  }
  return undefined;
}
