import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ListModels } from '../../../application/list-models.ts';
import { authErrors, bearer, ModelList } from '../schemas.ts';

export const modelRoutes: FastifyPluginAsyncTypebox<{ listModels: ListModels }> = async (app, { listModels }) => {
  app.get('/models', {
    schema: {
      tags: ['models'], security: bearer, summary: 'The video models a job may ask for: what each accepts and costs, and each category\'s defaults',
      response: { 200: ModelList, ...authErrors },
    },
  }, async () => listModels.execute());
};
