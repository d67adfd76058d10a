import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { CreateUpload } from '../../../application/create-upload.ts';
import { IMAGE_TYPES } from '../../../domain/image-info.ts';
import { UPLOAD_MAX_BYTES } from '../../../domain/upload.ts';
import { ErrorBody } from '../http-error.ts';
import { principalOf } from '../plugins/auth.plugin.ts';
import { authErrors, bearer } from '../schemas.ts';

const CreateUploadBody = Type.Object({
  contentType: Type.Unsafe<string>({ type: 'string', enum: [...IMAGE_TYPES] }),
  sizeBytes: Type.Integer({ minimum: 1, maximum: UPLOAD_MAX_BYTES, description: 'the exact size of the file to be posted (≤ 10 MB)' }),
}, { additionalProperties: false });

const UploadForm = Type.Object({
  uploadId: Type.String({ description: 'name it as a job\'s startImage' }),
  url: Type.String({ format: 'uri', description: 'POST multipart/form-data here: every field of `fields`, then the file as `file` (last)' }),
  fields: Type.Record(Type.String(), Type.String()),
  expiresAt: Type.String({ format: 'date-time', description: 'the upload is deleted then unless a job used it (24 h); the form itself works for 1 h' }),
}, { title: 'UploadForm' });

export const uploadRoutes: FastifyPluginAsyncTypebox<{ createUpload: CreateUpload }> = async (app, { createUpload }) => {
  app.post('/uploads', {
    schema: {
      tags: ['uploads'], security: bearer, summary: 'A form to upload a start image to (a presigned POST that pins key, type and size)',
      body: CreateUploadBody, response: { 201: UploadForm, 400: ErrorBody, 413: ErrorBody, 415: ErrorBody, ...authErrors },
    },
  }, async (request, reply) => {
    const form = await createUpload.execute({ userId: principalOf(request).userId, ...request.body });
    return reply.code(201).send(form);
  });
};
