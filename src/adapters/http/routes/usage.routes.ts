import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { GetUsage } from '../../../application/get-usage.ts';
import { principalOf } from '../plugins/auth.plugin.ts';
import { authErrors, bearer, Usage } from '../schemas.ts';

export const usageRoutes: FastifyPluginAsyncTypebox<{ getUsage: GetUsage }> = async (app, { getUsage }) => {
  app.get('/usage', {
    schema: { tags: ['usage'], security: bearer, summary: "The caller's monthly job quota", response: { 200: Usage, ...authErrors } },
  }, async (request) => getUsage.execute({ userId: principalOf(request).userId }));
};
