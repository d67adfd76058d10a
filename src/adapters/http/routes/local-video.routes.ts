import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Clock } from '../../../application/ports/clock.ts';
import type { LocalVideoStorage } from '../../local/local-video-storage.ts';
import { imageTypeOf } from '../../../domain/image-info.ts';
import { systemClock } from '../../system-clock.ts';
import { ErrorBody, HttpError } from '../http-error.ts';

export interface LocalVideoRoutesOptions {
  storage: LocalVideoStorage;
  /** Decides whether a link has expired; the system clock unless a test sets it. */
  clock?: Clock;
}

const VideoQuery = Type.Object({
  expires: Type.String({ pattern: '^[0-9]{1,12}$', description: 'Unix time (seconds) after which the link stops working' }),
  signature: Type.String({ pattern: '^[A-Za-z0-9_-]{43}$', description: 'base64url HMAC-SHA256 over the key and expires' }),
});

const VideoHeaders = Type.Object({
  range: Type.Optional(Type.String({ description: 'One byte range (RFC 9110 §14.2), e.g. bytes=0-1023, bytes=1024-, bytes=-500' })),
});

const mp4 = (description: string) => ({
  description,
  content: { 'video/mp4': { schema: { type: 'string', format: 'binary' } } },
});

export type ByteRange = { start: number; end: number };

/**
 * The single range a `Range` header asks for (RFC 9110 §14.1.2), clamped to the file; 'unsatisfiable'
 * when it starts past the end; undefined when the whole file should be sent: no header, another unit,
 * a malformed or multi-range set (§14.2 lets a server ignore those), or an `If-Range` we cannot match
 * (§13.1.5: we emit no validators, so none matches).
 */
export function byteRangeOf(header: string | undefined, ifRange: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  if (header === undefined || ifRange !== undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/i.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '') {
    // Suffix range: the last n bytes; "-0" selects nothing.
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? Infinity : Number(last);
  if (end < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end: Math.min(end, size - 1) };
}

/**
 * Videos, their thumbnails (videos/<jobId>.jpg) and jobs' start images (inputs/<jobId>/start-image, whose
 * key names no type: its magic number does, as S3 keeps the Content-Type it was copied with).
 */
async function contentTypeOf(storage: LocalVideoStorage, key: string): Promise<string> {
  if (key.endsWith('.jpg')) return 'image/jpeg';
  if (!key.startsWith('inputs/')) return 'video/mp4';
  const head: Buffer[] = [];
  for await (const chunk of storage.open(key, { start: 0, end: 11 })) head.push(chunk as Buffer);
  return imageTypeOf(Buffer.concat(head)) ?? 'application/octet-stream';
}

/**
 * GET/HEAD /videos/<key>: the local mode's stand-in for an S3 presigned URL. No bearer token: the
 * signature in the query is the credential. Serves byte ranges so a browser's <video> can seek.
 */
export const localVideoRoutes: FastifyPluginAsyncTypebox<LocalVideoRoutesOptions> = async (app, options) => {
  const { storage } = options;
  const clock = options.clock ?? systemClock;

  app.route({
    // HEAD is declared here rather than left to Fastify's automatic HEAD route, which would run this
    // handler and read the whole file only to throw it away.
    method: ['GET', 'HEAD'],
    url: '/videos/*',
    // A bad or missing signature is a 403 (like S3's), not a 400: the schema documents the query,
    // the handler decides.
    attachValidation: true,
    schema: {
      tags: ['videos'],
      summary: 'A finished video, through the signed link from GET /jobs/{id}/video (local mode)',
      querystring: VideoQuery,
      headers: VideoHeaders,
      response: {
        200: mp4('The whole video'),
        206: mp4('The requested byte range'),
        403: ErrorBody,
        404: ErrorBody,
        416: ErrorBody,
      },
    },
    handler: async (request, reply) => {
      const key = (request.params as { '*': string })['*'];
      const now = clock.now();
      const { expires, signature } = request.query;
      if (request.validationError || !storage.verify(key, expires, signature, now)) {
        throw new HttpError(403, 'FORBIDDEN', 'This video link is invalid or has expired; ask for a new one');
      }
      const file = await storage.stat(key);
      if (!file) throw new HttpError(404, 'NOT_FOUND', 'Video not found');

      const range = byteRangeOf(request.headers.range, request.headers['if-range'] as string | undefined, file.size);
      if (range === 'unsatisfiable') {
        throw new HttpError(416, 'RANGE_NOT_SATISFIABLE', `The range is outside the video's ${file.size} bytes`, undefined, {
          'content-range': `bytes */${file.size}`,
        });
      }
      const { start, end } = range ?? { start: 0, end: file.size - 1 };
      const secondsLeft = Math.max(0, Math.floor((Number(expires) * 1000 - now.getTime()) / 1000));
      reply
        .code(range ? 206 : 200)
        .type(await contentTypeOf(storage, key))
        .header('accept-ranges', 'bytes')
        .header('content-length', String(end - start + 1))
        // Private: the URL is a credential; and no longer than the link itself lives.
        .header('cache-control', `private, max-age=${secondsLeft}`);
      if (range) reply.header('content-range', `bytes ${start}-${end}/${file.size}`);
      if (request.method === 'HEAD' || file.size === 0) return reply.send();
      return reply.send(storage.open(key, { start, end }));
    },
  });
};
