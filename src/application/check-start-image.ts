import { ValidationError } from '../domain/errors.js';
import { imageInfo } from '../domain/image-info.js';
import { jobInputKey } from '../domain/upload.js';
import type { Clock } from './ports/clock.js';
import type { UploadRepository } from './ports/upload-repository.js';
import type { UploadStorage } from './ports/upload-storage.js';

/** The picture sizes a model takes for a start image (a catalogue entry may narrow them). */
export interface ImageLimits {
  minWidth: number;
  minHeight: number;
  maxWidth: number;
  maxHeight: number;
}

/** What the hosted image-to-video models take between them; a catalogue entry's own limits win. */
export const DEFAULT_IMAGE_LIMITS: ImageLimits = { minWidth: 64, minHeight: 64, maxWidth: 8192, maxHeight: 8192 };

const refuse = (constraint: string, message: string) => new ValidationError('startImage', constraint, `startImage ${message}`);

/**
 * A job names an upload as its start image: it must be the caller's, unexpired and present, and be what
 * was declared (magic bytes of the declared type, exactly the declared size) within the model's sizes.
 * The file is copied first and the copy is what is checked and what the provider gets, so a file posted
 * again to the upload's key afterwards changes nothing. Any failure: 400 VALIDATION_ERROR, field
 * startImage, and no copy is left.
 */
export class CheckStartImage {
  constructor(private readonly deps: { uploads: UploadRepository; storage: UploadStorage; clock: Clock }) {}

  async execute(input: { userId: string; uploadId: string; jobId: string; limits?: ImageLimits }): Promise<{ key: string; contentType: string }> {
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
      const { minWidth, minHeight, maxWidth, maxHeight } = input.limits ?? DEFAULT_IMAGE_LIMITS;
      if (info.width < minWidth || info.height < minHeight || info.width > maxWidth || info.height > maxHeight) {
        throw refuse('dimensions', `is ${info.width}×${info.height}; this model takes ${minWidth}×${minHeight} to ${maxWidth}×${maxHeight}`);
      }
      return { key, contentType: info.contentType };
    } catch (err) {
      await storage.remove(key).catch(() => undefined);
      throw err;
    }
  }
}
