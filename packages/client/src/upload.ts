import { OmniGenError } from './errors.ts';
import type { UploadContentType, UploadTicket } from './types.ts';

/** A Blob/File (browsers, Node), raw bytes, or (Node only) a file path. */
export type ImageSource = Blob | Uint8Array | string;

export interface UploadedImage {
  /** Pass as a job's `startImage`. */
  uploadId: string;
  expiresAt: string;
  contentType: UploadContentType;
  sizeBytes: number;
}

export interface UploadSteps {
  ticket(body: { contentType: UploadContentType; sizeBytes: number }): Promise<UploadTicket>;
  post(request: Request): Promise<Response>;
  signal?: AbortSignal | undefined;
}

/** The contract's limit for a start image. */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

export async function uploadImage(source: ImageSource, steps: UploadSteps): Promise<UploadedImage> {
  const bytes = await bytesOf(source);
  const contentType = sniffImageType(bytes);
  if (!contentType) {
    throw new OmniGenError({ message: 'The image must be a JPEG, PNG or WebP file', status: 0, code: 'UNSUPPORTED_MEDIA_TYPE', details: { field: 'file' } });
  }
  const ticket = await steps.ticket({ contentType, sizeBytes: bytes.byteLength });
  // A presigned POST (S3's browser-based upload): the policy's fields first, the file last (S3 ignores fields after it).
  const form = new FormData();
  for (const [name, value] of Object.entries(ticket.fields)) form.append(name, value);
  form.append('file', new Blob([bytes], { type: contentType }), 'image');
  const response = await steps.post(new Request(ticket.url, { method: 'POST', body: form, signal: steps.signal }));
  if (!response.ok) {
    const text = await response.text();
    throw new OmniGenError({
      message: `The upload was refused (HTTP ${response.status})${text ? `: ${text.slice(0, 300)}` : ''}`,
      status: response.status, code: 'UPLOAD_REFUSED', requestId: response.headers.get('x-request-id') ?? undefined,
    });
  }
  await response.body?.cancel();
  return { uploadId: ticket.uploadId, expiresAt: ticket.expiresAt, contentType, sizeBytes: bytes.byteLength };
}

async function bytesOf(source: ImageSource): Promise<Uint8Array> {
  if (typeof source === 'string') {
    // Only a path needs the file system: browsers never reach this import.
    const { readFile } = await import('node:fs/promises');
    return new Uint8Array(await readFile(source));
  }
  if (source instanceof Uint8Array) return source;
  return new Uint8Array(await source.arrayBuffer());
}

/** The type from the file's first bytes: a file name or a Blob's type can claim anything. */
export function sniffImageType(bytes: Uint8Array): UploadContentType | undefined {
  const starts = (...prefix: number[]) => prefix.every((byte, i) => bytes[i] === byte);
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (starts(0x52, 0x49, 0x46, 0x46) && bytes[8] === 0x57 && bytes[9] === 0x45 && bytes[10] === 0x42 && bytes[11] === 0x50) return 'image/webp';
  return undefined;
}
