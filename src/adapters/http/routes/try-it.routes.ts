import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync } from 'fastify';

export interface TryItRoutesOptions {
  /** Folder holding index.html, app.js and styles.css; found by `publicDirectory()` unless given. */
  publicDir?: string;
  /** Origins besides the page's own that videos may play from: signed video URLs are built on PUBLIC_URL. */
  mediaOrigins?: string[];
}

/**
 * `tsc` copies no assets, so from dist/adapters/http/routes the files are not next to the module:
 * fall back to the sources (dist/… → src/adapters/http/public), which ship with the repository and image.
 */
export function publicDirectory(): string {
  const candidates = [new URL('../public/', import.meta.url), new URL('../../../../src/adapters/http/public/', import.meta.url)];
  const found = candidates.map((url) => fileURLToPath(url)).find((dir) => existsSync(join(dir, 'index.html')));
  if (!found) throw new Error(`try-it page: no index.html in ${candidates.map((url) => fileURLToPath(url)).join(' or ')}`);
  return found;
}

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

const FILES: Record<string, [file: string, type: string]> = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/try-it/app.js': ['app.js', 'text/javascript; charset=utf-8'],
  '/try-it/styles.css': ['styles.css', 'text/css; charset=utf-8'],
};

function contentSecurityPolicy(mediaOrigins: string[]): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    // The start image is posted to the upload URL, which is PUBLIC_URL's (local mode).
    ['connect-src', "'self'", ...mediaOrigins].join(' '),
    // data: for the empty favicon that spares a 404 per page view; blob: for the start image's preview;
    // thumbnails are signed URLs on PUBLIC_URL.
    ['img-src', "'self'", 'data:', 'blob:', ...mediaOrigins].join(' '),
    ['media-src', "'self'", ...mediaOrigins].join(' '),
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The try-it page of local mode (`GET /` and its two assets), read once and served from memory. */
export const tryItRoutes: FastifyPluginAsync<TryItRoutesOptions> = async (app, options) => {
  const dir = options.publicDir ?? publicDirectory();
  const csp = contentSecurityPolicy(options.mediaOrigins ?? []);

  for (const [path, [file, type]] of Object.entries(FILES)) {
    const body = readFileSync(join(dir, file));
    const asset: Asset = { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
    app.get(path, {
      schema: path === '/'
        ? { tags: ['try-it'], summary: 'Local mode only: the try-it page', response: { 200: { description: 'HTML page', content: { 'text/html': { schema: { type: 'string' } } } } } }
        : { hide: true },
    }, async (request, reply) => {
      // no-cache: browsers revalidate (cheap with the ETag), so an edited page shows on reload.
      reply.header('cache-control', 'no-cache').header('etag', asset.etag).header('content-security-policy', csp);
      if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
      return reply.type(asset.type).send(asset.body);
    });
  }
};
