import { ValidationError } from './errors.ts';
import { isImageType, IMAGE_TYPES, type ImageType } from './image-info.ts';

/** The largest start image a caller may upload (the bucket's policy refuses more). */
export const UPLOAD_MAX_BYTES = 10 * 1024 * 1024;
/** An upload no job used is deleted after this (S3 lifecycle rule; local mode's sweep). */
export const UPLOAD_TTL_MS = 24 * 60 * 60 * 1000;
/** How long the POST policy itself may be used: an upload happens right after it is asked for. */
export const UPLOAD_POLICY_TTL_SECONDS = 60 * 60;

/** A job's own copy of its start image: outside uploads/, so the 24-hour lifecycle rule never takes it. */
export function jobInputKey(jobId: string): string {
  return `inputs/${jobId}/start-image`;
}

/**
 * How long the provider's URL of a start image works. It is fetched when the generation starts, but a
 * provider may queue a prediction for a while first; an hour covers that and is still short-lived.
 */
export const START_IMAGE_URL_TTL_SECONDS = 60 * 60;

export interface Upload {
  readonly uploadId: string;
  readonly userId: string;
  /** Storage key: uploads/<owner>/<uploadId>, pinned by the POST policy. */
  readonly key: string;
  readonly contentType: ImageType;
  /** What the caller declared; the policy pins the file to exactly this size. */
  readonly sizeBytes: number;
  readonly createdAt: string;
  readonly expiresAt: string;
}

export function parseUploadRequest(body: { contentType: unknown; sizeBytes: unknown }): { contentType: ImageType; sizeBytes: number } {
  const { contentType, sizeBytes } = body;
  if (!isImageType(contentType)) throw new ValidationError('contentType', 'enum', `contentType must be one of ${IMAGE_TYPES.join(', ')}`);
  if (typeof sizeBytes !== 'number' || !Number.isInteger(sizeBytes) || sizeBytes < 1) {
    throw new ValidationError('sizeBytes', 'minimum', 'sizeBytes must be a whole number of bytes, at least 1');
  }
  if (sizeBytes > UPLOAD_MAX_BYTES) throw new ValidationError('sizeBytes', 'maximum', `sizeBytes must be at most ${UPLOAD_MAX_BYTES} (10 MB)`);
  return { contentType, sizeBytes };
}
