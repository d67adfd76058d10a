import { ValidationError } from '../domain/errors.ts';
import { imageInfo, type ImageInfo } from '../domain/image-info.ts';
import type { StartImageLimits } from '../domain/model-catalogue.ts';
import { jobInputKey } from '../domain/upload.ts';
import type { Clock } from './ports/clock.ts';
import type { UploadRepository } from './ports/upload-repository.ts';
import type { UploadStorage } from './ports/upload-storage.ts';

/** The picture sizes any start image must be within; a catalogue entry's own limits (StartImageLimits) win. */
export const DEFAULT_IMAGE_LIMITS = { minWidth: 64, minHeight: 64, maxWidth: 8192, maxHeight: 8192 } as const;

const refuse = (constraint: string, message: string) => new ValidationError('startImage', constraint, `startImage ${message}`);

/**
 * A job names an upload as its start image: it must be the caller's, unexpired and present, and be what
 * was declared (magic bytes of the declared type, exactly the declared size) within the model's sizes.
 * The file is copied first and the copy is what is checked and what the provider gets, so a file posted
 * again to the upload's key afterwards changes nothing. Any failure: 400 VALIDATION_ERROR, field
 * startImage, and no copy is left.
 */
export class CheckStartImage {
  private readonly deps: { uploads: UploadRepository; storage: UploadStorage; clock: Clock };
  constructor(deps: { uploads: UploadRepository; storage: UploadStorage; clock: Clock }) {
    this.deps = deps;
  }

  async execute(input: { userId: string; uploadId: string; jobId: string; limits?: StartImageLimits }): Promise<{ key: string; contentType: string }> {
    const { uploads, storage, clock } = this.deps;
    const upload = await uploads.get(input.uploadId);
    // Another user's upload reads as absent: ids are not to be probed.
    if (!upload || upload.userId !== input.userId) throw refuse('exists', 'names no upload of yours');
    if (Date.parse(upload.expiresAt) <= clock.now().getTime()) throw refuse('expired', 'names an upload that has expired');
    const key = jobInputKey(input.jobId);
    try {
      await storage.copy(upload.key, key, upload.contentType);
    } catch (err) {
      if ((err as { code?: string }).code === 'NoSuchKey') throw refuse('present', 'names an upload whose file was never posted');
      throw err;
    }
    try {
      const bytes = await storage.read(key, upload.sizeBytes);
      if (!bytes) throw refuse('present', 'names an upload whose file was never posted');
      if (bytes.byteLength !== upload.sizeBytes) throw refuse('sizeBytes', `is ${bytes.byteLength} bytes, not the ${upload.sizeBytes} declared`);
      const info = imageInfo(bytes);
      if (!info) throw refuse('contentType', 'is not a JPEG, PNG or WebP image');
      if (info.contentType !== upload.contentType) throw refuse('contentType', `is ${info.contentType}, not the ${upload.contentType} declared`);
      withinLimits(info, bytes.byteLength, input.limits ?? {});
      return { key, contentType: info.contentType };
    } catch (err) {
      await storage.remove(key).catch(() => undefined);
      throw err;
    }
  }
}

/** Throws the refusal (400 startImage, with the model's limit) of an image the model does not take. */
function withinLimits(info: ImageInfo, sizeBytes: number, limits: StartImageLimits): void {
  const { minWidth, minHeight, maxWidth, maxHeight } = { ...DEFAULT_IMAGE_LIMITS, ...limits };
  if (limits.types && !limits.types.includes(info.contentType)) {
    throw new ValidationError('startImage', 'contentType', `startImage is ${info.contentType}; this model takes ${limits.types.join(', ')}`, limits.types);
  }
  if (limits.maxBytes !== undefined && sizeBytes > limits.maxBytes) throw refuse('maxBytes', `is ${sizeBytes} bytes; this model takes at most ${limits.maxBytes}`);
  if (info.width < minWidth || info.height < minHeight || info.width > maxWidth || info.height > maxHeight) {
    throw refuse('dimensions', `is ${info.width}×${info.height}; this model takes ${minWidth}×${minHeight} to ${maxWidth}×${maxHeight}`);
  }
  const ratio = Math.max(info.width, info.height) / Math.min(info.width, info.height);
  if (limits.maxAspectRatio !== undefined && ratio > limits.maxAspectRatio) {
    throw refuse('aspectRatio', `is ${info.width}×${info.height}; this model takes sides at most ${limits.maxAspectRatio} times as long as each other`);
  }
}
