import type { FastifyPluginAsync } from 'fastify';
import type { Clock } from '../../../application/ports/clock.ts';
import { UPLOAD_MAX_BYTES } from '../../../domain/upload.ts';
import type { LocalUploadStorage } from '../../local/local-upload-storage.ts';
import { systemClock } from '../../system-clock.ts';
import { HttpError } from '../http-error.ts';

/** Room for the form's other fields around the largest file. */
const FORM_LIMIT = UPLOAD_MAX_BYTES + 64 * 1024;

const refused = (field: string, constraint: string, message: string) =>
  new HttpError(400, 'VALIDATION_ERROR', `Invalid upload: ${message}`, { field, constraint });

/**
 * Local mode's S3: POST multipart/form-data with the fields POST /uploads handed out and the file last.
 * The policy is enforced as S3 enforces it — signature, expiry, key, Content-Type, content-length-range —
 * and a refused form stores nothing. No bearer token: the signed policy is the credential. 204 on success.
 */
export const localUploadRoutes: FastifyPluginAsync<{ storage: LocalUploadStorage; clock?: Clock }> = async (app, { storage, clock = systemClock }) => {
  // Node's own multipart parser (the Fetch API's Request.formData()), on the raw body of this route only.
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit: FORM_LIMIT }, (_req, body, done) => done(null, body));

  app.post('/local-uploads', { schema: { hide: true } }, async (request, reply) => {
    const type = request.headers['content-type'] ?? '';
    if (!type.startsWith('multipart/form-data')) throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send multipart/form-data');
    let form: FormData;
    try {
      form = await new Request('http://local/', { method: 'POST', headers: { 'content-type': type }, body: request.body as Buffer }).formData();
    } catch {
      throw new HttpError(400, 'INVALID_REQUEST', 'Invalid request: body is not valid multipart/form-data');
    }
    const text = (name: string) => {
      const value = form.get(name);
      if (typeof value !== 'string') throw refused(name, 'required', `the form has no ${name} field`);
      return value;
    };
    const fields = { policy: text('Policy'), signature: text('X-Omnigen-Signature'), key: text('key'), contentType: text('Content-Type') };
    let accepted;
    try {
      accepted = storage.accept(fields, clock.now());
    } catch {
      throw refused('Policy', 'signature', 'the policy is not one this service signed');
    }
    if (typeof accepted === 'string') throw refused(accepted.startsWith('the policy') ? 'Policy' : accepted.split(' ')[0] as string, 'policy', accepted);
    const file = form.get('file');
    if (!(file instanceof Blob)) throw refused('file', 'required', 'the form has no file');
    if (file.size < accepted.minBytes || file.size > accepted.maxBytes) {
      throw refused('file', 'content-length-range', `the file is ${file.size} bytes; the policy allows ${accepted.minBytes}..${accepted.maxBytes}`);
    }
    await storage.put(accepted.key, new Uint8Array(await file.arrayBuffer()));
    return reply.code(204).send();
  });
};
